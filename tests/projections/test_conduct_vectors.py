"""The conduct test vectors (tests/vectors/draws.json, credentials.json), checked three ways.

1. The committed files are what ``tests/vectors/generate_conduct.py`` makes.
2. A second implementation, written here from docs/verification.md (§§1-5.3)
   with hashlib, ``cryptography`` and ``rfc8785`` only, never pingyi's code,
   recomputes every intermediate value and verdict from the JSON alone: pool
   digests, RFC 3797 key strings, seed checks, stratum keys, candidates, picks,
   results; entry hashes, chain, signatures, credential spending and
   reconciliation, inclusion proofs.
3. pingyi's own ``verify_reveal``, key registry and log verifier reach the
   expected verdicts, refusals and messages included.

(RFC 3797's own worked example is checked in test_draw.py.)
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import rfc8785
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from ledger.errors import EntryRejected
from ledger.registry import KeyRegistry
from projections.draw import DrawError, pool_digest, stratum_keys, verify_reveal
from projections.policy import default_policies
from tests.vectors import generate_conduct
from verifier.log import verify_log
from verifier.report import Report

VECTORS = Path(__file__).parents[1] / "vectors"
DRAWS: dict[str, Any] = json.loads((VECTORS / "draws.json").read_text())
CREDENTIALS: dict[str, Any] = json.loads((VECTORS / "credentials.json").read_text())
CASES: list[dict[str, Any]] = DRAWS["cases"]
REFUSED: list[dict[str, Any]] = CREDENTIALS["refused"]


def test_the_committed_vectors_are_what_the_generator_makes() -> None:
    for name, text in generate_conduct.build().items():
        assert (VECTORS / name).read_text() == text, (
            f"{name} is stale: run tests/vectors/generate_conduct.py"
        )


def test_the_vectors_cover_every_source_kind_and_refusal() -> None:
    kinds = {c["commit"]["source"]["kind"] for c in CASES if c["expected"]["verdict"] == "accepted"}
    assert kinds == {"rfc3797", "beacon", "seeds"}
    codes = {c["expected"].get("code") for c in CASES} - {None}
    assert codes == {"reveal-mismatch", "bad-randomness", "bad-pool", "quota-not-met"}
    rules = {r["expected"]["rule"] for r in REFUSED}
    assert {"spent", "unused-incomplete", "declared-unused", "wrong-group"} <= rules


# -- a second implementation of the draw (docs/verification.md §5.3) ------------------------

DRAW_PREFIX = b"pingyi/draw/v1\n"
NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?")
RANDOM_HEX = re.compile(r"(?:[0-9a-f]{2}){16,128}")


class Refused(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def members_of(case: Mapping[str, Any]) -> list[dict[str, Any]]:
    members: list[dict[str, Any]] = case.get("members", DRAWS["pool"]["members"])
    return members


def second_key_string(sources: Sequence[Sequence[str]]) -> str:
    out = ""
    for source in sources:
        numbers: list[tuple[Decimal, str]] = []
        texts: list[str] = []
        for value in source:
            if NUMBER.fullmatch(value):
                whole, _, fraction = value.partition(".")
                numbers.append(
                    (Decimal(value), f"{whole.lstrip('0') or '0'}.{fraction.rstrip('0')}")
                )
            else:
                letters = "".join(ch for ch in value if ch.isascii() and ch.isalnum())
                texts.append(letters.upper() + ".")
        if numbers and texts:
            raise Refused("bad-randomness")
        written = [w for _, w in sorted(numbers, key=lambda n: n[0])] + sorted(texts)
        out += "".join(written) + "/"
    return out


def second_draw(
    members: Sequence[Mapping[str, Any]],
    commit: Mapping[str, Any],
    reveal: Mapping[str, Any],
    units: Sequence[str],
) -> tuple[dict[str, Any], str | None]:
    """(the intermediate values, the refusal code or None) of §5.3, from the JSON alone."""
    out: dict[str, Any] = {}
    try:
        _second_draw(out, members, commit, reveal, units)
    except Refused as refused:
        return out, refused.code
    return out, None


def _second_draw(
    out: dict[str, Any],
    members: Sequence[Mapping[str, Any]],
    commit: Mapping[str, Any],
    reveal: Mapping[str, Any],
    units: Sequence[str],
) -> None:
    if (reveal["campaign"], reveal["draw"]) != (commit["campaign"], commit["draw"]):
        raise Refused("reveal-mismatch")
    # 1. the pool
    pool = sorted(
        (
            {
                "affiliation": m.get("affiliation"),
                "commitment": m["commitment"],
                "group": m["group"],
                "leader": m.get("leader", False),
                "pseudonym": m["pseudonym"],
            }
            for m in members
        ),
        key=lambda m: m["pseudonym"].encode("ascii"),
    )
    assert len({m["pseudonym"] for m in pool}) == len(pool)
    out["pool_canonical"] = rfc8785.dumps(pool).decode()
    out["pool_digest"] = hashlib.sha256(rfc8785.dumps(pool)).hexdigest()
    if out["pool_digest"] != commit["pool_digest"]:
        raise Refused("bad-pool")
    # 2. the values
    source, values = commit["source"], reveal["values"]
    kind = source["kind"]
    if kind == "rfc3797":
        if len(values) != source["sources"]:
            raise Refused("bad-randomness")
    elif kind == "beacon":
        if not isinstance(values, str) or not RANDOM_HEX.fullmatch(values):
            raise Refused("bad-randomness")
    else:
        commitments = source["commitments"]
        out["seed_checks"] = [
            {
                "seed": seed,
                "sha256": hashlib.sha256(bytes.fromhex(seed)).hexdigest(),
                "commitment": commitment,
                "matches": hashlib.sha256(bytes.fromhex(seed)).hexdigest() == commitment,
            }
            for seed, commitment in zip(values, commitments, strict=False)
        ]
        if len(values) != len(commitments) or not all(RANDOM_HEX.fullmatch(v) for v in values):
            raise Refused("bad-randomness")
        if not all(check["matches"] for check in out["seed_checks"]):
            raise Refused("bad-randomness")
    # 3. the stratum keys
    strata = commit["strata"]
    keys: dict[str, bytes] = {}
    if kind == "rfc3797":
        k = second_key_string(values)
        for s in strata:
            keys[s["name"]] = f"{k}{commit['campaign']}:{commit['draw']}:{s['name']}./".encode()
    else:
        for s in strata:
            document = {
                "campaign": commit["campaign"],
                "draw": commit["draw"],
                "kind": kind,
                "stratum": s["name"],
                "values": values,
            }
            keys[s["name"]] = DRAW_PREFIX + rfc8785.dumps(document)

    def h(data: bytes) -> Any:
        if kind == "rfc3797":
            return hashlib.md5(data, usedforsecurity=False)
        return hashlib.sha256(data)

    # 4. the selection
    excluded = set(commit.get("exclude_groups", []))
    skip_leaders = commit.get("exclude_leaders_of_evaluated_units", True)
    alternates = commit.get("alternates", 0)
    drawn_before: list[str] = []
    out["strata"] = []
    result: dict[str, dict[str, list[str]]] = {"selected": {}, "alternates": {}}
    for s in strata:
        in_groups = [m for m in pool if m["group"] in s["groups"]]
        left_out: dict[str, list[str]] = {
            "excluded_group": [m["pseudonym"] for m in in_groups if m["group"] in excluded],
            "leader_of_evaluated_unit": [],
            "drawn_by_earlier_stratum": [],
        }
        candidates = []
        for m in in_groups:
            if m["group"] in excluded:
                continue
            if skip_leaders and m["leader"] and m["affiliation"] in units:
                left_out["leader_of_evaluated_unit"].append(m["pseudonym"])
            elif m["pseudonym"] in drawn_before:
                left_out["drawn_by_earlier_stratum"].append(m["pseudonym"])
            else:
                candidates.append(m["pseudonym"])
        key = keys[s["name"]]
        record: dict[str, Any] = {
            "name": s["name"],
            "in_groups": len(in_groups),
            "left_out": left_out,
            "candidates": candidates,
            "eligible": len(candidates),
            "hash": "md5" if kind == "rfc3797" else "sha256",
            "key": key.decode("ascii"),
            "key_hex": key.hex(),
        }
        out["strata"].append(record)
        n = len(candidates)
        if n < s["count"] and not s.get("all_if_at_most", False):
            record["quota_met"] = False
            raise Refused("quota-not-met")
        picks = min(s["count"], n)
        extra = min(alternates, n - picks)
        remaining, steps = list(candidates), []
        for i in range(picks + extra):
            c = i.to_bytes(2, "big")
            d = h(c + key + c)
            j = int(d.hexdigest(), 16) % len(remaining)
            steps.append(
                {
                    "i": i,
                    "counter_hex": c.hex(),
                    "digest_hex": d.hexdigest(),
                    "remaining": len(remaining),
                    "position": j,
                    "pseudonym": remaining.pop(j),
                }
            )
        drawn = [step["pseudonym"] for step in steps]
        record |= {
            "quota_met": True,
            "picks": picks,
            "alternates_drawn": extra,
            "steps": steps,
            "rfc3797_positions": (
                [candidates.index(p) + 1 for p in drawn] if kind == "rfc3797" else None
            ),
            "selected": drawn[:picks],
            "alternates": drawn[picks:],
        }
        result["selected"][s["name"]] = drawn[:picks]
        result["alternates"][s["name"]] = drawn[picks:]
        drawn_before += drawn
    if kind == "rfc3797":
        out["key_string"] = second_key_string(values)
    out["result"] = result
    # 5. the stated result
    if reveal["selected"] != result["selected"] or reveal["alternates"] != result["alternates"]:
        raise Refused("reveal-mismatch")


def test_the_pool_digest_is_sha256_of_jcs_of_the_sorted_members() -> None:
    pool = DRAWS["pool"]
    out, _ = second_draw(pool["members"], CASES[0]["commit"], CASES[0]["reveal"], [])
    assert out["pool_canonical"] == pool["canonical"]
    assert out["pool_digest"] == pool["digest"] == CASES[0]["commit"]["pool_digest"]
    # the enrolled members list some defaults and omit others; the digest is over both alike
    assert any("leader" not in m for m in pool["members"])
    assert any(m.get("affiliation", 0) is None for m in pool["members"])


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_second_implementation_reproduces_every_draw_value(case: dict[str, Any]) -> None:
    out, refusal = second_draw(
        members_of(case), case["commit"], case["reveal"], case["evaluated_units"]
    )
    expected = case["expected"]
    assert refusal == expected.get("code"), refusal
    if "pool_digest" in case:
        assert (out["pool_canonical"], out["pool_digest"]) == (
            case["pool_canonical"],
            case["pool_digest"],
        )
    assert out.get("seed_checks") == case.get("seed_checks")
    assert out.get("key_string") == case.get("key_string")
    assert out.get("strata") == case.get("strata")
    if expected["verdict"] == "accepted":
        assert out["result"] == {
            "selected": expected["selected"],
            "alternates": expected["alternates"],
        }
        assert {s["name"]: s["eligible"] for s in out["strata"]} == expected["eligible"]


def test_the_rfc3797_case_is_plain_rfc3797_per_stratum() -> None:
    """Each stratum is an RFC 3797 selection from its candidates numbered 1..n."""
    case = next(c for c in CASES if c["name"] == "rfc3797")
    assert case["key_string"] == "3.9.17.22.30.41./3.58.42./DRAW.W41./"
    for stratum in case["strata"]:
        assert stratum["key"] == f"{case['key_string']}c2026:panel:{stratum['name']}./"
        remaining = list(range(1, stratum["eligible"] + 1))
        picked = []
        for step in stratum["steps"]:
            c = step["counter_hex"]
            digest = hashlib.md5(
                bytes.fromhex(c + stratum["key_hex"] + c), usedforsecurity=False
            ).digest()
            picked.append(remaining.pop(int.from_bytes(digest, "big") % len(remaining)))
        assert picked == stratum["rfc3797_positions"]
        names = [stratum["candidates"][p - 1] for p in picked]
        assert names == stratum["selected"] + stratum["alternates"]


# -- pingyi's own code on the draw vectors -------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_pingyi_verify_reveal_gives_the_expected_verdict(case: dict[str, Any]) -> None:
    members = members_of(case)
    expected = case["expected"]
    assert pool_digest(members) == case.get("pool_digest", DRAWS["pool"]["digest"])
    for stratum in case.get("strata", []):
        keys = stratum_keys(case["commit"], case["reveal"]["values"])
        assert keys[stratum["name"]].hex() == stratum["key_hex"]
    if expected["verdict"] == "accepted":
        result = verify_reveal(members, case["commit"], case["reveal"], case["evaluated_units"])
        assert result.as_payload() == {
            "selected": expected["selected"],
            "alternates": expected["alternates"],
        }
        assert result.eligible == expected["eligible"]
        return
    with pytest.raises(DrawError) as err:
        verify_reveal(members, case["commit"], case["reveal"], case["evaluated_units"])
    assert (type(err.value).__name__, err.value.code, str(err.value)) == (
        expected["error"],
        expected["code"],
        expected["message"],
    )


# -- ballot credentials: standard tools only ----------------------------------------------------

STATEMENT_PREFIX = b"pingyi/statement/v1\n"


def key_id(public: bytes) -> str:
    return hashlib.sha256(public).hexdigest()[:32]


def check_entry(item: Mapping[str, Any], index: int, prev: str, public: bytes) -> dict[str, Any]:
    """§§1-2 for one entry; returns its statement."""
    raw = item["entry_bytes"].encode()
    assert hashlib.sha256(raw).hexdigest() == item["entry_hash"]
    assert base64.b64decode(item["leaf_hash"]) == hashlib.sha256(b"\x00" + raw).digest()
    value = json.loads(raw)
    assert (value["index"], value["prev"], value["signature"]) == (index, prev, item["signature"])
    assert rfc8785.dumps(value) == raw
    statement_bytes = item["statement_canonical"].encode()
    assert rfc8785.dumps(value["statement"]) == statement_bytes
    message = STATEMENT_PREFIX + statement_bytes
    assert message.hex() == item["signed_message_hex"]
    Ed25519PublicKey.from_public_bytes(public).verify(base64.b64decode(item["signature"]), message)
    statement: dict[str, Any] = value["statement"]
    assert statement["signer"] == key_id(public)
    return statement


class Credentials:
    """§5.1 written out again: which keys exist, which credentials are spent or unused."""

    def __init__(self) -> None:
        self.public: dict[str, bytes] = {}
        self.credentials: dict[str, dict[str, Any]] = {}

    def signer_key(self, statement: Mapping[str, Any]) -> bytes:
        if statement["type"] == "genesis":
            return base64.b64decode(statement["payload"]["root_key"])
        return self.public[statement["signer"]]

    def refusal(self, statement: Mapping[str, Any]) -> str | None:
        """The §5.1 rule the statement breaks, or None."""
        type_, p, signer = statement["type"], statement["payload"], statement["signer"]
        if type_ == "credential.issue":
            kids = [key_id(base64.b64decode(k)) for k in p["keys"]]
            if len(set(kids)) != len(kids) or set(kids) & set(self.public):
                return "key-reused"
        elif type_ == "ballot.cast":
            credential = self.credentials.get(signer)
            if credential is None:
                return "not-a-credential"
            if credential["state"] != "issued":
                return credential["state"]  # "spent" or "declared-unused"
            if credential["scope"] != (p["campaign"], p["window"]):
                return "wrong-window"
            if credential["group"] != p.get("group"):
                return "wrong-group"
        elif type_ == "window.close":
            scope = (p["campaign"], p["window"])
            listed = p.get("unused", [])
            for kid in listed:
                credential = self.credentials.get(kid)
                if credential is None or credential["scope"] != scope or listed.count(kid) > 1:
                    return "not-a-credential"
                if credential["state"] != "issued":
                    return "unused-not-unspent"
            unspent = {
                kid
                for kid, c in self.credentials.items()
                if c["scope"] == scope and c["state"] == "issued"
            }
            if unspent - set(listed):
                return "unused-incomplete"
        return None

    def apply(self, statement: Mapping[str, Any], index: int) -> None:
        type_, p = statement["type"], statement["payload"]
        if type_ == "genesis":
            root = base64.b64decode(p["root_key"])
            self.public[key_id(root)] = root
        elif type_ == "key.register":
            key = base64.b64decode(p["key"])
            self.public[key_id(key)] = key
        elif type_ == "credential.issue":
            for text in p["keys"]:
                key = base64.b64decode(text)
                self.public[key_id(key)] = key
                self.credentials[key_id(key)] = {
                    "scope": (p["campaign"], p["window"]),
                    "group": p.get("group"),
                    "issued_at": index,
                    "state": "issued",
                }
        elif type_ == "ballot.cast":
            credential = self.credentials[statement["signer"]]
            credential |= {"state": "spent", "spent_at": index}
        elif type_ == "window.close":
            for kid in p.get("unused", []):
                self.credentials[kid] |= {"state": "declared-unused", "unused_at": index}


def replay(entries: Sequence[Mapping[str, Any]]) -> Credentials:
    state, prev = Credentials(), "0" * 64
    for item in entries:
        statement = json.loads(item["statement_canonical"])
        public = state.signer_key(statement)
        statement = check_entry(item, item["index"], prev, public)
        assert state.refusal(statement) is None
        assert item["expected"] == {"verdict": "accepted"}
        state.apply(statement, item["index"])
        prev = item["entry_hash"]
    return state


def mth(leaves: Sequence[bytes]) -> bytes:
    """RFC 9162 §2.1.1 Merkle tree hash of leaf hashes."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = 1 << ((len(leaves) - 1).bit_length() - 1)
    return hashlib.sha256(b"\x01" + mth(leaves[:k]) + mth(leaves[k:])).digest()


def root_from_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes]) -> bytes:
    """RFC 9162 §2.1.3.2."""
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        assert sn != 0
        if fn & 1 or fn == sn:
            r = hashlib.sha256(b"\x01" + p + r).digest()
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = hashlib.sha256(b"\x01" + r + p).digest()
        fn, sn = fn >> 1, sn >> 1
    assert sn == 0
    return r


def test_the_test_keys_come_from_their_labelled_seeds() -> None:
    for name, key in CREDENTIALS["keys"].items():
        assert "TEST" in key["seed_utf8"]
        private = Ed25519PrivateKey.from_private_bytes(
            hashlib.sha256(key["seed_utf8"].encode()).digest()
        )
        public = private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        assert base64.b64encode(public).decode() == key["public_key"], name
        assert key_id(public) == key["key_id"], name


def test_credential_log_verifies_with_standard_tools() -> None:
    entries = CREDENTIALS["entries"]
    state = replay(entries)
    issued = {kid: c for kid, c in state.credentials.items()}
    summary = {
        kid: {
            "name": CREDENTIALS["credentials"][kid]["name"],
            "issued_at": c["issued_at"],
            "group": c["group"],
            "spent_at": c.get("spent_at"),
            "declared_unused_at": c.get("unused_at"),
        }
        for kid, c in issued.items()
    }
    assert summary == CREDENTIALS["credentials"]
    spent = [c for c in issued.values() if c["state"] == "spent"]
    unused = [c for c in issued.values() if c["state"] == "declared-unused"]
    assert len(issued) == len(spent) + len(unused)  # issued = cast + unused
    assert CREDENTIALS["reconciliation"] == {
        "issued": len(issued),
        "cast": len(spent),
        "unused": len(unused),
    }
    # a ballot is signed by its credential: the key issued in credential.issue, nothing else
    for item in entries:
        statement = json.loads(item["statement_canonical"])
        if statement["type"] == "ballot.cast":
            assert statement["signer"] in issued
            assert item["signer_name"].startswith("credential ")


def test_checkpoint_and_voter_receipts_with_standard_tools() -> None:
    leaves = [base64.b64decode(e["leaf_hash"]) for e in CREDENTIALS["entries"]]
    root = mth(leaves)
    body, signature_line = CREDENTIALS["checkpoint"].split("\n\n")
    assert body + "\n" == (
        f"{CREDENTIALS['origin']}\n{len(leaves)}\n{base64.b64encode(root).decode()}\n"
    )
    name, key_hex, key_b64 = CREDENTIALS["log_verifier_key"].split("+", 2)
    public = base64.b64decode(key_b64)
    dash, signer_name, blob = signature_line.rstrip("\n").split(" ")
    assert (dash, signer_name) == ("—", name)
    raw = base64.b64decode(blob)
    assert (
        raw[:4].hex()
        == key_hex
        == hashlib.sha256(name.encode() + b"\n" + public).digest()[:4].hex()
    )
    Ed25519PublicKey.from_public_bytes(public[1:]).verify(raw[4:], (body + "\n").encode())
    assert len(CREDENTIALS["receipts"]) == 2
    for receipt in CREDENTIALS["receipts"]:
        item = CREDENTIALS["entries"][receipt["index"]]
        assert json.loads(item["statement_canonical"])["signer"] == receipt["credential"]
        proof = [base64.b64decode(h) for h in receipt["inclusion_proof"]]
        leaf = leaves[receipt["index"]]
        assert root_from_inclusion(receipt["index"], receipt["size"], leaf, proof) == root
        assert base64.b64decode(receipt["root"]) == root


@pytest.mark.parametrize("item", REFUSED, ids=[r["name"] for r in REFUSED])
def test_second_implementation_refuses_each_statement(item: dict[str, Any]) -> None:
    at = item["at"]
    state = replay(CREDENTIALS["entries"][:at])
    statement = json.loads(item["statement_canonical"])
    # validly signed and linked: what is refused is the credential rule, not the bytes
    check_entry(item, at, CREDENTIALS["entries"][at - 1]["entry_hash"], state.signer_key(statement))
    assert state.refusal(statement) == item["expected"]["rule"]
    assert item["expected"]["verdict"] == "refused"


# -- pingyi's own code on the credential vectors ---------------------------------------------------


def entry_bytes(items: Sequence[Mapping[str, Any]]) -> list[bytes]:
    return [i["entry_bytes"].encode() for i in items]


def test_pingyi_verifies_the_credential_log() -> None:
    report = Report("credential vectors")
    verify_log(
        entry_bytes(CREDENTIALS["entries"]),
        [CREDENTIALS["checkpoint"]],
        report=report,
        policies=default_policies(),
        workers=1,
        origin=CREDENTIALS["origin"],
        log_key=CREDENTIALS["log_verifier_key"],
    )
    assert report.ok, report.failures
    assert report.counts["signatures"] == len(CREDENTIALS["entries"])
    assert report.counts["checkpoints"] == 1


@pytest.mark.parametrize("item", REFUSED, ids=[r["name"] for r in REFUSED])
def test_pingyi_refuses_each_statement(item: dict[str, Any]) -> None:
    at, expected = item["at"], item["expected"]
    accepted = CREDENTIALS["entries"][:at]
    report = Report(item["name"])
    verify_log(
        [*entry_bytes(accepted), item["entry_bytes"].encode()],
        [],
        report=report,
        policies=default_policies(),
        workers=1,
    )
    assert [(f.index, f.check, f.message) for f in report.failures] == [
        (at, expected["check"], expected["message"])
    ]
    # the rule lives in the key registry, so every verifier and the append path share it
    registry = KeyRegistry()
    for e in accepted:
        s = json.loads(e["statement_canonical"])
        registry.apply(s["type"], s["payload"], e["index"], s["signer"])
    s = json.loads(item["statement_canonical"])
    with pytest.raises(EntryRejected) as err:
        registry.authorize(s["type"], s["signer"], s["payload"], at)
    assert str(err.value) == expected["message"]
