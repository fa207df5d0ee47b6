"""Append throughput: signed pingyi entries next to raw eventsourcing appends, same run.

For each store (SQLite file, PostgreSQL), payload (``small`` finding, ``ballot``-sized
finding of about 2.5 KB) and mode (one entry per transaction, ``--batch-size`` per
transaction), three systems append the same signed statements into a fresh store:

- ``pingyi``: ``Ledger.append`` -- signature check, role check, hash chain, claims
  (idempotency) row, Merkle tree; one stored event per entry.
- ``es app``: a stock eventsourcing ``Application`` whose single aggregate records
  one event per entry carrying the same statement dict and signature, saved once
  per entry or once per batch (the baseline the targets refer to).
- ``es recorder``: the stock application recorder's ``insert_events`` of
  ``StoredEvent``s holding pingyi's exact entry bytes (the database floor: no
  domain model, no serialisation).

Submissions are signed before timing (authors sign on their own machines); each
repetition uses a new store; systems run interleaved so drift hits all alike.

    .venv/bin/python benchmarks/bench_append.py            # full run (a few minutes)
    .venv/bin/python benchmarks/bench_append.py --quick    # smoke run
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from common import (
    FIXED_TIME,
    SUPERVISOR,
    Baseline,
    PgBench,
    Stream,
    create_ledger,
    fixed_clock,
    machine,
    median,
    signed_findings,
    spread,
    sqlite_dir,
    table,
    timed,
)
from eventsourcing.application import Application
from eventsourcing.persistence import StoredEvent

from ledger import canonical, merkle
from ledger.entry import Entry, Submission
from ledger.store.app import Ledger
from ledger.store.sequencer import ENTRY_TOPIC

SYSTEMS = ("pingyi", "es app", "es recorder")
FIRST_INDEX = 4  # genesis, two key registrations, campaign.open come first


@dataclass
class Case:
    backend: str
    payload: str
    mode: str  # "single" or "batch N"
    count: int
    rates: dict[str, list[float]] = field(default_factory=lambda: {s: [] for s in SYSTEMS})


def batches(items: Sequence[object], size: int) -> list[Sequence[object]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def entry_bytes(subs: Sequence[Submission]) -> list[bytes]:
    """Pingyi's entry bytes for ``subs`` as they would be sequenced (for the floor)."""
    prev, out = "1" * 64, []
    for offset, sub in enumerate(subs):
        entry = Entry.sequence(sub, FIRST_INDEX + offset, prev)
        out.append(entry.raw)
        prev = entry.hash
    return out


def run_pingyi(url: str, subs: Sequence[Submission], size: int) -> float:
    ledger = create_ledger(url)
    try:
        chunks = batches(subs, size)
        elapsed = timed(lambda: [ledger.append(chunk) for chunk in chunks])  # type: ignore[arg-type]
        if ledger.size != FIRST_INDEX + len(subs):
            raise AssertionError(f"pingyi log has {ledger.size} entries")
    finally:
        ledger.close()
    return elapsed


def run_es_app(url: str, subs: Sequence[Submission], size: int) -> float:
    app = Baseline(url)
    try:
        stream = Stream()
        app.save(stream)
        chunks = batches(subs, size)

        def go() -> None:
            for chunk in chunks:
                for sub in chunk:
                    stream.record(sub.statement, sub.signature)  # type: ignore[attr-defined]
                app.save(stream)

        elapsed = timed(go)
        if stream.version != 1 + len(subs):
            raise AssertionError(f"baseline stream at version {stream.version}")
    finally:
        app.close()
    return elapsed


def run_es_recorder(url: str, raws: Sequence[bytes], size: int) -> float:
    app = Baseline(url)
    try:
        log_id = uuid.uuid4()
        events = [
            StoredEvent(log_id, FIRST_INDEX + i, ENTRY_TOPIC, raw) for i, raw in enumerate(raws)
        ]
        chunks = batches(events, size)
        elapsed = timed(lambda: [app.recorder.insert_events(c) for c in chunks])  # type: ignore[arg-type]
    finally:
        app.close()
    return elapsed


def measure(
    case: Case,
    subs: Sequence[Submission],
    raws: Sequence[bytes],
    size: int,
    reps: int,
    new_url: Callable[[], tuple[str, Callable[[], None]]],
) -> None:
    for rep in range(reps):
        order = SYSTEMS[rep % 3 :] + SYSTEMS[: rep % 3]
        for system in order:
            url, cleanup = new_url()
            try:
                if system == "pingyi":
                    elapsed = run_pingyi(url, subs, size)
                elif system == "es app":
                    elapsed = run_es_app(url, subs, size)
                else:
                    elapsed = run_es_recorder(url, raws, size)
            finally:
                cleanup()
            case.rates[system].append(len(subs) / elapsed)
        print(
            f"  {case.backend} {case.payload} {case.mode} rep {rep + 1}/{reps}: "
            + ", ".join(f"{s} {case.rates[s][-1]:,.0f}/s" for s in SYSTEMS),
            file=sys.stderr,
        )


def _writer(url: str, subs: Sequence[Submission], size: int, barrier: Any, done: Any) -> None:
    ledger = Ledger.open(url, clock=fixed_clock)
    try:
        barrier.wait()
        for chunk in batches(subs, size):
            ledger.append(chunk)  # type: ignore[arg-type]
        done.put(time.perf_counter())
    finally:
        ledger.close()


def run_pingyi_writers(url: str, subs: Sequence[Submission], size: int, writers: int) -> float:
    """``writers`` processes append interleaved batches to one log (signature checks in parallel)."""
    ledger = create_ledger(url)
    ledger.close()
    # create=no: concurrent first opens would race on CREATE OR REPLACE (see docs/benchmarks.md)
    shared = url + ("&" if "?" in url else "?") + "create=no"
    ctx = multiprocessing.get_context("fork")
    barrier, done = ctx.Barrier(writers + 1), ctx.Queue()
    parts = [
        [s for i, chunk in enumerate(batches(subs, size)) if i % writers == w for s in chunk]  # type: ignore[attr-defined]
        for w in range(writers)
    ]
    procs = [ctx.Process(target=_writer, args=(shared, p, size, barrier, done)) for p in parts]
    for proc in procs:
        proc.start()
    barrier.wait()
    start = time.perf_counter()
    ends = [done.get(timeout=600) for _ in procs]
    for proc in procs:
        proc.join()
        if proc.exitcode:
            raise RuntimeError(f"a writer process failed ({proc.exitcode})")
    check = Ledger.open(url, clock=fixed_clock)
    try:
        if check.size != FIRST_INDEX + len(subs):
            raise AssertionError(f"pingyi log has {check.size} entries")
    finally:
        check.close()
    return max(ends) - start


def cpu_breakdown(subs: Sequence[Submission], repeat: int) -> list[tuple[str, float]]:
    """Per-entry CPU cost (us, median of ``repeat`` passes) of the steps an append pays."""
    sample = list(subs[:1000])
    key = SUPERVISOR.public_bytes
    wires = [json.dumps(s.to_value(), ensure_ascii=False).encode() for s in sample]
    entries = [Entry.sequence(s, FIRST_INDEX + i, "1" * 64) for i, s in enumerate(sample)]
    stream = Stream()
    for s in sample:
        stream.record(s.statement, s.signature)  # type: ignore[attr-defined]
    app_events = stream.collect_events()[1:]
    mapper = Application(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}).mapper
    steps: list[tuple[str, Callable[[], object]]] = [
        ("parse + validate a submission from JSON (server side)", lambda: [Submission.from_json(w) for w in wires]),
        ("Ed25519 check of the author's signature", lambda: [s.check_signature(key) for s in sample]),
        ("canonical entry bytes (Entry.sequence)", lambda: [Entry.sequence(s, 9, "1" * 64) for s in sample]),
        ("entry hash + Merkle leaf hash", lambda: [(canonical.sha256_hex(e.raw), merkle.leaf_hash(e.raw)) for e in entries]),
        ("es app: mapper.to_stored_event (the baseline's serialisation)", lambda: [mapper.to_stored_event(e) for e in app_events]),
    ]  # fmt: skip
    out = []
    for name, fn in steps:
        fn()
        passes = [timed(fn) / len(sample) * 1e6 for _ in range(repeat)]
        out.append((name, median(passes)))
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small smoke run")
    parser.add_argument("--backends", default="sqlite,postgres", help="comma-separated")
    parser.add_argument("--payloads", default="small,ballot", help="comma-separated")
    parser.add_argument("--single", type=int, default=1000, help="entries per single-append run")
    parser.add_argument("--batched", type=int, default=10_000, help="entries per batched run")
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--reps", type=int, default=5, help="repetitions (median reported)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--writers",
        type=lambda text: [int(w) for w in text.split(",") if w],
        default=[2],
        help="also run batched pingyi ingest with these numbers of writer processes",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.single, args.batched, args.reps = 100, 1000, 2
    backends = [b for b in args.backends.split(",") if b]
    payloads = [p for p in args.payloads.split(",") if p]

    pg = PgBench() if "postgres" in backends else None
    cases: list[Case] = []
    multi: list[list[Any]] = []
    started = time.time()
    with sqlite_dir() as tmp:
        if pg is not None:
            pg.__enter__()
        try:
            counter = iter(range(10**9))

            def new_url(backend: str) -> tuple[str, Callable[[], None]]:
                if backend == "sqlite":
                    path = tmp / f"store-{next(counter)}.db"

                    def cleanup() -> None:
                        for suffix in ("", "-wal", "-shm"):
                            path.with_name(path.name + suffix).unlink(missing_ok=True)

                    return f"sqlite:///{path}", cleanup
                assert pg is not None
                schema = pg.new_schema()
                return f"{pg.url}?schema={schema}", lambda: pg.drop_schema(schema)

            for payload in payloads:
                subs_all = signed_findings(max(args.single, args.batched), payload, args.seed)
                size_bytes = median([len(r) for r in entry_bytes(subs_all[:200])])
                for backend in backends:
                    for mode, count, size in (
                        ("single", args.single, 1),
                        (f"batch {args.batch_size}", args.batched, args.batch_size),
                    ):
                        subs = subs_all[:count]
                        case = Case(backend, f"{payload} ({size_bytes / 1024:.1f} KB)", mode, count)
                        measure(
                            case,
                            subs,
                            entry_bytes(subs),
                            size,
                            args.reps,
                            lambda b=backend: new_url(b),
                        )
                        cases.append(case)
                    for writers in args.writers:
                        subs = subs_all[: args.batched]
                        rates = []
                        for _ in range(args.reps):
                            url, cleanup = new_url(backend)
                            try:
                                elapsed = run_pingyi_writers(url, subs, args.batch_size, writers)
                            finally:
                                cleanup()
                            rates.append(len(subs) / elapsed)
                        print(
                            f"  {backend} {payload} {writers} writers: "
                            + ", ".join(f"{r:,.0f}/s" for r in rates),
                            file=sys.stderr,
                        )
                        multi.append(
                            [backend, f"{payload} ({size_bytes / 1024:.1f} KB)", writers, rates]
                        )
            breakdown = cpu_breakdown(signed_findings(1000, payloads[-1], args.seed), args.reps)
            header = machine(pg)
        finally:
            if pg is not None:
                pg.__exit__(None, None, None)

    rows = []
    for case in cases:
        rates = {s: median(case.rates[s]) for s in SYSTEMS}
        rows.append(
            [
                case.backend,
                case.payload,
                case.mode,
                f"{case.count:,}",
                f"{rates['pingyi']:,.0f} ({spread(case.rates['pingyi'])})",
                f"{rates['es app']:,.0f} ({spread(case.rates['es app'])})",
                f"{rates['es recorder']:,.0f} ({spread(case.rates['es recorder'])})",
                f"{rates['pingyi'] / rates['es app']:.0%}",
                f"{rates['pingyi'] / rates['es recorder']:.0%}",
            ]
        )
    print(f"## Appends ({date.today().isoformat()}, {args.reps} repetitions, medians)\n")
    print(f"Machine: {header}\n")
    print(f"Statements signed at {FIXED_TIME.isoformat()}; seed {args.seed}.\n")
    print(
        table(
            [
                "store",
                "payload (entry size)",
                "mode",
                "entries/run",
                "pingyi entries/s (min–max)",
                "es app entries/s",
                "es recorder entries/s",
                "pingyi / es app",
                "pingyi / es recorder",
            ],
            rows,
        )
    )
    if multi:
        one = {
            (c.backend, c.payload): median(c.rates["pingyi"]) for c in cases if c.mode != "single"
        }
        print(f"\nBatched pingyi ingest ({args.batch_size} per append) by writer processes:\n")
        print(
            table(
                ["store", "payload", "writers", "pingyi entries/s (min–max)", "vs 1 writer"],
                [
                    [b, p, w, f"{median(r):,.0f} ({spread(r)})", f"{median(r) / one[b, p]:.2f}×"]
                    for b, p, w, r in multi
                ],
            )
        )
    print(f"\nPer-entry CPU on one core ({payloads[-1]} payload, median of {args.reps} passes):\n")
    print(table(["step", "us per entry"], [[n, f"{us:,.1f}"] for n, us in breakdown]))
    print(f"\n(total wall time {time.time() - started:,.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
