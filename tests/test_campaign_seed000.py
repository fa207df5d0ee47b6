"""A whole seed-000 campaign through signed entries, on SQLite and PostgreSQL.

Pool, both draws, both ballot components (credential ballots at the review
meeting, countersigned paper batches at the assembly), findings with evidence,
an approved bonus claim and an appeal with its ruling; then the ranking is
replayed and checked against values computed by hand below, the draws are
re-run from the log alone, the store verifies, and a voter's receipt checks.
"""

from __future__ import annotations

import random
from decimal import Decimal
from pathlib import Path

import pytest

from ledger import merkle
from ledger.note import NoteSigner
from ledger.store.app import Ledger
from pingyi import conduct
from pingyi.audit import verify_store
from pingyi.scenario import CAMPAIGN, POOL, Seed000, Staff
from projections.draw import run_draw
from projections.policy import default_policies
from projections.replay import replay
from tests.support import ORIGIN, fixed_clock, labelled_key
from vault.evidence import EvidenceStore
from vault.people import open_people_store


def rate(component: str, voter: int, unit: str) -> str:
    """Ballot spreads chosen so that a few units can be scored by hand."""
    if component == "review":  # 15 credential ballots, voters 0..14
        if unit == "TW01":
            return "very_satisfied" if voter < 10 else "satisfied"
        if unit == "TW02":
            return "dont_know" if voter < 5 else "basically_satisfied"
        return "satisfied"
    if unit == "TW01":  # 288 paper ballots, voters 0..287
        return "dissatisfied" if voter % 4 == 0 else "very_satisfied"
    if unit == "TW02":
        return "satisfied"
    return "satisfied" if voter % 2 else "very_satisfied"


@pytest.fixture
def campaign(store_url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    rng = random.Random(2026)
    staff = Staff.generate(lambda n: rng.getrandbits(8 * n).to_bytes(n, "big"))
    staff.root = labelled_key("root")
    log = NoteSigner(ORIGIN, labelled_key("log").private_key)
    Ledger.create(
        store_url, ORIGIN, deployment="TEST county", root=staff.root, log_signer=log
    ).close()
    ledger = Ledger.open(store_url, log_signer=log, clock=fixed_clock, policies=default_policies())
    people = open_people_store(f"sqlite:///{tmp_path / 'private.db'}")
    run = Seed000(
        ledger,
        staff,
        rng=rng,
        clock=fixed_clock,
        people=people,
        evidence=EvidenceStore(tmp_path / "evidence"),
        rate=rate,
    )
    outcome = run.run()
    yield ledger, run, outcome, people
    people.close()
    ledger.close()


def test_ranking_matches_hand_computed_values(campaign) -> None:  # type: ignore[no-untyped-def]
    ledger = campaign[0]
    result = replay(ledger.entries(-1), CAMPAIGN).result()
    scores = {u.code: u for u in result.units}
    # TW01: review (10×100 + 5×80)/15 = 93.333… → 93.33; assembly (72×40 + 216×100)/288 = 85.00;
    # one county-level serious finding (1 × 2 = 2) partly upheld on appeal: 1; one city
    # commendation approved: +1. Total 0.2×93.33 + 0.8×85 − 1 + 1 = 86.666 → 86.67.
    assert scores["TW01"].total == Decimal("86.67")
    # TW02: review abstains (不了解) do not count: 10 × 60 / 10 = 60; assembly 80 → 12 + 64 = 76.
    assert scores["TW02"].total == Decimal("76.00")
    # TW03: review 80, assembly (144×100 + 144×80)/288 = 90 → 16 + 72 = 88.
    assert scores["TW03"].total == Decimal("88.00")
    # TW08: as TW03, minus one bureau-level finding (0.5).
    assert scores["TW08"].total == Decimal("87.50")
    towns = sorted((u for u in result.units if u.category == "towns"), key=lambda u: u.rank or 0)
    assert towns[-1].code == "TW02" and "last" in towns[-1].bands
    assert len(result.units) == 116


def test_draws_rerun_from_the_log_alone(campaign) -> None:  # type: ignore[no-untyped-def]
    ledger, _, outcome, people = campaign
    state = conduct.Campaign(CAMPAIGN, ledger.entries(-1))
    members = state.members(POOL)
    assert len(members) == 800
    for draw, reveal in (("panel", outcome.panel), ("assembly", outcome.assembly)):
        again = run_draw(members, state.draw_commit(draw), reveal["values"], state.units)
        assert again.as_payload() == {
            "selected": reveal["selected"],
            "alternates": reveal["alternates"],
        }
    groups = {m["pseudonym"]: m["group"] for m in members}
    panel = outcome.panel["selected"]
    assert [groups[p] for p in panel["deputies"]] == ["npc_deputy"] * 5
    assert [groups[p] for p in panel["members"]] == ["cppcc_member"] * 5
    assembly = conduct.drawn(outcome.assembly)
    assert len(assembly) == 250 and len(set(assembly)) == 250
    assert sum(groups[p] in ("enterprise_head", "self_employed") for p in assembly) == 125
    assert not any(groups[p] == "unit_head" for p in assembly)
    assert len(outcome.assembly["alternates"]["owners"]) == 30
    # The private store opens every drawn person's commitment; the log holds none of their data.
    record = people.get(assembly[0])
    assert record is not None and record.commitment == next(
        m["commitment"] for m in members if m["pseudonym"] == assembly[0]
    )
    raw = b"".join(ledger.raw_entries(-1))
    assert (
        record.person.name.encode() not in raw and (record.person.phone or "x").encode() not in raw
    )


def test_store_verifies_and_a_voter_checks_their_receipt(campaign, store_url: str) -> None:  # type: ignore[no-untyped-def]
    ledger, _, outcome, _ = campaign
    report = verify_store(store_url, workers=1, policies=default_policies)
    assert not report.failures, report.failures
    slip = outcome.slips[3]
    mine = [
        e for e in ledger.entries(-1) if e.type == "ballot.cast" and e.signer == slip.signer.key_id
    ]
    assert len(mine) == 1 and mine[0].payload["ratings"]["TW01"] == "very_satisfied"
    checkpoint = ledger.checkpoint()
    proof = ledger.inclusion_proof(mine[0].index, checkpoint.size)
    merkle.verify_inclusion(
        merkle.leaf_hash(mine[0].raw), mine[0].index, checkpoint.size, proof, checkpoint.root
    )
    # the sixteenth slip never voted: it was declared unused when the window closed
    unused = next(e for e in ledger.entries(-1) if e.type == "window.close").payload["unused"]
    assert unused == [outcome.slips[15].signer.key_id]
