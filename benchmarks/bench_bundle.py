"""`pingyi verify BUNDLE` on the bundle of a seed-000-sized campaign (about 100,000 entries),
next to the cost of its Ed25519 checks alone.

The campaign: preset 000 (116 units in 8 categories) plus a survey, findings and
bonuses/deductions (``common.campaign_rulebook``); 10 review and 300 assembly
ballots each rating every unit, survey responses up to ``--entries``, 1,000
findings and 200 counted items; a checkpoint every ``--checkpoint-every``
entries and two publications (one halfway, one at the end). The log is built in
memory with BENCH keys and written with the code `pingyi export` uses. Timed, in
the same run and interleaved:

- ``verify_bundle`` (what `pingyi verify BUNDLE` runs) with 1 worker and with 2;
- its parts: ``verify_log`` with the domain policies alone and without them, and
  (each on its own) reading the files, the recount and recomputing the publications;
- the signature floor: the same (key, signature, message) triples checked with
  the rule verification uses (``ledger.ed25519``) alone, on one core and in two forked processes.

    .venv/bin/python benchmarks/bench_bundle.py            # 100,000 entries (a few minutes)
    .venv/bin/python benchmarks/bench_bundle.py --quick    # smoke run
"""

from __future__ import annotations

import argparse
import base64
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from common import (
    FIXED_TIME,
    LEVELS,
    SURVEY,
    bench_key,
    campaign_rulebook,
    machine,
    median,
    signature_floor,
    spread,
    table,
    timed,
)

from ledger import canonical, merkle
from ledger.entry import Entry, Submission, new_statement
from ledger.keys import Signer
from ledger.note import Checkpoint, NoteSigner
from pingyi.bundle_writer import write_bundle
from projections.policy import default_policies
from projections.publication import PUBLISH, publication_payload, ranking_digest
from projections.render import ranking_document
from projections.replay import replay
from projections.rulebook import Rulebook, rulebook_document, rulebook_hash
from verifier.bundle import verify_bundle
from verifier.bundle_files import BundleFiles
from verifier.log import verify_log
from verifier.recount import Recount
from verifier.report import Report

ORIGIN = "bench.pingyi.example/bundle"
CAMPAIGN = "c000"
ROOT, LOG, OFFICE, STAFF = (bench_key(n) for n in ("root", "log", "office", "staff"))
NOTES = NoteSigner(ORIGIN, LOG.private_key)

_JOBS: list[tuple[bytes, bytes, bytes]] = []


def facts(rb: Rulebook, count: int, rng: random.Random) -> list[tuple[str, dict[str, Any]]]:
    units = [u.code for u in rb.units]
    c = {"campaign": CAMPAIGN}
    out: list[tuple[str, dict[str, Any]]] = []
    for component, ballots in (("review", 10), ("assembly", 300)):
        for _ in range(ballots):
            ratings = {u: rng.choice(LEVELS) for u in units}
            out.append(("ballot.record", {**c, "component": component, "ratings": ratings}))
    for n in range(1_000):
        finding = {
            **c,
            "unit": rng.choice(units),
            "rule": "findings",
            "level": rng.choice(["bureau", "county"]),
            "serious": rng.random() < 0.1,
            "summary": f"finding {n}: 窗口无人 window unattended",
        }
        out.append(("finding.record", finding))
    for _ in range(200):
        item = rng.choice(["award", "broken_promise"])
        out.append(
            ("item.count", {**c, "unit": rng.choice(units), "component": "bonus", "item": item})
        )
    while len(out) < count:
        unit, level = rng.choice(units), rng.choice(SURVEY)
        out.append(("survey.response", {**c, "unit": unit, "component": "survey", "level": level}))
    rng.shuffle(out)
    return out


class Builder:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.entries: list[Entry] = []
        self.tree = merkle.MerkleTree()
        self.notes: list[str] = []

    def add(self, signer: Signer, type_: str, payload: dict[str, Any]) -> None:
        statement = new_statement(
            log=ORIGIN,
            type=type_,
            payload=payload,
            signer=signer.key_id,
            time=FIXED_TIME,
            id=str(uuid.UUID(int=self.rng.getrandbits(128), version=4)),
        )
        head = self.entries[-1].hash if self.entries else canonical.GENESIS_PREV
        entry = Entry.sequence(Submission.sign(signer, statement), len(self.entries), head)
        self.entries.append(entry)
        self.tree.append(merkle.leaf_hash(entry.raw))

    def checkpoint(self) -> None:
        size = len(self.entries)
        if not self.notes or self.notes[-1].split("\n")[1] != str(size):
            self.notes.append(NOTES.sign(Checkpoint(ORIGIN, size, self.tree.root(size)).body()))

    def publish(self) -> None:
        self.checkpoint()
        size = len(self.entries)
        state = replay(self.entries, CAMPAIGN, as_of=size - 1)
        payload = publication_payload(CAMPAIGN, state, size=size, root=self.tree.root(size))
        self.add(OFFICE, PUBLISH, payload)


def build(entries: int, every: int, seed: int) -> Builder:
    rng = random.Random(seed)
    rb = campaign_rulebook()
    log = Builder(rng)
    genesis = {"deployment": "BENCH", "root_key": ROOT.public_b64, "log_key": NOTES.verifier_key}
    log.add(ROOT, "genesis", genesis)
    office = {"key": OFFICE.public_b64, "holder": "office", "roles": ["registrar", "office"]}
    log.add(ROOT, "key.register", office)
    roles = ["supervisor", "clerk", "survey_operator", "office"]
    log.add(OFFICE, "key.register", {"key": STAFF.public_b64, "holder": "staff", "roles": roles})
    adopt = {
        "campaign": CAMPAIGN,
        "rulebook": rulebook_document(rb),
        "hash": rulebook_hash(rb),
        "reason": "bench",
    }
    log.add(OFFICE, "rulebook.adopt", adopt)
    log.add(OFFICE, "campaign.open", {"campaign": CAMPAIGN, "title": "seed 000 sized"})
    planned = facts(rb, entries - len(log.entries) - 2, rng)
    half = len(planned) // 2
    for n, (type_, payload) in enumerate(planned):
        log.add(STAFF, type_, payload)
        if len(log.entries) % every == 0:
            log.checkpoint()
        if n == half:
            log.publish()
        if n % 10_000 == 0:
            print(f"  built {len(log.entries):,} entries", file=sys.stderr)
    log.publish()
    log.checkpoint()
    return log


def jobs_of(entries: Sequence[Entry]) -> list[tuple[bytes, bytes, bytes]]:
    public = {s.key_id: base64.b64decode(s.public_b64) for s in (ROOT, OFFICE, STAFF)}
    return [
        (
            public[e.signer],
            base64.b64decode(e.signature),
            canonical.statement_message_from_bytes(e.statement_bytes),
        )
        for e in entries
    ]


def measure_parts(
    out: Path, entries: Sequence[Entry], sizes: Sequence[int], reps: int
) -> list[list[str]]:
    """What verify_bundle does besides verify_log, each part on its own (one process)."""

    def read() -> None:
        files = BundleFiles.open(out)
        files.read("entries.ndjson").split(b"\n")

    def fold() -> Recount:
        recount = Recount(CAMPAIGN, sizes)
        for entry in entries:
            recount.apply(entry)
        recount.finish(len(entries))
        return recount

    folded = fold()

    def recompute() -> None:
        for entry in folded.publications:
            state = folded.replay_at(entry.payload["checkpoint"]["size"])
            assert state is not None
            assert ranking_digest(ranking_document(state.result())) == entry.payload["digest"]

    steps = [
        ("read the bundle's files, split entries.ndjson", read),
        ("recount: fold the campaign's entries, mark each checkpoint", fold),
        ("recompute the 2 publications (score, rank, digest)", recompute),
    ]
    rows = []
    for name, fn in steps:
        values = [timed(fn) for _ in range(reps)]
        rows.append([name, f"{median(values):.2f}", f"{median(values) * 1e6 / len(entries):.1f}"])
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    global _JOBS  # noqa: PLW0603
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small smoke run (5,000 entries)")
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--checkpoint-every", type=int, default=10_000)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    if args.quick:
        args.entries, args.checkpoint_every, args.reps = 5_000, 1_000, 1
    started = time.perf_counter()
    log = build(args.entries, args.checkpoint_every, args.seed)
    built = time.perf_counter() - started
    with tempfile.TemporaryDirectory(prefix="pingyi-bench-bundle-") as tmp:
        out = Path(tmp) / "bundle"
        write_bundle(
            out,
            origin=ORIGIN,
            campaign=CAMPAIGN,
            log_key=NOTES.verifier_key,
            entries=[e.raw for e in log.entries],
            checkpoints=log.notes,
        )
        size_mb = sum(p.stat().st_size for p in out.rglob("*") if p.is_file()) / 1e6
        raws = [e.raw for e in log.entries]
        _JOBS = jobs_of(log.entries)
        sizes = [int(n.split("\n")[1]) for n in log.notes]
        parts = measure_parts(out, log.entries, sizes, args.reps)
        del log
        print(
            f"built {len(raws):,} entries in {built:.0f} s; bundle {size_mb:.0f} MB",
            file=sys.stderr,
        )

        def bundle(workers: int) -> None:
            result = verify_bundle(BundleFiles.open(out), workers=workers)
            assert result.report.ok, result.report.first_failure
            assert result.report.counts["rankings recomputed"] == 2

        def log_only(workers: int, policies: bool = True) -> None:
            report = Report("bench")
            chosen = default_policies() if policies else []
            verify_log(raws, [], report=report, workers=workers, policies=chosen)
            assert report.ok, report.first_failure

        cases = {
            "verify_bundle workers=1": lambda: bundle(1),
            "verify_bundle workers=2 (default)": lambda: bundle(2),
            "verify_log + policies only, workers=2": lambda: log_only(2),
            "verify_log without policies, workers=2": lambda: log_only(2, policies=False),
            "Ed25519 checks alone, 1 core": lambda: signature_floor(_JOBS, 1),
            "Ed25519 checks alone, 2 processes": lambda: signature_floor(_JOBS, 2),
        }
        times: dict[str, list[float]] = {name: [] for name in cases}
        for rep in range(args.reps):
            for name, fn in cases.items():
                times[name].append(timed(fn))
                print(f"  rep {rep + 1}: {name}: {times[name][-1]:.2f} s", file=sys.stderr)
    floor1 = median(times["Ed25519 checks alone, 1 core"])
    floor2 = median(times["Ed25519 checks alone, 2 processes"])
    rows = []
    for name, values in times.items():
        m = median(values)
        base = floor1 if "1 core" in name or "workers=1" in name else floor2
        rows.append(
            [
                name,
                f"{m:.2f} ({min(values):.2f}–{max(values):.2f})",
                f"{len(raws) / m:,.0f}",
                f"{m / base:.2f}×",
            ]
        )
    print(f"## Bundle verification ({date.today().isoformat()})\n")
    print(f"Machine: {machine()}\n")
    print(
        f"{len(raws):,} entries, {len(_JOBS):,} signatures, bundle {size_mb:.0f} MB on disk; "
        f"medians of {args.reps} (spread {spread(times['verify_bundle workers=2 (default)'])} s "
        "for the default).\n"
    )
    print(table(["what", "seconds (min–max)", "entries/s", "vs signature floor, same cores"], rows))
    print("\nThe bundle-specific parts of verify_bundle, each on its own (one process):\n")
    print(table(["part", "seconds", "µs per entry"], parts))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
