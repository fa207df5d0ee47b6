"""HTTP load: signed ballots posted to ``pingyi serve`` by 1, 16 and 64 concurrent clients.

For each store -- SQLite with one worker, PostgreSQL with ``--workers`` worker
processes on a scratch database -- the script:

1. creates a log (BENCH keys): office and clerk keys, the seed-000 rulebook
   adopted for campaign c2026, the campaign opened;
2. starts ``pingyi serve`` in its own process and waits for ``/readyz``;
3. for each concurrency level, signs fresh ``ballot.record`` entries (the clerk
   transcribes one assembly ballot rating all 116 units: about 3.5 KB) *before*
   the timed phase, then runs ``benchmarks/loadgen.py`` in its own process for
   ``--seconds``: each client posts the next ballot as soon as it has the
   previous receipt (index, hash, inclusion proof, signed checkpoint);
4. stops the server, runs the verifier over the whole store and checks that
   every acknowledged ballot is in the log (by entry id, and by count);
5. appends the same kind of signed ballots as raw eventsourcing events (the
   ``Baseline`` of ``common.py``: one stock aggregate, one event per ballot) in
   this process, one per transaction and 100 per transaction, for comparison.

Ballots per second counts acknowledged ballots over the window; latencies are
per request, from sending to the last byte of the receipt.

    .venv/bin/python benchmarks/bench_load.py             # full run (about 5 minutes)
    .venv/bin/python benchmarks/bench_load.py --quick     # smoke run
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from common import (
    LOG,
    OFFICE,
    ORIGIN,
    ROOT,
    Baseline,
    PgBench,
    Stream,
    bench_key,
    machine,
    table,
    timed,
)

from ledger.entry import Submission, new_statement
from ledger.keys import PASSPHRASE_ENV
from ledger.note import NoteSigner
from ledger.store.app import Ledger
from pingyi.audit import verify_store
from projections.policy import default_policies
from projections.presets import load_preset
from projections.rulebook import rulebook_document, rulebook_hash

HERE = Path(__file__).parent
CLERK = bench_key("clerk")
CAMPAIGN = "c2026"
PASSPHRASE = "pingyi BENCH passphrase"
LEVELS = {
    "satisfied": 45,
    "very_satisfied": 25,
    "basically_satisfied": 18,
    "dissatisfied": 7,
    "dont_know": 5,
}
UNITS = [u.code for u in load_preset("000").units]


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# -- the log ------------------------------------------------------------------------------


def create_log(url: str) -> None:
    """Genesis, office and clerk keys, seed-000 adopted for c2026, campaign opened."""
    rng = random.Random(2026)

    def sign(signer: Any, type_: str, payload: dict[str, Any]) -> Submission:
        statement = new_statement(
            log=ORIGIN,
            type=type_,
            payload=payload,
            signer=signer.key_id,
            time=datetime.now(UTC),
            id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        )
        return Submission.sign(signer, statement)

    rulebook = load_preset("000")
    with Ledger.create(
        url,
        ORIGIN,
        deployment="BENCH county 2026",
        root=ROOT,
        log_signer=NoteSigner(ORIGIN, LOG.private_key),
        policies=default_policies(),
    ) as ledger:
        office = {"key": OFFICE.public_b64, "holder": "office 1", "roles": ["registrar", "office"]}
        clerk = {"key": CLERK.public_b64, "holder": "clerk 1", "roles": ["clerk"]}
        adopt = {
            "campaign": CAMPAIGN,
            "rulebook": rulebook_document(rulebook),
            "hash": rulebook_hash(rulebook),
            "reason": "BENCH: adopt preset 000",
        }
        ledger.append([sign(ROOT, "key.register", office)])
        ledger.append([sign(OFFICE, "key.register", clerk)])
        ledger.append([sign(OFFICE, "rulebook.adopt", adopt)])
        ledger.append([sign(OFFICE, "campaign.open", {"campaign": CAMPAIGN, "title": "2026 测评"})])


def ballot_payload(rng: random.Random) -> dict[str, Any]:
    levels = rng.choices(list(LEVELS), weights=list(LEVELS.values()), k=len(UNITS))
    return {
        "campaign": CAMPAIGN,
        "component": "assembly",
        "ratings": dict(zip(UNITS, levels, strict=True)),
    }


def _sign_chunk(job: tuple[int, int]) -> tuple[list[bytes], list[str]]:
    seed, count = job
    rng = random.Random(seed)
    bodies, ids = [], []
    for _ in range(count):
        sub = Submission.new(
            CLERK,
            log=ORIGIN,
            type="ballot.record",
            payload=ballot_payload(rng),
            time=datetime.now(UTC),
            id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        )
        bodies.append(
            json.dumps(sub.to_value(), ensure_ascii=False, separators=(",", ":")).encode()
        )
        ids.append(sub.id)
    return bodies, ids


def signed_ballots(count: int, seed: int) -> tuple[list[bytes], list[str]]:
    """``count`` signed ballots (2 processes: authors sign on their own machines)."""
    chunks = [(seed * 1000 + i, count // 8 + (i < count % 8)) for i in range(8)]
    with multiprocessing.get_context("fork").Pool(2) as pool:
        parts = pool.map(_sign_chunk, chunks)
    return [b for p in parts for b in p[0]], [i for p in parts for i in p[1]]


# -- the server and the generator ----------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def server(url: str, workers: int, tmp: Path) -> Iterator[tuple[int, int]]:
    """``pingyi serve`` in its own process group; yields port and pid once /readyz answers."""
    key = tmp / "log.key"
    if not key.exists():
        LOG.save(key, PASSPHRASE.encode())
    port = free_port()
    env = dict(os.environ, **{PASSPHRASE_ENV: PASSPHRASE, "PINGYI_MAX_BODY": str(64 * 1024)})
    command = [sys.executable, "-m", "pingyi", "serve", "--store", url, "--log-key", str(key)]
    command += ["--port", str(port), "--workers", str(workers)]
    with (tmp / f"server-{port}.log").open("wb") as logfile:
        proc = subprocess.Popen(
            command, env=env, stdout=logfile, stderr=logfile, start_new_session=True
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2):
                        break
                except OSError:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(
                            f"the server did not start: see {tmp}/server-{port}.log"
                        ) from None
                    time.sleep(0.2)
            time.sleep(0.5 * workers)  # let every worker open its store
            yield port, proc.pid
        finally:
            os.killpg(proc.pid, signal.SIGINT)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def generate(
    port: int, clients: int, seconds: float, bodies: list[bytes], ids: list[str], tmp: Path
) -> dict[str, Any]:
    (tmp / "bodies.ndjson").write_bytes(b"\n".join(bodies) + b"\n")
    (tmp / "ids.txt").write_text("\n".join(ids) + "\n")
    command = [sys.executable, str(HERE / "loadgen.py"), "--port", str(port)]
    command += ["--clients", str(clients), "--seconds", str(seconds)]
    command += ["--bodies", str(tmp / "bodies.ndjson"), "--ids", str(tmp / "ids.txt")]
    done = subprocess.run(command, capture_output=True, check=True)
    result: dict[str, Any] = json.loads(done.stdout)
    return result


TICK = os.sysconf("SC_CLK_TCK")


def _processes() -> dict[int, tuple[int, str, float]]:
    """pid -> (parent pid, command line, CPU seconds) of every process."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        found[int(entry.name)] = (
            int(fields[1]),
            cmdline,
            (int(fields[11]) + int(fields[12])) / TICK,
        )
    return found


def cpu_seconds(root: int, database: str) -> tuple[float, float]:
    """CPU time so far of the server's process tree and of the database's backends."""
    table = _processes()
    tree, grew = {root}, True
    while grew:
        more = {pid for pid, (ppid, _, _) in table.items() if ppid in tree} - tree
        tree |= more
        grew = bool(more)
    server = sum(table[pid][2] for pid in tree if pid in table)
    db = sum(cpu for _, cmd, cpu in table.values() if database and f" {database} " in cmd)
    return server, db


def percentile(values: Sequence[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def per_ballot(seconds: float, ballots: int) -> str:
    return f"{seconds * 1000 / ballots:.2f}" if ballots else "-"


# -- checks afterwards ---------------------------------------------------------------------


def check_log(url: str, acked: list[str]) -> dict[str, Any]:
    report = verify_store(url, policies=default_policies)
    with Ledger.open(url) as ledger:
        ballots = {e.id for e in ledger.entries() if e.type == "ballot.record"}
        size = ledger.size
    missing = [i for i in acked if i not in ballots]
    return {
        "verify": "pass" if report.ok else f"FAIL: {report.first_failure}",
        "log size": size,
        "ballots in log": len(ballots),
        "acknowledged": len(acked),
        "acknowledged missing": len(missing),
    }


# -- the raw eventsourcing baseline ------------------------------------------------------


def baseline(url: str, bodies: list[bytes], batch: int) -> float:
    """Raw eventsourcing appends of the same signed ballots (one event each): entries/s."""
    subs = [json.loads(b) for b in bodies]
    app = Baseline(url)
    try:
        stream = Stream()
        app.save(stream)

        def go() -> None:
            for start in range(0, len(subs), batch):
                for sub in subs[start : start + batch]:
                    stream.record(sub["statement"], sub["signature"])  # type: ignore[attr-defined]
                app.save(stream)

        return len(subs) / timed(go)
    finally:
        app.close()


# -- the run -------------------------------------------------------------------------------


def run_store(
    name: str,
    url: str,
    workers: int,
    levels: Sequence[int],
    seconds: float,
    budget: dict[int, int],
    tmp: Path,
) -> tuple[list[list[object]], dict[str, Any], list[str]]:
    database = "" if url.startswith("sqlite") else url.rsplit("/", 1)[1].split("?", maxsplit=1)[0]
    log(f"{name}: creating the log")
    create_log(url)
    rows: list[list[object]] = []
    acked: list[str] = []
    errors: list[str] = []
    for n, clients in enumerate(levels):
        count = budget[clients]
        log(f"{name}: signing {count:,} ballots for {clients} clients")
        bodies, ids = signed_ballots(count, seed=hash((name, clients)) % 10_000 + n)
        with server(url, workers, tmp) as (port, pid):
            log(f"{name}: {clients} clients for {seconds} s")
            server_cpu, db_cpu = cpu_seconds(pid, database)
            load = os.getloadavg()[0]
            result = generate(port, clients, seconds, bodies, ids, tmp)
            after = cpu_seconds(pid, database)
            server_cpu, db_cpu = after[0] - server_cpu, after[1] - db_cpu
            load = max(load, os.getloadavg()[0])
        if result["ran_out"]:
            errors.append(f"{name} {clients} clients: ran out of signed ballots early")
        lat = result["latencies"]
        acked += result["acked"]
        errors += result["errors"]
        rate = len(result["acked"]) / result["window"]
        bad = sum(v for k, v in result["statuses"].items() if k not in ("200", "201"))
        rows.append(
            [
                name,
                workers,
                clients,
                f"{len(result['acked']):,}",
                f"{rate:,.0f}",
                f"{statistics.median(lat) * 1000:.1f}" if lat else "-",
                f"{percentile(lat, 99) * 1000:.1f}" if lat else "-",
                bad,
                per_ballot(server_cpu, len(result["acked"])),
                per_ballot(db_cpu, len(result["acked"])) if database else "-",
                per_ballot(result["cpu"], len(result["acked"])),
                f"{load:.1f}",
            ]
        )
        log(f"  -> {rows[-1]}")
    log(f"{name}: verifying the store")
    checks = check_log(url, acked)
    return rows, checks, errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="timed window per level")
    parser.add_argument("--workers", type=int, default=2, help="server workers on PostgreSQL")
    parser.add_argument("--baseline", type=int, default=3000, help="ballots per baseline run")
    parser.add_argument("--only", choices=["sqlite", "postgres"], help="run one store only")
    parser.add_argument("--quick", action="store_true", help="smoke run: 2 s windows")
    args = parser.parse_args()
    seconds = 2.0 if args.quick else args.seconds
    levels = [1, 16, 64]
    budget = {c: int(seconds * (400 if c == 1 else 2500)) + 200 for c in levels}
    started = time.perf_counter()
    rows: list[list[object]] = []
    checks: dict[str, dict[str, Any]] = {}
    base_rows: list[list[object]] = []
    errors: list[str] = []
    pg = PgBench(dbname="pingyi_bench_load") if args.only != "sqlite" else None
    with tempfile.TemporaryDirectory(prefix="pingyi-load-") as scratch:
        tmp = Path(scratch)
        stores: list[tuple[str, str, int]] = []
        if args.only != "postgres":
            stores.append(("sqlite", f"sqlite:///{tmp}/load.db", 1))
        if pg is not None:
            pg.__enter__()
            stores.append(("postgres", f"{pg.url}?schema={pg.new_schema()}", args.workers))
        try:
            for name, url, workers in stores:
                r, c, e = run_store(name, url, workers, levels, seconds, budget, tmp)
                rows += r
                checks[name] = c
                errors += e
                bodies, _ = signed_ballots(args.baseline // (10 if args.quick else 1), seed=7)
                for batch in (1, 100):
                    if name == "sqlite":
                        base_url = f"sqlite:///{tmp}/baseline-{batch}.db"
                    else:
                        base_url = f"{pg.url}?schema={pg.new_schema()}"  # type: ignore[union-attr]
                    rate = baseline(base_url, bodies, batch)
                    base_rows.append([name, f"{len(bodies):,}", batch, f"{rate:,.0f}"])
                    log(f"  baseline {name} batch {batch}: {rate:,.0f}/s")
        finally:
            if pg is not None:
                pg.__exit__(None, None, None)
    print(f"### HTTP load ({date.today().isoformat()})\n")
    print(f"Machine: {machine(pg)}\n")
    print(
        table(
            [
                "store",
                "workers",
                "clients",
                "ballots acked",
                "ballots/s",
                "p50 ms",
                "p99 ms",
                "errors",
                "server CPU ms/ballot",
                "PostgreSQL CPU ms/ballot",
                "generator CPU ms/ballot",
                "load avg",
            ],
            rows,
        )
    )
    print()
    print(table(["store", "ballots", "per transaction", "raw eventsourcing entries/s"], base_rows))
    print()
    for name, found in checks.items():
        print(f"- {name}: " + "; ".join(f"{k}: {v}" for k, v in found.items()))
    for error in errors[:10]:
        print(f"- error answer: {error}")
    print(f"\n({time.perf_counter() - started:.0f} s wall)")


if __name__ == "__main__":
    main()
