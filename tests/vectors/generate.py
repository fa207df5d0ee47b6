"""Regenerate pingyi's own test vectors (tests/vectors/*.json, checkpoint.note).

    python tests/vectors/generate.py            # rewrite the files
    python tests/vectors/generate.py --check    # exit 1 if the files differ

Everything is deterministic: TEST keys from published seeds (never use them
for anything real), fixed ids and times, and Ed25519 signatures are
deterministic. A second implementation can check its canonical bytes, entry
hashes, Merkle roots, proofs and checkpoint signatures against these files.
"""

from __future__ import annotations

import base64
import hashlib
import json
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ledger import canonical, merkle
from ledger.entry import Entry, Submission, new_statement
from ledger.keys import Signer
from ledger.note import Checkpoint, NoteSigner

HERE = Path(__file__).parent
ORIGIN = "vectors.pingyi.example/test-log"
TIME = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
SEEDS = {
    "root": b"pingyi TEST vector key: office root",
    "log": b"pingyi TEST vector key: log checkpoints",
    "office": b"pingyi TEST vector key: office staff",
    "supervisor": b"pingyi TEST vector key: supervisor",
}

CANONICAL_CASES: list[Any] = [
    {"b": 1, "a": [True, False, None], "c": "x"},
    {
        "text": "测评 evaluation — “quotes” \u2028 line sep",
        "tab\tkey": 'a\nb"c\\d\u0001\u001f\u007f',
    },
    {"points": "-2.5", "nested": {"z": {"y": [1, -1, 0, 9007199254740991]}}},
    {"é": 1, "e": 2, "\U0001f600": 3, "\ufb01": 4},  # non-ASCII keys: UTF-16 code-unit order
    [],
    {},
    "only a string",
]


ED25519_ORDER = 2**252 + 27742317777372353535851937790883648493
IDENTITY = (1).to_bytes(32, "little")  # the neutral point (order 1), canonical encoding


def signature_cases() -> dict[str, Any]:
    """Ed25519 edge cases: what pingyi's strict rule (docs/verification.md §4) accepts.

    Only scalar arithmetic is needed to craft them: with the private scalar
    ``a``, ``S = k·a mod L`` makes ``R`` the neutral point satisfy the
    cofactorless equation, which lax verifiers (OpenSSL) accept.
    """
    seed = SEEDS["supervisor"]
    signer = Signer.from_seed(seed)
    public = signer.public_bytes
    clamped = bytearray(hashlib.sha512(hashlib.sha256(seed).digest()).digest()[:32])
    clamped[0] &= 248
    clamped[31] = (clamped[31] & 127) | 64
    a = int.from_bytes(clamped, "little")
    message = canonical.STATEMENT_CONTEXT + b'{"vector":"ed25519 edge cases"}'
    honest = signer.private_key.sign(message)
    s_honest = int.from_bytes(honest[32:], "little")
    k = int.from_bytes(hashlib.sha512(IDENTITY + public + message).digest(), "little")
    s_forged = (k % ED25519_ORDER) * a % ED25519_ORDER

    def case(name: str, key: bytes, sig: bytes, strict: bool, cofactorless: bool) -> Any:
        return {
            "name": name,
            "public_key": key.hex(),
            "signature": sig.hex(),
            "strict_valid": strict,
            "cofactorless_equation_holds": cofactorless,
        }

    p_plus_1 = (2**255 - 19 + 1).to_bytes(32, "little")  # y = p + 1: non-canonical neutral point
    return {
        "message": message.hex(),
        "signatures": [
            case("honest", public, honest, True, True),
            case(
                "s-not-reduced (S + L)",
                public,
                honest[:32] + (s_honest + ED25519_ORDER).to_bytes(32, "little"),
                False,
                False,
            ),
            case(
                "r-small-order (R = neutral point, S = k·a)",
                public,
                IDENTITY + s_forged.to_bytes(32, "little"),
                False,
                True,
            ),
            case(
                "a-small-order (A = neutral point, S = 0)",
                IDENTITY,
                IDENTITY + bytes(32),
                False,
                True,
            ),
        ],
        "public_keys": [
            {"name": "honest", "public_key": public.hex(), "usable": True},
            {"name": "neutral point (order 1)", "public_key": IDENTITY.hex(), "usable": False},
            {"name": "y = 0 (order 4)", "public_key": bytes(32).hex(), "usable": False},
            {"name": "y = p + 1 (non-canonical)", "public_key": p_plus_1.hex(), "usable": False},
            {
                "name": "not on the curve (y = 2)",
                "public_key": (2).to_bytes(32, "little").hex(),
                "usable": False,
            },
        ],
    }


def keys() -> dict[str, Signer]:
    return {name: Signer.from_seed(seed) for name, seed in SEEDS.items()}


def build() -> dict[str, str]:
    k = keys()
    log_signer = NoteSigner(ORIGIN, k["log"].private_key)

    def sub(n: int, signer: Signer, type_: str, payload: dict[str, Any]) -> Submission:
        entry_id = str(uuid.UUID(hashlib.sha256(f"vector entry {n}".encode()).hexdigest()[:32]))
        statement = new_statement(
            log=ORIGIN, type=type_, payload=payload, signer=signer.key_id, time=TIME, id=entry_id
        )
        return Submission.sign(signer, statement)

    subs = [
        sub(
            0,
            k["root"],
            "genesis",
            {
                "deployment": "TEST vectors",
                "root_key": k["root"].public_b64,
                "log_key": log_signer.verifier_key,
            },
        ),
        sub(
            1,
            k["root"],
            "key.register",
            {
                "key": k["office"].public_b64,
                "holder": "office (TEST)",
                "roles": ["registrar", "office"],
            },
        ),
        sub(
            2,
            k["office"],
            "key.register",
            {
                "key": k["supervisor"].public_b64,
                "holder": "supervisor (TEST)",
                "roles": ["supervisor"],
            },
        ),
        sub(3, k["office"], "campaign.open", {"campaign": "c2026", "title": "2026 公开测评 TEST"}),
        sub(
            4,
            k["supervisor"],
            "finding.record",
            {
                "campaign": "c2026",
                "unit": "U001",
                "rule": "attitude",
                "level": "county",
                "serious": True,
                "summary": "窗口无人 window unattended",
            },
        ),
        sub(
            5,
            k["supervisor"],
            "finding.record",
            {
                "campaign": "c2026",
                "unit": "U002",
                "rule": "fees",
                "level": "bureau",
                "serious": False,
                "summary": "fee not posted",
            },
        ),
        sub(
            6,
            k["office"],
            "key.revoke",
            {"key_id": k["supervisor"].key_id, "reason": "TEST revocation"},
        ),
    ]
    entries: list[Entry] = []
    head = canonical.GENESIS_PREV
    for i, s in enumerate(subs):
        entries.append(Entry.sequence(s, i, head))
        head = entries[-1].hash
    tree = merkle.MerkleTree(merkle.leaf_hash(e.raw) for e in entries)
    size = tree.size
    checkpoints = {
        n: log_signer.sign(Checkpoint(ORIGIN, n, tree.root(n)).body()) for n in (3, size)
    }

    def b64(data: bytes) -> str:
        return base64.b64encode(data).decode()

    log = {
        "origin": ORIGIN,
        "time": TIME.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "keys": {
            name: {
                "seed_utf8": SEEDS[name].decode(),
                "private_key": "SHA-256(seed)",
                "public_key": s.public_b64,
                "key_id": s.key_id,
            }
            for name, s in k.items()
        },
        "log_verifier_key": log_signer.verifier_key,
        "entries": [
            {
                "index": e.index,
                "statement_canonical": e.statement_bytes.decode(),
                "signed_message_hex": canonical.statement_message_from_bytes(
                    e.statement_bytes
                ).hex(),
                "signature": e.signature,
                "entry_bytes": e.raw.decode(),
                "entry_hash": e.hash,
                "leaf_hash": b64(merkle.leaf_hash(e.raw)),
            }
            for e in entries
        ],
        "roots": {str(n): b64(tree.root(n)) for n in range(1, size + 1)},
        "inclusion": [
            {"index": i, "size": n, "proof": [b64(h) for h in tree.inclusion_proof(i, n)]}
            for n in range(1, size + 1)
            for i in range(n)
        ],
        "consistency": [
            {"size1": m, "size2": n, "proof": [b64(h) for h in tree.consistency_proof(m, n)]}
            for n in range(1, size + 1)
            for m in range(1, n + 1)
        ],
        "checkpoints": {str(n): note for n, note in checkpoints.items()},
    }
    cases = [{"value": v, "canonical": canonical.canonical(v).decode()} for v in CANONICAL_CASES]
    return {
        "log.json": json.dumps(log, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
        "canonical.json": json.dumps(cases, ensure_ascii=False, indent=1) + "\n",
        "checkpoint.note": checkpoints[size],
        "signatures.json": json.dumps(signature_cases(), indent=1) + "\n",
    }


def main() -> int:
    files = build()
    if "--check" in sys.argv:
        stale = [name for name, text in files.items() if (HERE / name).read_text() != text]
        print("stale: " + ", ".join(stale) if stale else "vectors up to date")
        return 1 if stale else 0
    for name, text in files.items():
        (HERE / name).write_text(text)
        print(f"wrote {HERE / name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
