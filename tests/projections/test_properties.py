"""Properties over random fact sequences (hypothesis)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from projections import explain, ranking_to_json, score
from projections.facts import (
    Ballot,
    ChecklistResult,
    CountedItem,
    Fact,
    Finding,
    SurveyResponse,
    TierRating,
    Withdrawal,
)
from tests.projections.scenarios import every_kind

RB = every_kind()
UNITS = st.sampled_from(["A", "B", "C", "D"])


def _fact(kind: int, unit: str, pick: int, flag: bool, n: int) -> Fact:
    meta: dict[str, Any] = {"entry": f"e{n}", "index": n}
    if kind == 0:
        return SurveyResponse(
            **meta,
            unit=unit,
            component="survey",
            level=["satisfied", "basically_satisfied", "dissatisfied"][pick % 3],
        )
    if kind == 1:
        return Finding(
            **meta,
            unit=unit,
            component="findings",
            level=["bureau", "county"][pick % 2],
            serious=flag,
        )
    if kind == 2:
        tier, value = [("high", 7), ("high", 10), ("low", 1), ("low", 6)][pick % 4]
        return TierRating(**meta, unit=unit, component="tiers", tier=tier, value=Decimal(value))
    if kind == 3:
        return Ballot(
            **meta, component="ratings", ratings={unit: ["good", "fair", "dont_know"][pick % 3]}
        )
    if kind == 4:
        order = ["A", "B", "C", "D"][pick % 4 :] + ["A", "B", "C", "D"][: pick % 4]
        levels = (
            ["top", "middle", "middle", "bottom"] if flag else ["top", "top", "middle", "bottom"]
        )
        return Ballot(**meta, component="peers", ratings=dict(zip(order, levels, strict=True)))
    if kind == 5:
        return ChecklistResult(
            **meta,
            unit=unit,
            component="checklist",
            item=["plan", "meetings", "report"][pick % 3],
            present=flag,
        )
    return CountedItem(
        **meta,
        unit=unit,
        component="learning" if flag else "bonus",
        item="visit" if flag else "prize",
        count=1 + pick % 3,
    )


@st.composite
def fact_lists(draw: st.DrawFn) -> list[Fact]:
    specs = draw(
        st.lists(
            st.tuples(st.integers(0, 6), UNITS, st.integers(0, 11), st.booleans()),
            max_size=25,
        )
    )
    return [_fact(k, u, p, f, n) for n, (k, u, p, f) in enumerate(specs, start=1)]


@settings(max_examples=60, deadline=None)
@given(facts=fact_lists(), data=st.data())
def test_score_does_not_depend_on_supply_order(facts: list[Fact], data: st.DataObject) -> None:
    shuffled = data.draw(st.permutations(facts))
    assert ranking_to_json(score(RB, shuffled)) == ranking_to_json(score(RB, facts))


@settings(max_examples=60, deadline=None)
@given(
    facts=fact_lists(),
    unit=UNITS,
    level=st.sampled_from(["bureau", "county"]),
    serious=st.booleans(),
    data=st.data(),
)
def test_adding_then_withdrawing_a_finding_changes_nothing(
    facts: list[Fact], unit: str, level: str, serious: bool, data: st.DataObject
) -> None:
    at = data.draw(st.integers(1000, 2000))
    finding = Finding(
        entry="added", index=at, unit=unit, component="findings", level=level, serious=serious
    )
    withdrawal = Withdrawal(
        entry="withdrawn", index=data.draw(st.integers(at + 1, 3000)), target="added"
    )
    assert ranking_to_json(score(RB, [*facts, finding, withdrawal])) == ranking_to_json(
        score(RB, facts)
    )


@settings(max_examples=40, deadline=None)
@given(facts=fact_lists(), unit=UNITS)
def test_explanation_lines_add_up_to_the_total(facts: list[Fact], unit: str) -> None:
    exp = explain(RB, facts, unit)
    assert exp.total_check() == Fraction(exp.total)
    for comp in exp.components:
        own = sum((Fraction(ln.delta.exact) for ln in comp.lines), Fraction(0))
        assert own == Fraction(comp.score)
