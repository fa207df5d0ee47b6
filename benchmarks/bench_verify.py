"""`pingyi verify` on a large log, next to the cost of its Ed25519 checks alone.

Builds a log once (SQLite, batched appends, a signed checkpoint every
``--checkpoint-every`` entries), then times ``pingyi.audit.verify_store`` -- what
``pingyi verify`` runs -- with one worker and with two (the default on this
machine), interleaved. In the same run it times the signature floor: the same
signatures checked alone with the rule verification uses (``ledger.ed25519``), on one core and in two
forked processes, and the serial steps verification performs per entry.

    .venv/bin/python benchmarks/bench_verify.py            # 100,000 entries (a few minutes)
    .venv/bin/python benchmarks/bench_verify.py --quick    # smoke run
"""

from __future__ import annotations

import argparse
import base64
import os
import random
import resource
import sys
import time
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from common import (
    FIXED_TIME,
    OFFICE,
    bench_key,
    create_ledger,
    finding_payload,
    machine,
    median,
    sign,
    signature_floor,
    sqlite_dir,
    table,
    timed,
)

from ledger import canonical, merkle
from ledger.entry import validate_statement
from ledger.registry import KeyRegistry
from ledger.store.app import Store
from pingyi.audit import verify_store

SUPERVISORS = [bench_key(f"supervisor {n}") for n in range(1, 7)]

# (public key, signature, message) per signed entry; inherited by forked workers.
_JOBS: list[tuple[bytes, bytes, bytes]] = []


def build(url: str, entries: int, every: int, batch: int, payload: str, seed: int) -> float:
    """Create a log of exactly ``entries`` entries with a checkpoint every ``every``."""
    ledger = create_ledger(url, seed)
    rng = random.Random(seed + 1)  # not the ids create_ledger drew
    try:
        for n, supervisor in enumerate(SUPERVISORS):
            key = {
                "key": supervisor.public_b64,
                "holder": f"supervisor {n + 1}",
                "roles": ["supervisor"],
            }
            ledger.append([sign(OFFICE, "key.register", key, rng)])
        n = 0
        while ledger.size < entries:
            room = min(batch, entries - ledger.size, every - ledger.size % every)
            subs = []
            for _ in range(room):
                kind = payload if payload != "mixed" else ("ballot" if n % 2 else "small")
                signer = SUPERVISORS[n % len(SUPERVISORS)]
                subs.append(sign(signer, "finding.record", finding_payload(n, kind, rng), rng))
                n += 1
            ledger.append(subs)
            if ledger.size % every == 0:
                ledger.checkpoint()
        ledger.checkpoint()
        return os.path.getsize(url.removeprefix("sqlite:///")) / 1024 / 1024
    finally:
        ledger.close()


def read_raw(url: str) -> list[bytes]:
    store = Store(url)
    try:
        (log_id,) = store.log_recorder.log_ids()
        return list(store.log_recorder.iter_entries(log_id))
    finally:
        store.close()


def signature_jobs(raws: Sequence[bytes]) -> list[tuple[bytes, bytes, bytes]]:
    """The (public key, signature, message) triples verify checks, replaying the registry."""
    registry = KeyRegistry()
    jobs = []
    for position, raw in enumerate(raws):
        _, _, signature, statement_bytes = canonical.split_entry(raw)
        statement = canonical.parse_json(statement_bytes)
        if statement["type"] == "genesis":
            public = base64.b64decode(statement["payload"]["root_key"])
        else:
            found = registry.public_key(statement["signer"])
            assert found is not None
            public = found
        registry.apply(statement["type"], statement["payload"], position)
        message = canonical.statement_message_from_bytes(statement_bytes)
        jobs.append((public, base64.b64decode(signature), message))
    return jobs


def serial_steps(raws: Sequence[bytes]) -> list[tuple[str, Callable[[], object]]]:
    """The per-entry steps of verify_log other than the signature check, one by one."""
    statements = [canonical.split_entry(raw)[3] for raw in raws]
    parsed = [canonical.parse_json(s) for s in statements]
    return [
        ("split entry bytes (regex)", lambda: [canonical.split_entry(r) for r in raws]),
        (
            "parse + check canonical form (`check_canonical`)",
            lambda: [canonical.check_canonical(s) for s in statements],
        ),
        ("validate envelope + payload (pydantic)", lambda: [validate_statement(p) for p in parsed]),
        ("entry hash + Merkle leaf + tree append", lambda: _hash_all(raws)),
    ]


def _hash_all(raws: Sequence[bytes]) -> None:
    tree = merkle.MerkleTree()
    for raw in raws:
        canonical.sha256_hex(raw)
        tree.append(merkle.leaf_hash(raw))


def _cpu() -> tuple[float, float]:
    """CPU seconds used so far by this process and by its waited-for children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def _cpu_text(runs: Sequence[tuple[float, float]]) -> str:
    main_cpu, workers_cpu = median([r[0] for r in runs]), median([r[1] for r in runs])
    return f"{main_cpu + workers_cpu:.2f} = {main_cpu:.2f} + {workers_cpu:.2f}"


def main(argv: Sequence[str] | None = None) -> int:
    global _JOBS  # noqa: PLW0603
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small smoke run")
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--checkpoint-every", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=1000, help="entries per append while building")
    parser.add_argument("--payload", choices=["small", "ballot", "mixed"], default="mixed")
    parser.add_argument("--reps", type=int, default=3, help="repetitions (median reported)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", type=Path, help="build the log into this file and keep it")
    args = parser.parse_args(argv)
    if args.quick:
        args.entries, args.checkpoint_every, args.reps = 5000, 1000, 2
    started = time.time()
    with sqlite_dir() as tmp:
        path = args.keep or tmp / "verify.db"
        if path.exists():
            raise SystemExit(f"{path} exists; remove it or choose another --keep path")
        url = f"sqlite:///{path.resolve()}"
        print(f"building {args.entries:,} entries into {path} ...", file=sys.stderr)
        build_s = time.perf_counter()
        megabytes = build(
            url, args.entries, args.checkpoint_every, args.batch, args.payload, args.seed
        )
        build_s = time.perf_counter() - build_s
        print(f"  built in {build_s:,.1f} s ({megabytes:,.0f} MB)", file=sys.stderr)

        verify: dict[int, list[float]] = {1: [], 2: []}
        verify_cpu: dict[int, list[tuple[float, float]]] = {1: [], 2: []}
        for rep in range(args.reps):
            for workers in (1, 2) if rep % 2 == 0 else (2, 1):
                cpu = _cpu()
                start = time.perf_counter()
                report = verify_store(url, workers=workers)
                elapsed = time.perf_counter() - start
                main_cpu, workers_cpu = (b - a for a, b in zip(cpu, _cpu(), strict=True))
                counts = report.counts
                if not report.ok or counts.get("entries") != args.entries:
                    raise AssertionError(f"verification did not pass: {report}")
                verify[workers].append(elapsed)
                verify_cpu[workers].append((main_cpu, workers_cpu))
                print(
                    f"  verify workers={workers}: {elapsed:.2f} s (CPU: this process "
                    f"{main_cpu:.2f} s, workers {workers_cpu:.2f} s) {counts}",
                    file=sys.stderr,
                )

        read = [timed(lambda: read_raw(url)) for _ in range(args.reps)]
        raws = read_raw(url)
        _JOBS = signature_jobs(raws)
        sig: dict[int, list[float]] = {1: [], 2: []}
        sig_cpu: dict[int, list[float]] = {1: [], 2: []}
        for rep in range(args.reps):
            for processes in (1, 2) if rep % 2 == 0 else (2, 1):
                cpu = _cpu()
                sig[processes].append(timed(lambda p=processes: signature_floor(_JOBS, p)))
                sig_cpu[processes].append(sum(_cpu()) - sum(cpu))
                print(
                    f"  floor {processes}: {sig[processes][-1]:.2f} s "
                    f"(CPU {sig_cpu[processes][-1]:.2f} s)",
                    file=sys.stderr,
                )
        steps = [
            (name, median([timed(fn) for _ in range(args.reps)])) for name, fn in serial_steps(raws)
        ]
        header = machine()
    _JOBS = []

    n = args.entries
    v1, v2, s1, s2 = (median(verify[1]), median(verify[2]), median(sig[1]), median(sig[2]))
    print(f"## Verification ({date.today().isoformat()}, {args.reps} repetitions, medians)\n")
    print(f"Machine: {header}\n")
    print(
        f"Log: {n:,} entries ({args.payload} findings from {len(SUPERVISORS)} supervisors, "
        f"signed at {FIXED_TIME.isoformat()}), a checkpoint every {args.checkpoint_every:,}; "
        f"SQLite file {megabytes:,.0f} MB, built in {build_s:,.0f} s.\n"
    )
    print(
        table(
            [
                "what",
                "seconds (min–max)",
                "entries/s",
                "vs signature floor, same cores",
                "CPU s: main + workers",
            ],
            [
                [
                    "`verify_store` workers=1",
                    f"{v1:.2f} ({min(verify[1]):.2f}–{max(verify[1]):.2f})",
                    f"{n / v1:,.0f}",
                    f"{v1 / s1:.2f}×",
                    _cpu_text(verify_cpu[1]),
                ],
                [
                    "`verify_store` workers=2 (default)",
                    f"{v2:.2f} ({min(verify[2]):.2f}–{max(verify[2]):.2f})",
                    f"{n / v2:,.0f}",
                    f"{v2 / s2:.2f}×",
                    _cpu_text(verify_cpu[2]),
                ],
                [
                    "Ed25519 checks alone, 1 core",
                    f"{s1:.2f} ({min(sig[1]):.2f}–{max(sig[1]):.2f})",
                    f"{n / s1:,.0f}",
                    "1.00×",
                    f"{median(sig_cpu[1]):.2f}",
                ],
                [
                    "Ed25519 checks alone, 2 processes",
                    f"{s2:.2f} ({min(sig[2]):.2f}–{max(sig[2]):.2f})",
                    f"{n / s2:,.0f}",
                    "1.00×",
                    f"{median(sig_cpu[2]):.2f}",
                ],
            ],
        )
    )
    print(f"\nSerial work per entry in `verify_store` besides signatures ({args.reps} passes):\n")
    rows = [
        ["read entry bytes from SQLite", f"{median(read):.2f}", f"{median(read) / n * 1e6:.1f}"]
    ]
    rows += [[name, f"{s:.2f}", f"{s / n * 1e6:.1f}"] for name, s in steps]
    total = median(read) + sum(s for _, s in steps)
    rows.append(["**sum**", f"**{total:.2f}**", f"**{total / n * 1e6:.1f}**"])
    print(table(["step", f"seconds for {n:,}", "us per entry"], rows))
    print(f"\n(total wall time {time.time() - started:,.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
