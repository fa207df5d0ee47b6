"""Shared benchmark helpers: labelled BENCH keys, a ready log, payloads, stores, tables.

Imported by the scripts in this directory (``python benchmarks/bench_*.py`` puts
this directory on ``sys.path``). Nothing here is a performance target: the
targets and their readings live in docs/benchmarks.md.
"""

from __future__ import annotations

import multiprocessing
import os
import platform
import random
import shutil
import sqlite3
import statistics
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

from ledger import ed25519
from ledger.entry import Submission, new_statement
from ledger.keys import Signer
from ledger.note import NoteSigner
from ledger.store import eventsourcing_env
from ledger.store.app import Ledger
from projections.presets import load_preset
from projections.rulebook import Rulebook, rulebook_document, rulebook_from_data

ORIGIN = "bench.pingyi.example/county-2026"
FIXED_TIME = datetime(2026, 11, 21, 9, 0, 0, tzinfo=UTC)
PG_ADMIN = os.environ.get("PINGYI_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/test")
PG_BENCH_DB = os.environ.get("PINGYI_BENCH_DB", "pingyi_bench")  # dropped and re-created per run
UNITS = [f"U{n:03d}" for n in range(1, 117)]  # a county's 116 rated units
RATINGS = ["满意 satisfied", "基本满意 fair", "不满意 poor", "不了解 unsure"]


def fixed_clock() -> datetime:
    return FIXED_TIME


def bench_key(label: str) -> Signer:
    """A deterministic BENCH key. The seeds are public: never use these for real logs."""
    return Signer.from_seed(f"pingyi BENCH key: {label}".encode())


ROOT = bench_key("root")
LOG = bench_key("log")
OFFICE = bench_key("office")
SUPERVISOR = bench_key("supervisor")


def sign(signer: Signer, type_: str, payload: dict[str, Any], rng: random.Random) -> Submission:
    statement = new_statement(
        log=ORIGIN,
        type=type_,
        payload=payload,
        signer=signer.key_id,
        time=FIXED_TIME,
        id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
    )
    return Submission.sign(signer, statement)


def create_ledger(url: str, seed: int = 2026) -> Ledger:
    """A new log with genesis, an office key, a supervisor key and an open campaign."""
    rng = random.Random(seed)
    ledger = Ledger.create(
        url,
        ORIGIN,
        deployment="BENCH county 2026",
        root=ROOT,
        log_signer=NoteSigner(ORIGIN, LOG.private_key),
        clock=fixed_clock,
    )
    key = {"key": OFFICE.public_b64, "holder": "office 1", "roles": ["registrar", "office"]}
    ledger.append([sign(ROOT, "key.register", key, rng)])
    key = {"key": SUPERVISOR.public_b64, "holder": "supervisor 1", "roles": ["supervisor"]}
    ledger.append([sign(OFFICE, "key.register", key, rng)])
    ledger.append([sign(OFFICE, "campaign.open", {"campaign": "c2026", "title": "2026 测评"}, rng)])
    return ledger


def finding_payload(n: int, kind: str, rng: random.Random) -> dict[str, Any]:
    """A ``finding.record`` payload.

    ``small``: a one-line summary (entry about 0.6 KB). ``ballot``: a summary
    rating all 116 units (about 2.5 KB of UTF-8; entry about 3 KB), the size of one ballot.
    """
    if kind == "small":
        summary = f"finding {n}: 窗口无人 window unattended at {rng.randrange(8, 18)}:00"
    elif kind == "ballot":
        summary = "; ".join(f"{unit} {rng.choice(RATINGS)}" for unit in UNITS)
    else:
        raise ValueError(f"unknown payload kind {kind!r}")
    return {
        "campaign": "c2026",
        "unit": UNITS[n % len(UNITS)],
        "rule": "attitude",
        "level": "bureau" if n % 3 else "county",
        "serious": n % 7 == 0,
        "summary": summary,
    }


def signed_findings(count: int, kind: str, seed: int) -> list[Submission]:
    rng = random.Random(seed)
    return [
        sign(SUPERVISOR, "finding.record", finding_payload(n, kind, rng), rng) for n in range(count)
    ]


# -- the seed-000-sized campaign (bench_bundle.py, bench_replay.py) ---------------------

LEVELS = ["very_satisfied", "satisfied", "basically_satisfied", "dissatisfied", "dont_know"]
SURVEY = ["satisfied", "basically_satisfied", "dissatisfied"]


def campaign_rulebook() -> Rulebook:
    """Preset 000 plus a survey, findings and bonuses/deductions."""
    data = rulebook_document(load_preset("000"))
    data["components"] += [
        {
            "key": "survey",
            "label": {"zh": "满意度回访", "en": "Satisfaction survey"},
            "max": "100",
            "rule": {
                "kind": "deduction_per_response",
                "levels": {
                    "satisfied": {"points": "0"},
                    "basically_satisfied": {"points": "0.1"},
                    "dissatisfied": {"points": "0.5"},
                },
            },
        },
        {
            "key": "findings",
            "label": {"zh": "监督检查", "en": "Findings"},
            "max": "100",
            "rule": {
                "kind": "deduction_per_finding",
                "levels": {"bureau": {"points": "1"}, "county": {"points": "2"}},
                "serious_multiplier": "2",
            },
        },
        {
            "key": "bonus",
            "label": {"zh": "加减分", "en": "Bonuses and deductions"},
            "rule": {
                "kind": "counted",
                "items": {"award": {"points": "1"}, "broken_promise": {"points": "-2"}},
            },
        },
    ]
    data["total"] = {
        "max": "100",
        "of": {"review": "0.1", "assembly": "0.5", "survey": "0.2", "findings": "0.2"},
        "adjustments": ["bonus"],
    }
    return rulebook_from_data(data)


# -- stores -----------------------------------------------------------------------------


@contextmanager
def sqlite_dir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="pingyi-bench-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


class PgBench:
    """Owns the ``pingyi_bench`` database: created on entry, dropped on exit."""

    def __init__(self, admin_url: str = PG_ADMIN, dbname: str = PG_BENCH_DB) -> None:
        self.admin_url = admin_url
        self.dbname = dbname
        base, _, _ = admin_url.rpartition("/")
        self.url = f"{base}/{dbname}"

    def __enter__(self) -> PgBench:
        with psycopg.connect(self.admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{self.dbname}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{self.dbname}"')
        return self

    def __exit__(self, *exc: object) -> None:
        with psycopg.connect(self.admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{self.dbname}" WITH (FORCE)')

    def new_schema(self) -> str:
        name = f"b_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{name}"')
        return name

    def drop_schema(self, name: str) -> None:
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{name}" CASCADE')

    def server_version(self) -> str:
        with psycopg.connect(self.admin_url) as conn:
            row = conn.execute("SHOW server_version").fetchone()
        return str(row[0]) if row else "?"


# -- timing and reporting ---------------------------------------------------------------


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def spread(values: Sequence[float]) -> str:
    """min–max of the repetitions, for the reader to judge the noise."""
    return f"{min(values):,.0f}–{max(values):,.0f}"


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def machine(pg: PgBench | None = None) -> str:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    from importlib.metadata import version

    parts = [
        f"{os.cpu_count()} cores ({cpu})",
        f"{memory} RAM",
        f"Linux {platform.release()}",
        f"Python {platform.python_version()}",
        f"SQLite {sqlite3.sqlite_version}",
        f"eventsourcing {version('eventsourcing')}",
        f"cryptography {version('cryptography')}",
        f"psycopg {version('psycopg')}",
    ]
    if pg is not None:
        parts.append(f"PostgreSQL {pg.server_version()}")
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=False,
            cwd=Path(__file__).parent,
        ).stdout.strip()
        if commit:
            parts.append(f"pingyi at {commit} (+ working tree)")
    except OSError:
        pass
    return "; ".join(parts)


# -- the raw eventsourcing baseline -------------------------------------------------------


class Stream(Aggregate):
    """One stream of recorded statements: the plain-eventsourcing twin of a pingyi log."""

    @event("Recorded")
    def record(self, statement: dict[str, Any], signature: str) -> None:
        """Carries the same statement dict and signature a pingyi entry stores."""


class Baseline(Application[uuid.UUID]):
    """A stock eventsourcing application on the same store settings as a pingyi Store."""

    name = "Baseline"

    def __init__(self, url: str) -> None:
        env = eventsourcing_env(url)
        env.pop("APPLICATION_RECORDER_TOPIC")  # the library's own recorder
        super().__init__(env=env)


SignatureJob = tuple[bytes, bytes, bytes]  # (public key, signature, signed message)
_FLOOR_JOBS: Sequence[SignatureJob] = ()  # inherited by the forked processes of the floor


def _check_range(bounds: tuple[int, int]) -> int:
    for i in range(*bounds):
        public, signature, message = _FLOOR_JOBS[i]
        if not ed25519.verify(public, signature, message):
            raise AssertionError(f"benchmark signature {i} does not verify")
    return bounds[1] - bounds[0]


def signature_floor(jobs: Sequence[SignatureJob], processes: int) -> None:
    """Check every signature with the rule verification uses, in ``processes`` forked processes.

    The cost of the signature checks alone: what verification cannot go below.
    """
    global _FLOOR_JOBS  # noqa: PLW0603
    _FLOOR_JOBS = jobs
    try:
        if processes == 1:
            _check_range((0, len(jobs)))
            return
        step = -(-len(jobs) // processes)
        ranges = [(i, min(i + step, len(jobs))) for i in range(0, len(jobs), step)]
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            assert sum(pool.map(_check_range, ranges)) == len(jobs)
    finally:
        _FLOOR_JOBS = ()
