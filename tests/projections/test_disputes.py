"""Withdrawals and appeal rulings change the score as the issue says, and show in explanations."""

from __future__ import annotations

from collections.abc import Callable

from projections import explain, explanation_text, score
from projections.facts import Fact, Finding, Ruling, Withdrawal
from tests.projections.builders import D, Log
from tests.projections.scenarios import every_kind, every_kind_facts

RB = every_kind()


def serious_finding(facts: list[Fact]) -> Finding:
    return next(f for f in facts if isinstance(f, Finding) and f.serious)


def with_fact(fact_builder: Callable[[Finding, int], Fact]) -> tuple[list[Fact], Finding]:
    facts = every_kind_facts()
    target = serious_finding(facts)
    extra = fact_builder(target, 1000)
    return [*facts, extra], target


def test_upheld_removes_the_target() -> None:
    # A: 10 - 1 - 4 = 5; the serious county finding removed: 10 - 1 = 9
    facts, target = with_fact(
        lambda t, i: Ruling(
            entry="r", index=i, target=t.entry, outcome="upheld", reason="not verified"
        )
    )
    assert score(RB, facts).unit("A").score("findings") == D("9.00")
    exp = explain(RB, facts, "A")
    assert any(e.entry == target.entry and "upheld by ruling r" in e.reason for e in exp.excluded)
    assert [r.outcome for r in exp.rulings] == ["upheld"]


def test_partly_upheld_replaces_the_points() -> None:
    # the serious county finding (4) adjusted to 2: 10 - 1 - 2 = 7
    facts, _ = with_fact(
        lambda t, i: Ruling(
            entry="r", index=i, target=t.entry, outcome="partly_upheld", adjusted=D("2")
        )
    )
    assert score(RB, facts).unit("A").score("findings") == D("7.00")
    assert "adjusted to 2 by ruling r" in explanation_text(explain(RB, facts, "A"))


def test_rejected_changes_nothing_but_is_shown() -> None:
    facts, _ = with_fact(
        lambda t, i: Ruling(entry="r", index=i, target=t.entry, outcome="rejected")
    )
    assert score(RB, facts).unit("A").score("findings") == D("5.00")
    text = explanation_text(explain(RB, facts, "A"))
    assert "objection rejected by ruling r" in text and "rejected" in text


def test_the_latest_ruling_decides() -> None:
    facts, target = with_fact(
        lambda t, i: Ruling(entry="r1", index=i, target=t.entry, outcome="upheld")
    )
    facts.append(Ruling(entry="r2", index=1001, target=target.entry, outcome="rejected"))
    assert score(RB, facts).unit("A").score("findings") == D("5.00")


def test_withdrawal_removes_the_target() -> None:
    facts, target = with_fact(
        lambda t, i: Withdrawal(entry="w", index=i, target=t.entry, reason="entered twice")
    )
    assert score(RB, facts).unit("A").score("findings") == D("9.00")
    reasons = [e.reason for e in explain(RB, facts, "A").excluded if e.entry == target.entry]
    assert reasons == ["withdrawn by entry w: entered twice"]


def test_ruling_on_an_entry_with_no_fact_is_a_warning() -> None:
    facts = [*every_kind_facts(), Ruling(entry="r", index=999, target="nope", outcome="upheld")]
    assert any("targets entry nope" in w for w in score(RB, facts).warnings)


def test_partly_upheld_on_a_ballot_cannot_adjust_it() -> None:
    log = Log()
    ballot = log.ballot("ratings", {"A": "good"})
    facts = [
        ballot,
        Ruling(entry="r", index=50, target=ballot.entry, outcome="partly_upheld", adjusted=D("1")),
    ]
    result = score(RB, facts)
    assert result.unit("A").score("ratings") == D("10.00")
    assert any("no points to adjust" in w for w in result.warnings)
