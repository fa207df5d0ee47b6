"""Checking a fact against a rulebook before its entry is appended.

:func:`check_fact` returns nothing or raises :class:`~projections.errors.FactError`
naming what is unknown (unit, component, level, tier, item, task, group,
deadline, list) and what is known. A ballot that breaks a forced distribution
is *not* refused here: it is recorded, and scoring excludes it with the reason.
"""

from __future__ import annotations

from projections.errors import FactError
from projections.facts import (
    DeadlineClosed,
    Fact,
    PreviousCampaignList,
    Ruling,
    Submission,
    Withdrawal,
    fact_component,
)
from projections.rulebook import Rulebook
from projections.rules import WeightedSumRule


def check_fact(rulebook: Rulebook, fact: Fact) -> None:
    """Raise FactError when ``fact`` names something the rulebook does not know."""
    problems = fact_problems(rulebook, fact)
    if problems:
        raise FactError("; ".join(problems), entry=fact.entry)


def fact_problems(rulebook: Rulebook, fact: Fact) -> list[str]:
    """Every reason ``fact`` cannot be recorded under ``rulebook`` (empty when it can)."""
    units = rulebook.unit_codes
    if isinstance(fact, Withdrawal | Ruling):
        return [] if fact.target else ["target must name an entry"]
    if isinstance(fact, Submission):
        out = [] if fact.unit in units else [f"unknown unit {fact.unit!r}"]
        return out + _deadline(rulebook, fact.deadline)
    if isinstance(fact, DeadlineClosed):
        return _deadline(rulebook, fact.deadline)
    if isinstance(fact, PreviousCampaignList):
        return _previous(rulebook, fact, units)
    key = fact_component(fact)
    component = rulebook.component(key) if key is not None else None
    if component is None:
        known = ", ".join(c.key for c in rulebook.components)
        return [f"unknown component {key!r} (known: {known})"]
    if isinstance(component.rule, WeightedSumRule):
        return [f"component {key!r} is a weighted sum of other components: send facts to its parts"]
    return component.rule.check(fact, units)


def _deadline(rulebook: Rulebook, key: str) -> list[str]:
    known = [d.key for d in rulebook.deadlines]
    if key in known:
        return []
    return [f"unknown deadline {key!r} (known: {', '.join(known) or 'none'})"]


def _previous(rulebook: Rulebook, fact: PreviousCampaignList, units: frozenset[str]) -> list[str]:
    forced = {c.forced.previous_list: c.forced.max for c in rulebook.candidates if c.forced}
    out = [f"unknown unit {u!r}" for u in fact.units if u not in units]
    if fact.list not in forced:
        out.append(f"no candidate list takes forced inclusions from {fact.list!r}")
    elif len(fact.units) > forced[fact.list]:
        out.append(f"{len(fact.units)} units named, at most {forced[fact.list]} are taken")
    if len(set(fact.units)) != len(fact.units):
        out.append("a unit is named twice")
    return out
