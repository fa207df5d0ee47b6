"""check_fact refuses facts naming unknown units, components, levels and the like."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from projections import check_fact
from projections.errors import FactError
from projections.facts import (
    Ballot,
    ChecklistResult,
    CountedItem,
    DeadlineClosed,
    Fact,
    Finding,
    PreviousCampaignList,
    Ruling,
    Submission,
    SurveyResponse,
    TaskReport,
    TierRating,
    Withdrawal,
)
from tests.projections.scenarios import every_kind

RB = every_kind()
M: dict[str, Any] = {"entry": "e1", "index": 1}

GOOD: list[Fact] = [
    Ballot(**M, component="ratings", ratings={"A": "good", "B": "dont_know"}),
    Ballot(
        **M, component="peers", ratings={"A": "top", "B": "top", "C": "top", "D": "top"}
    ),  # broken: recorded
    SurveyResponse(**M, unit="A", component="survey", level="dissatisfied"),
    Finding(**M, unit="A", component="findings", level="county", serious=True),
    TierRating(**M, unit="A", component="tiers", tier="high", value=Decimal(8)),
    CountedItem(**M, unit="A", component="bonus", item="info", points=Decimal("0.5")),
    CountedItem(**M, unit="A", component="learning", item="visit", count=2),
    ChecklistResult(**M, unit="A", component="checklist", item="plan", present=True),
    TaskReport(**M, unit="B", component="tasks", task="T1", percent=Decimal(70)),
    Submission(**M, unit="A", deadline="report", on_time=True),
    DeadlineClosed(**M, deadline="report"),
    PreviousCampaignList(**M, list="watch", units=("D",)),
    Withdrawal(**M, target="e0"),
    Ruling(**M, target="e0", outcome="rejected"),
]


@pytest.mark.parametrize("fact", GOOD, ids=lambda f: f.kind)
def test_good_facts_pass(fact: Fact) -> None:
    check_fact(RB, fact)


BAD: list[tuple[Fact, str]] = [
    (SurveyResponse(**M, unit="Z", component="survey", level="dissatisfied"), "unknown unit 'Z'"),
    (
        SurveyResponse(**M, unit="A", component="speed", level="dissatisfied"),
        "unknown component 'speed'",
    ),
    (SurveyResponse(**M, unit="A", component="survey", level="angry"), "unknown level 'angry'"),
    (Ballot(**M, component="ratings", ratings={"Z": "good"}), "unknown unit 'Z'"),
    (Ballot(**M, component="ratings", ratings={"A": "superb"}), "unknown level 'superb'"),
    (Ballot(**M, component="ratings", ratings={"A": "good"}, group="youth"), "no voter groups"),
    (Ballot(**M, component="peers", ratings={"A": "first"}), "unknown level 'first'"),
    (Finding(**M, unit="A", component="findings", level="province"), "unknown level 'province'"),
    (
        Finding(**M, unit="A", component="survey", level="county"),
        "cannot feed a deduction_per_response",
    ),
    (
        TierRating(**M, unit="A", component="tiers", tier="high", value=Decimal(5)),
        "outside tier high",
    ),
    (TierRating(**M, unit="A", component="tiers", tier="high", value=Decimal("7.5")), "step"),
    (CountedItem(**M, unit="A", component="bonus", item="info"), "discretionary"),
    (
        CountedItem(**M, unit="A", component="bonus", item="info", points=Decimal(2)),
        "above the item's maximum",
    ),
    (
        CountedItem(**M, unit="A", component="bonus", item="prize", points=Decimal(2)),
        "fixed points",
    ),
    (CountedItem(**M, unit="A", component="bonus", item="medal"), "unknown item 'medal'"),
    (
        ChecklistResult(**M, unit="A", component="checklist", item="budget", present=True),
        "unknown item 'budget'",
    ),
    (
        TaskReport(**M, unit="C", component="tasks", task="T1", percent=Decimal(70)),
        "not assigned to unit 'C'",
    ),
    (
        TaskReport(**M, unit="A", component="tasks", task="T9", percent=Decimal(70)),
        "unknown task 'T9'",
    ),
    (
        TaskReport(**M, unit="A", component="tasks", task="T1", percent=Decimal(170)),
        "not between 0 and 100",
    ),
    (TierRating(**M, unit="A", component="core", tier="high", value=Decimal(8)), "weighted sum"),
    (Submission(**M, unit="A", deadline="budget", on_time=True), "unknown deadline 'budget'"),
    (PreviousCampaignList(**M, list="watch", units=("C", "D")), "at most 1 are taken"),
    (PreviousCampaignList(**M, list="stars", units=("C",)), "no candidate list takes"),
]


@pytest.mark.parametrize(("fact", "why"), BAD, ids=[w for _, w in BAD])
def test_bad_facts_are_refused_with_the_reason(fact: Fact, why: str) -> None:
    with pytest.raises(FactError, match=why.replace("(", r"\(")) as err:
        check_fact(RB, fact)
    assert err.value.entry == "e1"


def test_facts_refuse_floats_and_bad_rulings() -> None:
    with pytest.raises(FactError, match="float"):
        TierRating(**M, unit="A", component="tiers", tier="high", value=8.0)  # type: ignore[arg-type]
    with pytest.raises(FactError, match="partly_upheld ruling needs adjusted"):
        Ruling(**M, target="e0", outcome="partly_upheld")
    with pytest.raises(FactError, match="index"):
        Finding(entry="e", index=-1, unit="A", component="findings", level="county")
