"""The campaign policy on append (SQLite and PostgreSQL) and in the offline verifier."""

from __future__ import annotations

from typing import Any

import pytest

from ledger.errors import PayloadError
from projections import explain, score
from projections.policy import CampaignPolicy, default_policies
from projections.replay import replay
from projections.rulebook import rulebook_document
from tests.projections.builders import edit
from tests.projections.ledger_world import ScoringWorld
from tests.projections.scenarios import every_kind
from verifier.log import verify_log
from verifier.report import Report

RB = every_kind()


def survey(unit: str = "A", level: str = "dissatisfied", campaign: str = "c1") -> dict[str, Any]:
    return {"campaign": campaign, "unit": unit, "component": "survey", "level": level}


def finding(unit: str = "A", campaign: str = "c1", **kw: Any) -> dict[str, Any]:
    body = {"campaign": campaign, "unit": unit, "rule": "findings", "level": "county"}
    return {**body, "serious": False, "summary": "窗口无人 window unattended", **kw}


def rejects(world: ScoringWorld, type_: str, payload: dict[str, Any], match: str) -> None:
    size = world.ledger.size
    with pytest.raises(PayloadError, match=match):
        world.record(type_, payload)
    assert world.ledger.size == size


def opened(world: ScoringWorld, campaign: str = "c1") -> None:
    world.adopt(campaign, RB)
    world.open(campaign)


def test_a_campaign_opens_only_after_adopting_a_rulebook(scoring: ScoringWorld) -> None:
    rejects(scoring, "campaign.open", {"campaign": "c1", "title": "t"}, "has no rulebook")
    rejects(scoring, "survey.response", survey(), "campaign 'c1' is not open")
    scoring.adopt("c1", RB)
    rejects(scoring, "survey.response", survey(), "is not open")  # adopted, not open yet
    scoring.open("c1")
    scoring.record("survey.response", survey())
    rejects(scoring, "campaign.open", {"campaign": "c1", "title": "t"}, "already opened")


def test_the_rulebook_is_frozen_once_open_and_changes_only_by_revision(
    scoring: ScoringWorld,
) -> None:
    opened(scoring)
    changed = edit(RB, ["title", "en"], "Revised")
    with pytest.raises(PayloadError, match=r"statement.type: .* frozen since it opened"):
        scoring.adopt("c1", changed)
    with pytest.raises(PayloadError, match="identical to the rulebook in force"):
        scoring.adopt("c1", RB, revise=True)
    scoring.adopt("c1", changed, revise=True)
    state = replay(scoring.ledger.entries(), "c1")
    assert [v.type for v in state.versions] == ["rulebook.adopt", "rulebook.revise"]
    assert state.result().rulebook_hash == state.hash == state.versions[-1].hash
    # as of the position before the revision, the first version is in force
    before = replay(scoring.ledger.entries(), "c1", as_of=state.versions[-1].index - 1)
    assert before.hash == state.versions[0].hash != state.hash


def test_a_rulebook_must_validate_and_carry_its_own_hash(scoring: ScoringWorld) -> None:
    document = rulebook_document(RB)
    rejects(
        scoring,
        "rulebook.adopt",
        {"campaign": "c1", "rulebook": document, "hash": "sha256:" + "0" * 64, "reason": "r"},
        r"statement.payload.hash: the rulebook hashes to sha256:",
    )
    broken = {**document, "total": {**document["total"], "max": "81"}}
    rejects(
        scoring,
        "rulebook.adopt",
        {"campaign": "c1", "rulebook": broken, "hash": "sha256:" + "0" * 64, "reason": "r"},
        r"(?s)statement.payload.rulebook: rulebook rejected: .*total.of: weights do not add up",
    )


@pytest.mark.parametrize(
    ("type_", "payload", "message"),
    [
        ("survey.response", survey(unit="Z"), "statement.payload: unknown unit 'Z'"),
        ("survey.response", survey(level="angry"), "unknown level 'angry'"),
        (
            "survey.response",
            {**survey(), "component": "nope"},
            "unknown component 'nope'",
        ),
        ("finding.record", finding(unit="Q"), "unknown unit 'Q'"),
        (
            "tier.rate",
            {"campaign": "c1", "unit": "A", "component": "tiers", "tier": "high", "value": "6"},
            r"value 6 is outside tier high \(7-10\)",
        ),
        (
            "ballot.record",
            {"campaign": "c1", "component": "peers", "ratings": {"A": "top", "X": "top"}},
            "unknown unit 'X'",
        ),
        (
            "survey.response",
            survey(campaign="c9"),
            "campaign 'c9' is not open and has no rulebook",
        ),
    ],
    ids=["unit", "level", "component", "finding-unit", "tier-range", "ballot-unit", "campaign"],
)
def test_facts_naming_unknown_things_are_rejected_on_append(
    scoring: ScoringWorld, type_: str, payload: dict[str, Any], message: str
) -> None:
    opened(scoring)
    rejects(scoring, type_, payload, message)


def test_withdrawals_and_appeals_target_an_entry_of_the_same_campaign(
    scoring: ScoringWorld,
) -> None:
    opened(scoring, "c1")
    opened(scoring, "c2")
    mine = scoring.record("finding.record", finding())
    other = scoring.record("finding.record", finding(campaign="c2"))
    response = scoring.record("survey.response", survey())
    rejects(
        scoring,
        "finding.withdraw",
        {"campaign": "c1", "finding": other.id, "reason": "x"},
        "belongs to campaign 'c2', not 'c1'",
    )
    rejects(
        scoring,
        "finding.withdraw",
        {"campaign": "c1", "finding": response.id, "reason": "x"},
        "is a survey.response, not a finding",
    )
    rejects(
        scoring,
        "appeal.file",
        {"campaign": "c1", "target": "00000000-0000-4000-8000-000000000000", "reason": "x"},
        "statement.payload.target: no entry",
    )
    rejects(
        scoring,
        "appeal.rule",
        {"campaign": "c1", "target": mine.id, "outcome": "partly_upheld", "reason": "x"},
        "partly_upheld ruling needs adjusted points",
    )
    scoring.record("appeal.file", {"campaign": "c1", "target": mine.id, "reason": "not us"})
    scoring.record("campaign.close", {"campaign": "c1"})
    rejects(scoring, "survey.response", survey(), "was closed at entry")
    scoring.record(
        "appeal.rule",
        {
            "campaign": "c1",
            "target": mine.id,
            "outcome": "partly_upheld",
            "adjusted": "1",
            "reason": "half",
        },
    )
    state = replay(scoring.ledger.entries(), "c1")
    exp = state.explain("A")
    assert [r.outcome for r in exp.rulings] == ["partly_upheld"]
    assert exp == explain(state.rulebook, state.facts, "A")


def test_a_rejected_batch_leaves_no_trace_in_the_policy(scoring: ScoringWorld) -> None:
    opened(scoring)
    good = scoring.sign("finding.record", finding())
    bad = scoring.sign("survey.response", survey(unit="Z"))
    with pytest.raises(PayloadError, match="unknown unit 'Z'"):
        scoring.ledger.append([good, bad])
    rejects(
        scoring,
        "finding.withdraw",
        {"campaign": "c1", "finding": good.id, "reason": "x"},
        "no entry",
    )
    scoring.record("survey.response", survey())  # the index the batch would have used
    rejects(
        scoring,
        "finding.withdraw",
        {"campaign": "c1", "finding": good.id, "reason": "x"},
        "no entry",
    )


def test_an_invalid_ballot_is_recorded_excluded_and_explained(scoring: ScoringWorld) -> None:
    opened(scoring)
    scoring.record(
        "ballot.record",
        {
            "campaign": "c1",
            "component": "peers",
            "ratings": dict(zip("ABCD", ["top", "middle", "middle", "bottom"], strict=True)),
        },
    )
    bad = scoring.record(
        "ballot.record",
        {
            "campaign": "c1",
            "component": "peers",
            "ratings": dict(zip("ABCD", ["top", "top", "middle", "bottom"], strict=True)),
        },
    )
    state = replay(scoring.ledger.entries(), "c1")
    result = state.result()
    assert [b.entry for b in result.invalid_ballots] == [bad.id]
    assert result.unit("A").score("peers") == 10
    reasons = [e.reason for e in state.explain("B").excluded if e.entry == bad.id]
    assert reasons and "breaks the forced distribution" in reasons[0]
    assert result == score(state.rulebook, state.facts)


def test_the_verifier_replays_the_policy(scoring: ScoringWorld) -> None:
    opened(scoring)
    scoring.record("survey.response", survey())
    raw = list(scoring.ledger.raw_entries())
    report = Report(subject="test")
    verify_log(raw, [], report=report, policies=default_policies(), workers=1)
    assert report.ok, report.first_failure
    # a log appended without the policy: the verifier names the entry it would have refused
    scoring.ledger.state.policies = ()
    scoring.record("survey.response", survey(unit="Z"))
    report = Report(subject="test")
    verify_log(
        scoring.ledger.raw_entries(), [], report=report, policies=[CampaignPolicy()], workers=1
    )
    assert report.first_failure is not None
    assert (report.first_failure.index, report.first_failure.check) == (len(raw), "policy")
    assert "unknown unit 'Z'" in str(report.first_failure)
