"""Explanations: every entry that moved a unit's score, and by how much.

For each component, the lines that add up to the unit's score (a start value,
each fact's effect, a floor or cap, a substitution, rounding), with each line's
effect on the total (its delta times the component's weight in the total).
The total deltas of all lines add up exactly to the unit's total. Facts that
do not count (withdrawn, overruled, invalid ballots, superseded, abstentions)
are listed with the reason, and so are the rulings about the unit's facts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from projections.decimals import exact_str, round_fraction
from projections.errors import FactError
from projections.facts import Fact, Ruling
from projections.result import Forfeit
from projections.rulebook import Rulebook
from projections.rules import WeightedSumRule
from projections.scoring import Worksheet, work


@dataclass(frozen=True)
class Amount:
    """A number as shown (rounded for display) and exactly."""

    shown: Decimal
    exact: str

    @classmethod
    def of(cls, value: Fraction, places: int) -> Amount:
        """Show ``value`` at ``places`` decimals (half-even), keeping the exact value."""
        return cls(round_fraction(value, places, "half_even"), exact_str(value))


@dataclass(frozen=True)
class ExplainedLine:
    """One move of a component score and its effect on the total."""

    entry: str | None
    index: int | None
    note: str
    delta: Amount
    total_delta: Amount | None


@dataclass(frozen=True)
class ComponentExplanation:
    """A component's score for the unit, the lines that make it, and its place in the total."""

    key: str
    zh: str
    en: str
    score: Decimal
    max: Decimal | None
    placement: str
    weight: str
    assessed: bool
    lines: tuple[ExplainedLine, ...]


@dataclass(frozen=True)
class ExcludedFact:
    """A fact about the unit that does not count, and why."""

    entry: str
    index: int
    kind: str
    component: str | None
    reason: str


@dataclass(frozen=True)
class RulingNote:
    """An appeal ruling about one of the unit's facts."""

    entry: str
    index: int
    target: str
    outcome: str
    adjusted: Decimal | None
    reason: str


@dataclass(frozen=True)
class Explanation:
    """Why a unit has its score, total, rank and bands."""

    rulebook_key: str
    rulebook_hash: str
    unit: str
    zh: str
    en: str
    category: str
    total: Decimal
    outside: tuple[tuple[str, Decimal], ...]
    rank: int | None
    tied: bool
    bands: tuple[str, ...]
    lists: tuple[str, ...]
    forfeit: Forfeit | None
    components: tuple[ComponentExplanation, ...]
    total_lines: tuple[ExplainedLine, ...]
    excluded: tuple[ExcludedFact, ...]
    rulings: tuple[RulingNote, ...]

    def total_check(self) -> Fraction:
        """The exact sum of every line's effect on the total (equals ``total``)."""
        lines = [ln for c in self.components for ln in c.lines] + list(self.total_lines)
        return sum(
            (Fraction(ln.total_delta.exact) for ln in lines if ln.total_delta is not None),
            Fraction(0),
        )


def explain(rulebook: Rulebook, facts: Iterable[Fact], unit: str) -> Explanation:
    """The explanation of one unit's result (pure: same inputs, same explanation)."""
    if rulebook.unit(unit) is None:
        raise FactError(f"unknown unit {unit!r}")
    return explain_from(work(rulebook, facts), unit)


def explain_from(sheet: Worksheet, unit: str) -> Explanation:
    """The explanation of one unit from an already computed worksheet."""
    rb = sheet.rulebook
    places = rb.rounding.display_places
    res = sheet.result.unit(unit)
    comps = []
    for comp, info in zip(rb.components, sheet.result.components, strict=True):
        weight = sheet.weights[comp.key]
        outcome = sheet.outcomes[comp.key][unit]
        is_sum = isinstance(comp.rule, WeightedSumRule)
        lines = tuple(
            ExplainedLine(
                ln.entry,
                ln.index,
                ln.note,
                Amount.of(ln.delta, places),
                None
                if ln.summary or info.placement == "outside"
                else Amount.of(ln.delta * weight, places),
            )
            for ln in outcome.lines
        )
        comps.append(
            ComponentExplanation(
                comp.key,
                comp.label.zh,
                comp.label.en,
                sheet.scores[comp.key][unit],
                comp.max,
                info.placement if not is_sum else f"{info.placement} (weighted sum)",
                exact_str(weight),
                outcome.assessed,
                lines,
            )
        )
    total_lines = tuple(
        ExplainedLine(None, None, ln.note, Amount.of(ln.delta, places), Amount.of(ln.delta, places))
        for ln in sheet.total_lines[unit]
    )
    excluded = tuple(
        ExcludedFact(e.entry, e.index, e.kind, e.component, e.reason)
        for e in sorted(sheet.excluded, key=lambda e: (e.index, e.entry, e.reason))
        if unit in e.units
    )
    rulings = tuple(
        RulingNote(r.entry, r.index, r.target, r.outcome, r.adjusted, r.reason)
        for r, units in sheet.rulings
        if isinstance(r, Ruling) and unit in units
    )
    return Explanation(
        rb.key,
        sheet.hash,
        unit,
        res.zh,
        res.en,
        res.category,
        res.total,
        res.outside,
        res.rank,
        res.tied,
        res.bands,
        res.lists,
        res.forfeit,
        tuple(comps),
        total_lines,
        excluded,
        rulings,
    )
