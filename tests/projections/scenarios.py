"""The worked scenario on vectors/rulebooks/valid/every-kind.yaml (quoted in docs/rulebooks.md)."""

from __future__ import annotations

from pathlib import Path

from projections.facts import DeadlineClosed, Fact, PreviousCampaignList, Submission
from projections.rulebook import Rulebook, load_rulebook
from tests.projections.builders import D, Log

VECTORS = Path(__file__).parent / "vectors"


def every_kind() -> Rulebook:
    """The valid rulebook that uses every rule kind."""
    return load_rulebook(
        (VECTORS / "rulebooks" / "valid" / "every-kind.yaml").read_text(encoding="utf-8")
    )


def every_kind_facts() -> list[Fact]:
    """Facts for every rule kind; the expected numbers are in test_every_kind.py."""
    log = Log()
    # rating_mean
    log.ratings("ratings", "A", ["good", "fair", "dont_know"])
    # deduction_per_response
    log.response("A", "survey", "basically_satisfied")
    log.response("A", "survey", "dissatisfied", times=2)
    log.response("B", "survey", "dissatisfied", times=6)
    # deduction_per_finding
    log.finding("A", "findings", "bureau")
    log.finding("A", "findings", "county", serious=True)
    # tier_band (C and D are not assessed: average)
    log.tier("A", "tiers", "high", 9)
    log.tier("B", "tiers", "low", 5)
    # forced_distribution: two valid ballots, one invalid
    log.ballot("peers", {"A": "top", "B": "middle", "C": "middle", "D": "bottom"})
    log.ballot("peers", {"B": "top", "A": "middle", "C": "middle", "D": "bottom"})
    log.ballot("peers", {"A": "top", "B": "top", "C": "middle", "D": "bottom"})
    # checklist
    log.check("A", "checklist", "plan", False)
    log.check("A", "checklist", "meetings", False)
    log.check("A", "checklist", "report", True)
    log.check("B", "checklist", "plan", True)
    log.check("B", "checklist", "meetings", False)
    # task_completion
    log.task("A", "tasks", "T1", done_on_schedule=True)
    log.task("A", "tasks", "T2", percent=D("80"))
    log.task("B", "tasks", "T1", percent=D("50"))
    # counted, inside (capped) and outside the total
    log.item("A", "learning", "visit", count=4)
    log.item("A", "bonus", "prize")
    log.item("A", "bonus", "info", points="0.4")
    # campaign facts: D is forced onto the worst list; every unit hands in on time
    log.add(PreviousCampaignList(**log.next_meta(), list="watch", units=("D",), source="last year"))
    for unit in "ABCD":
        log.add(Submission(**log.next_meta(), unit=unit, deadline="report", on_time=True))
    log.add(DeadlineClosed(**log.next_meta(), deadline="report"))
    return log.facts
