"""Benchmark: re-running an evaluator draw as a verifier does (target: under 100 ms).

The draw: seed 000's assembly, 250 of an 800-member pool in two strata (125
enterprise heads and owners, 125 others) with 30 ordered alternates each, 116
evaluated units whose leaders are excluded. Timed, each the median of
``--reps`` runs (min–max beside it):

- ``verify_reveal``: what the log's policy and an offline verifier run on a
  ``draw.reveal``: validate the commit and reveal payloads, check the pool
  against the committed digest, check the values, re-run the draw and compare
  it with the stated result; once per randomness source (RFC 3797 public
  numbers, a beacon output, two committed seeds);
- ``run_draw`` alone (no reveal to validate or compare);
- the parts, as baselines measured in the same run: ``pool_digest`` of the 800
  members (canonical JSON + SHA-256), and the bare RFC 3797 selection of 310
  positions from 800 (``rfc3797_select``, MD5 only).

The pool is fixture data from a seeded ``random.Random``; the draw uses none.

    .venv/bin/python benchmarks/bench_draw.py            # 200 repetitions (a few seconds)
    .venv/bin/python benchmarks/bench_draw.py --quick    # smoke run
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
from collections.abc import Callable
from datetime import date
from typing import Any

from common import machine, median, table, timed

from projections.draw import pool_digest, rfc3797_select, run_draw, verify_reveal

GROUPS = {
    "enterprise_head": 190,
    "self_employed": 110,
    "npc_deputy": 90,
    "cppcc_member": 80,
    "party_delegate": 120,
    "party_committee": 60,
    "discipline_committee": 30,
    "unit_head": 120,
}
UNITS = [f"OT{n:03d}" for n in range(1, 117)]
PUBLIC_NUMBERS = [["9319"], ["2", "5", "12", "8", "10"], ["9", "18", "26", "34", "41", "45"]]
SEEDS = [b"BENCH office seed 0123456789", b"BENCH inspector seed 987654"]
BEACON_OUTPUT = hashlib.sha256(b"BENCH beacon round 1").hexdigest()


def pool(seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    members = []
    for group, size in GROUPS.items():
        for _ in range(size):
            leader = group == "unit_head" or rng.random() < 0.05
            affiliation = rng.choice(UNITS) if leader or rng.random() < 0.2 else None
            members.append(
                {
                    "pseudonym": f"P{rng.getrandbits(80):020x}",
                    "group": group,
                    "affiliation": affiliation,
                    "leader": leader,
                    "commitment": f"{rng.getrandbits(256):064x}",
                }
            )
    rng.shuffle(members)
    return members


def sources() -> dict[str, tuple[dict[str, Any], Any]]:
    return {
        "rfc3797 (MD5)": (
            {"kind": "rfc3797", "description": "three lotteries", "sources": 3},
            PUBLIC_NUMBERS,
        ),
        "beacon (SHA-256)": (
            {"kind": "beacon", "description": "BENCH beacon", "beacon": "bench", "round": 1},
            BEACON_OUTPUT,
        ),
        "seeds (SHA-256)": (
            {
                "kind": "seeds",
                "description": "office and inspector",
                "commitments": [hashlib.sha256(s).hexdigest() for s in SEEDS],
            },
            [s.hex() for s in SEEDS],
        ),
    }


def commit(members: list[dict[str, Any]], source: dict[str, Any]) -> dict[str, Any]:
    owners = ["enterprise_head", "self_employed"]
    others = [g for g in GROUPS if g not in owners]
    return {
        "campaign": "c2026",
        "draw": "assembly",
        "pool": "p2026",
        "pool_digest": pool_digest(members),
        "strata": [
            {"name": "owners", "groups": owners, "count": 125},
            {"name": "others", "groups": others, "count": 125},
        ],
        "alternates": 30,
        "source": source,
    }


def ms(values: list[float]) -> tuple[str, str]:
    scaled = [v * 1000 for v in values]
    return f"{median(scaled):.2f}", f"{min(scaled):.2f}–{max(scaled):.2f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=200, help="repetitions per measurement")
    parser.add_argument("--seed", type=int, default=2026, help="seed of the fixture pool")
    parser.add_argument("--quick", action="store_true", help="10 repetitions (a smoke run)")
    args = parser.parse_args()
    reps = 10 if args.quick else args.reps

    members = pool(args.seed)
    rows: list[list[object]] = []

    def measure(label: str, fn: Callable[[], object]) -> None:
        print(f"timing {label} ...", file=sys.stderr)
        fn()  # warm up (imports, regex compilation)
        runs = [timed(fn) for _ in range(reps)]
        rows.append([label, *ms(runs)])

    for name, (source, values) in sources().items():
        c = commit(members, source)
        result = run_draw(members, c, values, UNITS)
        reveal = {"campaign": "c2026", "draw": "assembly", "values": values}
        reveal |= result.as_payload()
        assert sum(map(len, result.selected.values())) == 250
        measure(
            f"**`verify_reveal`, {name}**",
            lambda c=c, reveal=reveal: verify_reveal(members, c, reveal, UNITS),
        )
        measure(
            f"`run_draw`, {name}", lambda c=c, values=values: run_draw(members, c, values, UNITS)
        )
    measure("baseline: `pool_digest` of 800 members", lambda: pool_digest(members))
    measure(
        "baseline: `rfc3797_select` 310 of 800 (MD5 picks only)",
        lambda: rfc3797_select(800, PUBLIC_NUMBERS, 310),
    )
    print(f"date: {date.today()}; machine: {machine()}")
    print(f"pool: {len(members)} members; 250 selected + 60 alternates; {reps} repetitions")
    print()
    print(table(["measurement", "median ms", "min–max ms"], rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
