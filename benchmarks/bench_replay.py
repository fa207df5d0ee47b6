"""Benchmark: rebuild a seed-000-sized campaign's ranking from PostgreSQL, and incremental updates.

The campaign: preset 000 (116 units in 8 categories, review and assembly
rating_mean) plus a survey (deduction_per_response), findings
(deduction_per_finding) and bonuses/deductions (counted, inside the total);
10 review ballots and 300 assembly ballots each rating every unit, 55,000 survey
responses, 1,000 findings and 200 counted items, signed with TEST keys and
appended in batches through the ledger with the campaign policy.

Measured (medians of repeated runs, in one process; wall time, and the process's own
CPU time, which excludes PostgreSQL's work and is steadier on a shared machine):
- pure replay from the log: read entries from PostgreSQL, decode, map to facts, score,
  timed phase by phase (all entries decoded into a list first), and streamed as
  ``pingyi replay`` runs it (each entry decoded and folded as it is read, then scored);
- an explanation of one unit after the ranking (its lines are built on demand);
- the read model: full rebuild (project every entry), ranking from the read model;
- incremental: one new entry appended, then the read model catches up (select the
  new notification, insert its row, update log size and tracking in one transaction);
  and the ranking recomputed after it.

Run: .venv/bin/python benchmarks/bench_replay.py [--pg URL] [--small]
(the URL's database gets a fresh schema, dropped afterwards).
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import random
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path
from typing import Any

import psycopg
from common import LEVELS, SURVEY, campaign_rulebook

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ledger.entry import Entry, Submission, new_statement
from ledger.keys import Signer
from ledger.note import NoteSigner
from ledger.store.app import Ledger
from projections.policy import CampaignPolicy
from projections.replay import replay
from projections.rulebook import Rulebook, rulebook_document, rulebook_hash
from projections.view import ScoringView

ORIGIN = "bench.pingyi.example/replay"


def key(label: str) -> Signer:
    return Signer.from_seed(f"pingyi TEST key: {label}".encode())


def units_of(rb: Rulebook) -> list[str]:
    return [u.code for u in rb.units]


def payloads(rb: Rulebook, scale: int, rng: random.Random) -> list[tuple[str, dict[str, Any]]]:
    units = [u.code for u in rb.units]
    c = {"campaign": "c000"}
    out: list[tuple[str, dict[str, Any]]] = []
    for component, count in (("review", 10), ("assembly", 300 // scale)):
        for _ in range(count):
            ratings = {u: rng.choice(LEVELS) for u in units}
            out.append(("ballot.record", {**c, "component": component, "ratings": ratings}))
    for _ in range(55_000 // scale):
        unit, level = rng.choice(units), rng.choice(SURVEY)
        out.append(("survey.response", {**c, "unit": unit, "component": "survey", "level": level}))
    for n in range(1_000 // scale):
        out.append(
            (
                "finding.record",
                {
                    **c,
                    "unit": rng.choice(units),
                    "rule": "findings",
                    "level": rng.choice(["bureau", "county"]),
                    "serious": rng.random() < 0.1,
                    "summary": f"finding {n}",
                },
            )
        )
    for _ in range(200 // scale):
        item = rng.choice(["award", "broken_promise"])
        out.append(
            ("item.count", {**c, "unit": rng.choice(units), "component": "bonus", "item": item})
        )
    rng.shuffle(out)
    return out


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def cpu_timed(fn: Callable[[], Any]) -> tuple[float, float, Any]:
    """(wall seconds, this process's CPU seconds, value)."""
    start, cpu = time.perf_counter(), time.process_time()
    value = fn()
    return time.perf_counter() - start, time.process_time() - cpu, value


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--pg",
        default=os.environ.get("PINGYI_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test"),
    )
    parser.add_argument("--small", action="store_true", help="1/10 of the entries (a smoke run)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--increments", type=int, default=200)
    args = parser.parse_args()
    scale = 10 if args.small else 1
    schema = f"bench_replay_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(args.pg, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
        server = conn.execute("SHOW server_version").fetchone()[0]
    url = f"{args.pg}?schema={schema}"
    try:
        run(url, scale, args.repeat, args.increments, server)
    finally:
        with psycopg.connect(args.pg, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
    return 0


def run(url: str, scale: int, repeat: int, increments: int, server: str) -> None:
    rb = campaign_rulebook()
    root, log, staff = key("root"), key("log"), key("staff")
    roles = ["registrar", "office", "supervisor", "clerk", "survey_operator", "inspector"]

    def sign(type_: str, payload: dict[str, Any], signer: Signer = staff) -> Submission:
        statement = new_statement(
            log=ORIGIN, type=type_, payload=payload, signer=signer.key_id, time=datetime.now(UTC)
        )
        return Submission.sign(signer, statement)

    ledger = Ledger.create(
        url,
        ORIGIN,
        deployment="bench",
        root=root,
        log_signer=NoteSigner(ORIGIN, log.private_key),
        policies=[CampaignPolicy()],
    )
    ledger.append(
        [sign("key.register", {"key": staff.public_b64, "holder": "staff", "roles": roles}, root)]
    )
    doc = rulebook_document(rb)
    adopt = {"campaign": "c000", "rulebook": doc, "hash": rulebook_hash(rb), "reason": "bench"}
    ledger.append([sign("rulebook.adopt", adopt)])
    ledger.append([sign("campaign.open", {"campaign": "c000", "title": "seed 000 sized"})])
    facts = payloads(rb, scale, random.Random(0))
    start = time.perf_counter()
    subs = [sign(t, p) for t, p in facts]
    t_sign = time.perf_counter() - start
    start = time.perf_counter()
    for at in range(0, len(subs), 500):
        ledger.append(subs[at : at + 500])
    t_append = time.perf_counter() - start
    # The 56,510 signed submissions are the benchmark's own scaffolding: dropped so the
    # garbage collector does not walk them during the timings (`pingyi replay` holds none).
    n_facts = len(facts)
    del facts, subs
    gc.collect()
    size = ledger.size
    print(f"built: {size:,} entries (signed in {t_sign:.1f} s, appended in {t_append:.1f} s)")

    recorder = ledger.store.log_recorder

    def pure() -> tuple[tuple[float, float], ...]:
        r_wall, r_cpu, entries = cpu_timed(
            lambda: [Entry.from_bytes(raw) for raw in recorder.iter_entries(ledger.log_id)]
        )
        f_wall, f_cpu, state = cpu_timed(lambda: replay(entries, "c000"))
        s_wall, s_cpu, _ = cpu_timed(state.result)
        return (r_wall, r_cpu), (f_wall, f_cpu), (s_wall, s_cpu)

    def streamed() -> tuple[float, float]:
        # as `pingyi replay` does it: entries decoded as they are read, never all held
        def go() -> object:
            entries = (Entry.from_bytes(raw) for raw in recorder.iter_entries(ledger.log_id))
            return replay(entries, "c000").result()

        wall, cpu, _ = cpu_timed(go)
        return wall, cpu

    pure_runs = [pure() for _ in range(repeat)]
    stream_runs = [streamed() for _ in range(repeat)]
    state = replay((Entry.from_bytes(raw) for raw in recorder.iter_entries(ledger.log_id)), "c000")
    state.result()
    explains = []
    for unit in units_of(rb)[:repeat]:
        wall, cpu, _ = cpu_timed(partial(state.explain, unit))
        explains.append((wall, cpu))
    view = ScoringView(url)
    source = ledger.store.recorder
    rebuilds = [timed(lambda: view.rebuild(source))[0] for _ in range(repeat)]

    def from_view() -> tuple[tuple[float, float], ...]:
        l_wall, l_cpu, state = cpu_timed(lambda: view.replay(ledger.log_id, "c000"))
        s_wall, s_cpu, _ = cpu_timed(state.result)
        return (l_wall, l_cpu), (s_wall, s_cpu)

    view_runs = [from_view() for _ in range(repeat)]
    rng = random.Random(1)
    units = [u.code for u in rb.units]
    updates, appends = [], []
    for _ in range(increments):
        body = {
            "campaign": "c000",
            "unit": rng.choice(units),
            "component": "survey",
            "level": rng.choice(SURVEY),
        }
        sub = sign("survey.response", body)
        appends.append(timed(lambda sub=sub: ledger.append([sub]))[0])
        updates.append(timed(lambda: view.catch_up(source))[0])
    rerank = [timed(lambda: view.replay(ledger.log_id, "c000").result())[0] for _ in range(repeat)]
    view.close()
    ledger.close()

    def med(values: list[float]) -> float:
        return statistics.median(values)

    def both(runs: list[tuple[float, float]]) -> tuple[float, float]:
        """Median wall and median CPU of (wall, CPU) runs."""
        return med([r[0] for r in runs]), med([r[1] for r in runs])

    def cell(wall_cpu: tuple[float, float], bold: bool = False) -> str:
        wall, cpu = wall_cpu
        text = f"{wall:.2f} s | {cpu:.2f} s"
        return "**" + text.replace(" | ", "** | **") + "**" if bold else text

    r_read, r_fold, r_score = (both([r[i] for r in pure_runs]) for i in range(3))
    r_total = (r_read[0] + r_fold[0] + r_score[0], r_read[1] + r_fold[1] + r_score[1])
    v_load, v_score = (both([r[i] for r in view_runs]) for i in range(2))
    v_total = (v_load[0] + v_score[0], v_load[1] + v_score[1])
    p95 = sorted(updates)[int(len(updates) * 0.95) - 1]
    print()
    print(
        f"date: {date.today()}; machine: {os.cpu_count()} cores, Linux {platform.release()}, "
        f"Python {platform.python_version()}, PostgreSQL {server}"
    )
    print(f"entries in the log: {size:,} (campaign facts: {n_facts:,}); medians of {repeat} runs")
    print()
    print("| measurement | time | CPU of this process |")
    print("|---|---|---|")
    print(f"| pure replay from PostgreSQL: read + decode {size:,} entries | {cell(r_read)} |")
    print(f"| pure replay: entries to facts (fold) | {cell(r_fold)} |")
    print(f"| pure replay: score and rank | {cell(r_score)} |")
    print(f"| **pure replay, total of the phases** | {cell(r_total, True)} |")
    print(
        f"| **pure replay, streamed as `pingyi replay` runs it** | {cell(both(stream_runs), True)} |"
    )
    print(f"| explain one unit after the ranking | {cell(both(explains))} |")
    print(f"| read model: full rebuild (project every entry) | {med(rebuilds):.2f} s | |")
    print(f"| read model: load campaign rows and fold | {cell(v_load)} |")
    print(f"| read model: score and rank | {cell(v_score)} |")
    print(f"| **ranking from the read model, total** | {cell(v_total, True)} |")
    print(
        f"| append one entry (signature, policy, insert; median of {increments}) | {med(appends) * 1000:.2f} ms | |"
    )
    print(
        f"| **read model update after one new entry** (median of {increments}; p95) | **{med(updates) * 1000:.2f} ms** ({p95 * 1000:.2f} ms) | |"
    )
    print(f"| ranking recomputed after one new entry (read model) | {med(rerank):.2f} s | |")


if __name__ == "__main__":
    raise SystemExit(main())
