"""Issue 4's measurements: credential ballots through the API, and a bulk survey import.

1. 300 anonymous ballots of 116 ratings each (seed 000), each signed with its
   own one-time credential, cast concurrently (32 client threads) through
   ``pingyi serve`` running in another process; ballots/s, p50/p99.
2. 55,000 survey responses (seed 002's survey component) bulk-imported by a
   survey operator in batches of 500 (``Ledger.append``), next to raw
   eventsourcing appends of the same statements in the same run.

    .venv/bin/python benchmarks/bench_conduct.py [--pg]
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_load import server  # type: ignore[import-not-found]
from common import LOG, ORIGIN, ROOT, Baseline, PgBench, Stream, machine, timed  # type: ignore[import-not-found]

from ledger.entry import Submission
from ledger.keys import Signer
from ledger.note import NoteSigner
from ledger.store.app import Ledger
from pingyi import conduct
from projections.policy import default_policies
from projections.presets import load_preset
from projections.rulebook import rulebook_document, rulebook_hash

LEVELS = ["very_satisfied", "satisfied", "basically_satisfied", "dissatisfied", "dont_know"]


def now() -> datetime:
    return datetime.now(UTC)


def open_campaign(url: str, preset: str, campaign: str, staff: Signer) -> None:
    rulebook = load_preset(preset)
    with Ledger.create(
        url,
        ORIGIN,
        deployment="BENCH",
        root=ROOT,
        log_signer=NoteSigner(ORIGIN, LOG.private_key),
        policies=default_policies(),
    ) as ledger:
        roles = ["registrar", "office", "survey_operator"]
        steps: list[tuple[Signer, str, dict[str, Any]]] = [
            (ROOT, "key.register", {"key": staff.public_b64, "holder": "staff", "roles": roles}),
            (
                staff,
                "rulebook.adopt",
                {
                    "campaign": campaign,
                    "rulebook": rulebook_document(rulebook),
                    "hash": rulebook_hash(rulebook),
                    "reason": "BENCH",
                },
            ),
            (staff, "campaign.open", {"campaign": campaign, "title": "BENCH"}),
        ]
        for signer, type_, payload in steps:
            ledger.append(
                [Submission.new(signer, log=ORIGIN, type=type_, payload=payload, time=now())]
            )


def ballots_through_api(url: str, tmp: Path, workers: int) -> dict[str, Any]:
    rng = random.Random(2026)
    staff = Signer.from_seed(rng.randbytes(32))
    open_campaign(url, "000", "c2026", staff)
    units = [u.code for u in load_preset("000").units]
    slips = conduct.new_slips(ORIGIN, "c2026", "assembly", "assembly", None, 300, rng.randbytes)
    with Ledger.open(url, policies=default_policies()) as ledger:
        window = {
            "campaign": "c2026",
            "window": "assembly",
            "component": "assembly",
            "mode": "credential",
            "title": "BENCH",
        }
        for type_, payload in (
            ("window.open", window),
            ("credential.issue", conduct.issue_payload(slips)),
        ):
            ledger.append(
                [Submission.new(staff, log=ORIGIN, type=type_, payload=payload, time=now())]
            )
    bodies = [
        json.dumps(
            conduct.cast(s, {u: rng.choice(LEVELS) for u in units}, now()).to_value()
        ).encode()
        for s in slips
    ]
    latencies: list[float] = []
    with server(url, workers, tmp) as (port, _):

        def post(body: bytes) -> float:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            start = time.perf_counter()
            conn.request("POST", "/v1/entries", body, {"Content-Type": "application/json"})
            answer = conn.getresponse()
            answer.read()
            conn.close()
            if answer.status != 201:
                raise RuntimeError(f"ballot refused: {answer.status}")
            return time.perf_counter() - start

        start = time.perf_counter()
        with ThreadPoolExecutor(32) as pool:
            latencies = list(pool.map(post, bodies))
        elapsed = time.perf_counter() - start
    with Ledger.open(url) as ledger:
        cast = sum(1 for e in ledger.entries(-1) if e.type == "ballot.cast")
    latencies.sort()
    return {
        "ballots": len(bodies),
        "in_log": cast,
        "per_s": len(bodies) / elapsed,
        "p50_ms": 1000 * statistics.median(latencies),
        "p99_ms": 1000 * latencies[int(0.99 * (len(latencies) - 1))],
    }


def survey_import(url: str, baseline_url: str, count: int) -> dict[str, Any]:
    rng = random.Random(55)
    staff = Signer.from_seed(rng.randbytes(32))
    open_campaign(url, "002", "q3", staff)
    units = [u.code for u in load_preset("002").units]
    levels = ["satisfied"] * 8 + ["basically_satisfied", "dissatisfied"]
    subs = [
        Submission.new(
            staff,
            log=ORIGIN,
            type="survey.response",
            time=now(),
            payload={
                "campaign": "q3",
                "unit": rng.choice(units),
                "component": "survey",
                "level": rng.choice(levels),
            },
        )
        for _ in range(count)
    ]
    with Ledger.open(url, policies=default_policies()) as ledger:
        seconds = timed(lambda: [ledger.append(subs[i : i + 500]) for i in range(0, count, 500)])
    app = Baseline(baseline_url)
    try:
        stream = Stream()
        app.save(stream)

        def raw() -> None:
            for i in range(0, count, 500):
                for s in subs[i : i + 500]:
                    stream.record(s.statement, s.signature)  # type: ignore[attr-defined]
                app.save(stream)

        raw_seconds = timed(raw)
    finally:
        app.close()
    return {"responses": count, "per_s": count / seconds, "raw_per_s": count / raw_seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pg", action="store_true", help="also on PostgreSQL (2 workers)")
    parser.add_argument("--responses", type=int, default=55_000)
    args = parser.parse_args()
    print(machine())
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        print("sqlite ballots:", ballots_through_api(f"sqlite:///{base / 'b.db'}", base, 1))
        print(
            "sqlite surveys:",
            survey_import(
                f"sqlite:///{base / 's.db'}", f"sqlite:///{base / 'raw.db'}", args.responses
            ),
        )
        if args.pg:
            with PgBench() as pg:
                s1, s2, s3 = pg.new_schema(), pg.new_schema(), pg.new_schema()
                print("postgres ballots:", ballots_through_api(f"{pg.url}?schema={s1}", base, 2))
                print(
                    "postgres surveys:",
                    survey_import(f"{pg.url}?schema={s2}", f"{pg.url}?schema={s3}", args.responses),
                )


if __name__ == "__main__":
    main()
