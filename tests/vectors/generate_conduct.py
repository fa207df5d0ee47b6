"""Regenerate the conduct test vectors: draws (draws.json) and ballot credentials (credentials.json).

    python tests/vectors/generate_conduct.py            # rewrite the files
    python tests/vectors/generate_conduct.py --check    # exit 1 if the files differ

Everything is deterministic: TEST keys from published seeds (never use them for
anything real), fixed ids and times, pseudonyms and random values derived from
labelled TEST strings, and Ed25519 signatures are deterministic. The results and
the refusals are what pingyi's own code gives (``projections.draw``,
``ledger.registry``, ``verifier.log``); the step-by-step values (candidates,
counters, digests, positions) are computed here with hashlib as
docs/verification.md §5.3 describes, and checked against pingyi's result before
anything is written. A second implementation compares its own values with them.
"""

from __future__ import annotations

import base64
import hashlib
import json
import sys
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ledger import canonical, merkle
from ledger.entry import Entry, Submission, new_statement
from ledger.keys import Signer
from ledger.note import Checkpoint, NoteSigner
from ledger.payloads.draw import DrawCommit, DrawReveal
from projections.draw import (
    DrawError,
    RandomnessError,
    key_string,
    pool_digest,
    run_draw,
    stratum_keys,
)
from projections.draw import verify_reveal as pingyi_verify_reveal
from projections.policy import default_policies
from projections.presets import load_preset
from projections.rulebook import revise, rulebook_document, rulebook_hash
from verifier.log import verify_log
from verifier.report import Report

HERE = Path(__file__).parent
TIME = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)

# -- draws ------------------------------------------------------------------------------------

CAMPAIGN = "c2026"
POOL = "p2026"
EVALUATED_UNITS = ["TW01", "TW02", "TW03"]


def pseudonym(label: str) -> str:
    return "P" + hashlib.sha256(f"pingyi TEST pool member: {label}".encode()).hexdigest()[:20]


def enrolled_members() -> list[dict[str, Any]]:
    """20 pool members as ``pool.enroll`` entries hold them (enrolment order, defaults
    sometimes spelled out, sometimes omitted: the pool digest is the same either way)."""

    def m(label: str, group: str, **extra: Any) -> dict[str, Any]:
        commitment = hashlib.sha256(f"pingyi TEST salted commitment: {label}".encode())
        return {"pseudonym": pseudonym(label), "group": group, **extra} | {
            "commitment": commitment.hexdigest()
        }

    return [
        m("deputy 1", "npc_deputy", affiliation="TW01", leader=True),  # leads an evaluated unit
        m("deputy 2", "npc_deputy", affiliation="XU09", leader=True),  # leads an unevaluated unit
        m("deputy 3", "npc_deputy", affiliation="TW02", leader=False),  # not a leader
        m("deputy 4", "npc_deputy"),
        m("deputy 5", "npc_deputy", affiliation=None, leader=False),
        m("member 1", "cppcc_member", affiliation="TW02", leader=True),  # leads an evaluated unit
        m("member 2", "cppcc_member"),
        m("member 3", "cppcc_member", affiliation="TW03"),
        m("member 4", "cppcc_member", leader=False),
        *(m(f"recipient {n}", "service_recipient") for n in range(1, 5)),
        *(m(f"recipient {n}", "service_recipient", affiliation=None) for n in range(5, 9)),
        *(m(f"staff {n}", "office_staff", affiliation="OFFICE") for n in range(1, 4)),
    ]


STRATA: list[dict[str, Any]] = [
    {"name": "deputies", "groups": ["npc_deputy", "cppcc_member"], "count": 3},
    {
        "name": "recipients",
        "groups": ["service_recipient", "office_staff"],
        "count": 10,
        "all_if_at_most": True,
    },
    {"name": "reserve", "groups": ["cppcc_member", "npc_deputy"], "count": 1},
]

RFC3797_SOURCE = {
    "kind": "rfc3797",
    "description": "TEST: the two lottery draws of 1 March, and the league match score of 2 March",
    "sources": 3,
}
#: Numbers with leading zeroes, a fraction, unsorted; a text source (pingyi's rule).
RFC3797_VALUES = [["17", "03", "41", "9", "22", "30"], ["0042", "3.50", "8"], ["W 4-1", "draw"]]
BEACON_SOURCE = {
    "kind": "beacon",
    "description": "TEST: a public randomness beacon, round 4242",
    "beacon": "drand-quicknet",
    "round": 4242,
}
BEACON_OUTPUT = hashlib.sha256(b"pingyi TEST beacon output, round 4242").hexdigest()
SEEDS = [
    b"pingyi TEST seed of the office",
    b"pingyi TEST seed of the inspector",
    b"pingyi TEST seed of a deputy",
]
SEEDS_SOURCE = {
    "kind": "seeds",
    "description": "TEST: seeds of the office, the discipline inspector and a deputy",
    "commitments": [hashlib.sha256(s).hexdigest() for s in SEEDS],
}


def draw_commit(draw: str, source: Mapping[str, Any], **changes: Any) -> dict[str, Any]:
    return {
        "campaign": CAMPAIGN,
        "draw": draw,
        "pool": POOL,
        "pool_digest": pool_digest(enrolled_members()),
        "strata": STRATA,
        "exclude_groups": ["office_staff"],
        "exclude_leaders_of_evaluated_units": True,
        "alternates": 2,
        "source": dict(source),
        **changes,
    }


def normalized(members: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """§5.3 step 1: defaults filled in, members sorted by pseudonym."""
    out = [
        {
            "affiliation": m.get("affiliation"),
            "commitment": m["commitment"],
            "group": m["group"],
            "leader": m.get("leader", False),
            "pseudonym": m["pseudonym"],
        }
        for m in members
    ]
    return sorted(out, key=lambda m: m["pseudonym"])


def trace(
    members: Sequence[Mapping[str, Any]],
    commit: Mapping[str, Any],
    values: Any,
    units: Sequence[str],
) -> list[dict[str, Any]]:
    """Each stratum's candidates, key and picks, as §5.3 computes them (up to a quota failure)."""
    parsed = DrawCommit.model_validate(commit)
    keys = stratum_keys(commit, values)
    md5 = parsed.source.kind == "rfc3797"
    people = normalized(members)
    excluded_groups = set(parsed.exclude_groups)
    taken: list[str] = []
    strata: list[dict[str, Any]] = []
    for stratum in parsed.strata:
        in_groups = [p for p in people if p["group"] in stratum.groups]
        left_out: dict[str, list[str]] = {
            "excluded_group": [],
            "leader_of_evaluated_unit": [],
            "drawn_by_earlier_stratum": [],
        }
        candidates = []
        for p in in_groups:
            if p["group"] in excluded_groups:
                left_out["excluded_group"].append(p["pseudonym"])
            elif (
                parsed.exclude_leaders_of_evaluated_units
                and p["leader"]
                and p["affiliation"] in units
            ):
                left_out["leader_of_evaluated_unit"].append(p["pseudonym"])
            elif p["pseudonym"] in taken:
                left_out["drawn_by_earlier_stratum"].append(p["pseudonym"])
            else:
                candidates.append(p["pseudonym"])
        key = keys[stratum.name]
        record: dict[str, Any] = {
            "name": stratum.name,
            "in_groups": len(in_groups),
            "left_out": left_out,
            "candidates": candidates,
            "eligible": len(candidates),
            "hash": "md5" if md5 else "sha256",
            "key": key.decode("ascii"),
            "key_hex": key.hex(),
        }
        strata.append(record)
        if len(candidates) < stratum.count and not stratum.all_if_at_most:
            record["quota_met"] = False
            break
        picks = min(stratum.count, len(candidates))
        extra = min(parsed.alternates, len(candidates) - picks)
        remaining = list(candidates)
        steps = []
        for i in range(picks + extra):
            counter = i.to_bytes(2, "big")
            data = counter + key + counter
            digest = hashlib.md5(data, usedforsecurity=False) if md5 else hashlib.sha256(data)
            value = int.from_bytes(digest.digest(), "big")
            position = value % len(remaining)
            steps.append(
                {
                    "i": i,
                    "counter_hex": counter.hex(),
                    "digest_hex": digest.hexdigest(),
                    "remaining": len(remaining),
                    "position": position,
                    "pseudonym": remaining.pop(position),
                }
            )
        drawn = [s["pseudonym"] for s in steps]
        record |= {
            "quota_met": True,
            "picks": picks,
            "alternates_drawn": extra,
            "steps": steps,
            "rfc3797_positions": [candidates.index(p) + 1 for p in drawn] if md5 else None,
            "selected": drawn[:picks],
            "alternates": drawn[picks:],
        }
        taken += drawn
    return strata


def draw_case(
    name: str,
    description: str,
    commit: dict[str, Any],
    values: Any,
    *,
    members: list[dict[str, Any]] | None = None,
    stated: Any = None,
) -> dict[str, Any]:
    """One case; ``stated(result payload) -> payload`` alters the reveal's stated result."""
    DrawCommit.model_validate(commit)
    case: dict[str, Any] = {
        "name": name,
        "description": description,
        "evaluated_units": EVALUATED_UNITS,
    }
    if members is None:
        members = enrolled_members()
    else:  # not the pool at the top of the file
        case |= {
            "members": members,
            "pool_canonical": canonical.canonical(normalized(members)).decode(),
            "pool_digest": pool_digest(members),
        }
    case["commit"] = commit
    try:
        result = run_draw(members, commit, values, EVALUATED_UNITS)
        outcome = result.as_payload()
    except DrawError:
        result, outcome = None, {"selected": {}, "alternates": {}}
    reveal = {"campaign": commit["campaign"], "draw": commit["draw"], "values": values}
    reveal |= stated(outcome) if stated else outcome
    DrawReveal.model_validate(reveal)
    case["reveal"] = reveal
    kind = commit["source"]["kind"]
    if kind == "seeds":
        case["seed_checks"] = [
            {
                "seed": seed,
                "sha256": hashlib.sha256(bytes.fromhex(seed)).hexdigest(),
                "commitment": commitment,
                "matches": hashlib.sha256(bytes.fromhex(seed)).hexdigest() == commitment,
            }
            for seed, commitment in zip(values, commit["source"]["commitments"], strict=False)
        ]
    if pool_digest(members) == commit["pool_digest"]:
        try:
            case["strata"] = trace(members, commit, values, EVALUATED_UNITS)
        except RandomnessError:
            pass  # values that do not fit the source: no keys, no draw
        else:
            if kind == "rfc3797":
                case["key_string"] = key_string(values)
    try:
        checked = pingyi_verify_reveal(members, commit, reveal, EVALUATED_UNITS)
    except DrawError as err:
        case["expected"] = {
            "verdict": "refused",
            "error": type(err).__name__,
            "code": err.code,
            "message": str(err),
        }
    else:
        assert result is not None and checked == result
        case["expected"] = {
            "verdict": "accepted",
            "selected": reveal["selected"],
            "alternates": reveal["alternates"],
            "eligible": dict(result.eligible),
        }
    if result is not None:
        # the step-by-step values written here are pingyi's draw, stratum by stratum
        for record in case["strata"]:
            assert record["selected"] == list(result.selected[record["name"]])
            assert record["alternates"] == list(result.alternates[record["name"]])
            assert record["eligible"] == result.eligible[record["name"]]
            assert record["key"] == result.keys[record["name"]]
    return case


def swap_selected_and_alternate(outcome: dict[str, Any]) -> dict[str, Any]:
    selected = {k: list(v) for k, v in outcome["selected"].items()}
    alternates = {k: list(v) for k, v in outcome["alternates"].items()}
    selected["deputies"][2], alternates["deputies"][0] = (
        alternates["deputies"][0],
        selected["deputies"][2],
    )
    return {"selected": selected, "alternates": alternates}


def draws() -> dict[str, Any]:
    seeds = [s.hex() for s in SEEDS]
    other_pool = enrolled_members()
    other_pool[6] = other_pool[6] | {"group": "npc_deputy"}  # member 2 listed as a deputy
    short_quota = [dict(STRATA[0], count=8), *STRATA[1:]]
    cases = [
        draw_case(
            "rfc3797",
            "Public numbers (RFC 3797): three sources, one with leading zeroes, one with a "
            "fraction, one a text (pingyi's text rule); a quota stratum with alternates, an "
            "all-if-at-most stratum with an excluded group, and a stratum after them with "
            "fewer alternates than asked.",
            draw_commit("panel", RFC3797_SOURCE),
            RFC3797_VALUES,
        ),
        draw_case(
            "beacon",
            "One round of a public randomness beacon (its output, hex).",
            draw_commit("assembly", BEACON_SOURCE),
            BEACON_OUTPUT,
        ),
        draw_case(
            "seeds",
            "Seeds of three parties, each committed as SHA-256 of the seed's bytes.",
            draw_commit("survey-sample", SEEDS_SOURCE),
            seeds,
        ),
        draw_case(
            "refused: stated result differs from the re-run",
            "The reveal's values are right but it states the first alternate of 'deputies' "
            "as its third selected member and the third selected as the first alternate.",
            draw_commit("panel", RFC3797_SOURCE),
            RFC3797_VALUES,
            stated=swap_selected_and_alternate,
        ),
        draw_case(
            "refused: a seed does not match its commitment",
            "The inspector's seed is revealed with its last byte changed.",
            draw_commit("survey-sample", SEEDS_SOURCE),
            [seeds[0], seeds[1][:-2] + "21", seeds[2]],
        ),
        draw_case(
            "refused: seeds revealed out of order",
            "The right seeds, the first two swapped: seeds are checked in committed order.",
            draw_commit("survey-sample", SEEDS_SOURCE),
            [seeds[1], seeds[0], seeds[2]],
        ),
        draw_case(
            "refused: fewer sources of public numbers than committed",
            "The commit announced three sources; the reveal gives two.",
            draw_commit("panel", RFC3797_SOURCE),
            RFC3797_VALUES[:2],
        ),
        draw_case(
            "refused: not the committed pool",
            "The draw is re-run with a pool in which one member's group differs from the "
            "frozen pool the commit names (its digest differs).",
            draw_commit("assembly", BEACON_SOURCE),
            BEACON_OUTPUT,
            members=other_pool,
        ),
        draw_case(
            "refused: a quota cannot be met",
            "'deputies' asks for 8 without all_if_at_most, but only 7 are eligible once the "
            "leaders of evaluated units are left out.",
            draw_commit("assembly", BEACON_SOURCE, strata=short_quota),
            BEACON_OUTPUT,
        ),
    ]
    return {
        "about": (
            "pingyi draw test vectors (TEST data). pool is the frozen pool as its pool.enroll "
            "entries list the members (canonical: the JCS text its digest hashes). For each "
            "case: re-run the draw from the members (the case's own members if it has them, "
            "else pool.members), commit, reveal.values and evaluated_units as "
            "docs/verification.md §5.3 describes, compare pool.canonical and pool.digest (or "
            "the case's pool_canonical and pool_digest), key_string, seed_checks and, per "
            "stratum, candidates, key (ASCII; key_hex is its bytes), steps (digest_hex = "
            "H(counter || key || counter), H = MD5 for rfc3797 and SHA-256 otherwise; "
            "position = the digest as a big-endian unsigned integer modulo remaining, 0-based "
            "in the remaining list) and the result; then check the reveal's stated selected "
            "and alternates: expected.verdict says whether the reveal is accepted, and for a "
            "refusal expected.code says why (bad-randomness, bad-pool, quota-not-met, "
            "reveal-mismatch) and expected.message is pingyi's message."
        ),
        "generator": "tests/vectors/generate_conduct.py",
        "pool": {
            "campaign": CAMPAIGN,
            "pool": POOL,
            "members": enrolled_members(),
            "canonical": canonical.canonical(normalized(enrolled_members())).decode(),
            "digest": pool_digest(enrolled_members()),
        },
        "cases": cases,
    }


# -- ballot credentials -------------------------------------------------------------------------

ORIGIN = "vectors.pingyi.example/credentials"
STAFF_SEEDS = {
    "root": b"pingyi TEST vector key: office root",
    "log": b"pingyi TEST vector key: log checkpoints",
    "office": b"pingyi TEST vector key: office staff",
}
CREDENTIAL_SEEDS = {
    f"credential {n}": f"pingyi TEST vector key: ballot credential {n}".encode()
    for n in range(1, 6)
}
WINDOW = {"campaign": CAMPAIGN, "window": "social-review"}
RATINGS = {"K01": "very_satisfied", "K02": "satisfied", "K03": "dont_know"}


def credential_rulebook() -> dict[str, Any]:
    rulebook = revise(
        load_preset("001"),
        {
            "units": [
                {
                    "code": f"K0{n}",
                    "name": {"zh": f"测试科室0{n}", "en": f"TEST section 0{n}"},
                    "category": "bureau",
                }
                for n in range(1, 4)
            ]
        },
    )
    return {
        "campaign": CAMPAIGN,
        "rulebook": rulebook_document(rulebook),
        "hash": rulebook_hash(rulebook),
        "reason": "TEST: preset 001 with three TEST units",
    }


def credentials() -> dict[str, Any]:
    seeds = STAFF_SEEDS | CREDENTIAL_SEEDS
    k = {name: Signer.from_seed(seed) for name, seed in seeds.items()}
    names = {s.key_id: name for name, s in k.items()}
    log_signer = NoteSigner(ORIGIN, k["log"].private_key)

    def sub(label: str, signer: str, type_: str, payload: dict[str, Any]) -> Submission:
        digest = hashlib.sha256(f"credential vector entry: {label}".encode()).hexdigest()
        statement = new_statement(
            log=ORIGIN,
            type=type_,
            payload=payload,
            signer=k[signer].key_id,
            time=TIME,
            id=str(uuid.UUID(digest[:32])),
        )
        return Submission.sign(k[signer], statement)

    def ballot(group: str) -> dict[str, Any]:
        return WINDOW | {"component": "social", "group": group, "ratings": RATINGS}

    def issue(group: str, *who: str) -> dict[str, Any]:
        return WINDOW | {"group": group, "keys": [k[w].public_b64 for w in who]}

    def close(*who: str) -> dict[str, Any]:
        return WINDOW | {"unused": [k[w].key_id for w in who]}

    c = [f"credential {n}" for n in range(1, 6)]
    accepted = [
        (
            "genesis",
            "root",
            "genesis",
            {
                "deployment": "TEST credential vectors",
                "root_key": k["root"].public_b64,
                "log_key": log_signer.verifier_key,
            },
        ),
        (
            "office key",
            "root",
            "key.register",
            {
                "key": k["office"].public_b64,
                "holder": "office (TEST)",
                "roles": ["registrar", "office"],
            },
        ),
        ("rulebook", "office", "rulebook.adopt", credential_rulebook()),
        ("open", "office", "campaign.open", {"campaign": CAMPAIGN, "title": "2026 测评 TEST"}),
        (
            "window",
            "office",
            "window.open",
            WINDOW | {"component": "social", "mode": "credential", "title": "社会测评 TEST"},
        ),
        ("issue recipients", "office", "credential.issue", issue("recipients", *c[0:3])),
        ("issue representatives", "office", "credential.issue", issue("representatives", c[3])),
        ("ballot 1", c[0], "ballot.cast", ballot("recipients")),
        ("ballot 4", c[3], "ballot.cast", ballot("representatives")),
        ("close", "office", "window.close", close(c[1], c[2])),
    ]
    subs = [sub(label, signer, t, p) for label, signer, t, p in accepted]
    entries: list[Entry] = []
    head = canonical.GENESIS_PREV
    for i, s in enumerate(subs):
        entries.append(Entry.sequence(s, i, head))
        head = entries[-1].hash
    tree = merkle.MerkleTree(merkle.leaf_hash(e.raw) for e in entries)
    size = tree.size
    note = log_signer.sign(Checkpoint(ORIGIN, size, tree.root(size)).body())
    report = Report("credential vectors")
    verify_log(
        [e.raw for e in entries],
        [note],
        report=report,
        policies=default_policies(),
        workers=1,
    )
    assert report.ok, report.failures

    # (label, index tried at, signer, type, payload, rule, what it shows)
    refused_specs = [
        (
            "second ballot with credential 1",
            9,
            c[0],
            "ballot.cast",
            ballot("recipients"),
            "spent",
            "credential 1 was spent by entry 7: a second ballot signed with it is refused",
        ),
        (
            "ballot claiming another voter group",
            9,
            c[1],
            "ballot.cast",
            ballot("representatives"),
            "wrong-group",
            "credential 2 was issued to group 'recipients'; its ballot says 'representatives'",
        ),
        (
            "ballot signed by a staff key",
            9,
            "office",
            "ballot.cast",
            ballot("recipients"),
            "not-a-credential",
            "only a ballot credential (role voter) signs a ballot; no staff key can",
        ),
        (
            "credential issued twice",
            9,
            "office",
            "credential.issue",
            issue("recipients", c[4], c[0]),
            "key-reused",
            "credential 1's key is already issued: every credential must be a fresh key",
        ),
        (
            "close omitting an unused credential",
            9,
            "office",
            "window.close",
            close(c[1]),
            "unused-incomplete",
            "credential 3 is neither spent nor listed: issued = cast + unused would not hold",
        ),
        (
            "close listing a spent credential as unused",
            9,
            "office",
            "window.close",
            close(c[0], c[1], c[2]),
            "unused-not-unspent",
            "credential 1 was spent at entry 7, so it cannot be declared unused",
        ),
        (
            "ballot after the window closed",
            10,
            c[2],
            "ballot.cast",
            ballot("recipients"),
            "declared-unused",
            "credential 3 was declared unused by window.close (entry 9): it can no longer vote",
        ),
    ]
    refused = []
    for label, at, signer, type_, payload, rule, what in refused_specs:
        s = sub(label, signer, type_, payload)
        entry = Entry.sequence(s, at, entries[at - 1].hash)
        report = Report(label)
        verify_log(
            [e.raw for e in entries[:at]] + [entry.raw],
            [],
            report=report,
            policies=default_policies(),
            workers=1,
        )
        assert len(report.failures) == 1, (label, report.failures)
        failure = report.failures[0]
        assert failure.index == at, (label, failure)
        refused.append(
            {
                "name": label,
                "explanation": what,
                "at": at,
                "signer_name": signer,
                "type": type_,
                **_entry_record(entry),
                "expected": {
                    "verdict": "refused",
                    "check": failure.check,
                    "rule": rule,
                    "message": failure.message,
                },
            }
        )

    issued = {
        k[w].key_id: (i, str(e.payload["group"]))
        for i, e in enumerate(entries)
        if e.type == "credential.issue"
        for w in c
        if k[w].public_b64 in e.payload["keys"]
    }
    spent = {e.signer: e.index for e in entries if e.type == "ballot.cast"}
    unused = {
        kid: e.index for e in entries if e.type == "window.close" for kid in e.payload["unused"]
    }
    return {
        "about": (
            "pingyi ballot credential test vectors (TEST keys: never use them for anything "
            "real). entries is a complete log (docs/verification.md §§1-7, §5.1) every entry "
            "of which is accepted; checkpoint is its signed checkpoint. Each item of refused "
            "is a validly signed statement sequenced as entry `at` after entries[0..at-1]; "
            "verification must refuse it with expected.check (the credential rules are part "
            "of the key registry, so the check is 'authority'); expected.rule names the "
            "rule of §5.1 it breaks (spent, wrong-group, not-a-credential, key-reused, "
            "unused-incomplete, unused-not-unspent, declared-unused) and expected.message "
            "is pingyi's message. credentials says, per credential key id, where it was "
            "issued, spent or declared unused; receipts are each voter's inclusion proof."
        ),
        "generator": "tests/vectors/generate_conduct.py",
        "origin": ORIGIN,
        "time": TIME.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "keys": {
            name: {
                "seed_utf8": seeds[name].decode(),
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
                "type": e.type,
                "signer_name": names[e.signer],
                **_entry_record(e),
                "expected": {"verdict": "accepted"},
            }
            for e in entries
        ],
        "checkpoint": note,
        "refused": refused,
        "credentials": {
            kid: {
                "name": names[kid],
                "issued_at": at,
                "group": group,
                "spent_at": spent.get(kid),
                "declared_unused_at": unused.get(kid),
            }
            for kid, (at, group) in issued.items()
        },
        "reconciliation": {"issued": len(issued), "cast": len(spent), "unused": len(unused)},
        "receipts": [
            {
                "index": e.index,
                "credential": e.signer,
                "size": size,
                "root": _b64(tree.root(size)),
                "inclusion_proof": [_b64(h) for h in tree.inclusion_proof(e.index, size)],
            }
            for e in entries
            if e.type == "ballot.cast"
        ],
    }


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _entry_record(e: Entry) -> dict[str, Any]:
    return {
        "statement_canonical": e.statement_bytes.decode(),
        "signed_message_hex": canonical.statement_message_from_bytes(e.statement_bytes).hex(),
        "signature": e.signature,
        "entry_bytes": e.raw.decode(),
        "entry_hash": e.hash,
        "leaf_hash": _b64(merkle.leaf_hash(e.raw)),
    }


# -- files ---------------------------------------------------------------------------------------


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=1) + "\n"


def build() -> dict[str, str]:
    return {"draws.json": _json(draws()), "credentials.json": _json(credentials())}


def main() -> int:
    files = build()
    if "--check" in sys.argv:
        stale = [
            name
            for name, text in files.items()
            if not (HERE / name).exists() or (HERE / name).read_text() != text
        ]
        print("stale: " + ", ".join(stale) if stale else "vectors up to date")
        return 1 if stale else 0
    for name, text in files.items():
        (HERE / name).write_text(text)
        print(f"wrote {HERE / name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
