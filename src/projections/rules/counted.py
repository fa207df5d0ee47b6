"""Rule kind ``counted``: points per occurrence of an item, with a cap and a floor.

Items carry signed points (+2 per city-level endorsement, -10 per broken
promise) or are discretionary (points given with each fact, within a range).
The score starts at 0 (``start: zero``) or at the component max
(``start: full``, e.g. 15 minus 2 per task off schedule), then is held within
[floor, cap]. Where the total uses it (``total.of``, ``total.adjustments`` or
``total.outside``) decides whether it counts inside the total or beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Literal

from projections.decimals import exact_str
from projections.errors import Problem
from projections.facts import CountedItem, Fact
from projections.fields import Key, Label, Num, StrictModel
from projections.rules.ballots import level_text
from projections.rules.base import (
    Applied,
    Evaluation,
    Excluded,
    Line,
    Outcome,
    Scope,
    SpecContext,
    clamp,
    excluded,
    problem,
)


class Discretionary(StrictModel):
    """The range of points a discretionary item may be given per occurrence."""

    min: Num | None = None
    max: Num | None = None


class CountedEntry(StrictModel):
    """An item: fixed signed ``points`` per occurrence, or ``discretionary``."""

    label: Label | None = None
    points: Num | None = None
    discretionary: Discretionary | None = None


class CountedRule(StrictModel):
    """Sum of points per occurrence, from a start, within [floor, cap]."""

    kind: Literal["counted"]
    items: dict[Key, CountedEntry]
    start: Literal["zero", "full"] = "zero"
    cap: Num | None = None
    floor: Num | None = None

    def problems(self, ctx: SpecContext) -> list[Problem]:
        """Defects of this rule."""
        out: list[Problem] = []
        if not self.items:
            out.append(problem(ctx, "items", "at least one item is needed"))
        for key, item in self.items.items():
            if (item.points is None) == (item.discretionary is None):
                out.append(
                    problem(
                        ctx,
                        f"items.{key}",
                        "missing points (give points, or discretionary: {min, max})",
                    )
                )
            rng = item.discretionary
            if rng and rng.min is not None and rng.max is not None and rng.min > rng.max:
                out.append(problem(ctx, f"items.{key}.discretionary", "min is above max"))
        if self.start == "full" and ctx.component_max is None:
            out.append(problem(ctx, "start", "start: full needs the component's max"))
        if self.cap is not None and self.floor is not None and self.cap < self.floor:
            out.append(problem(ctx, "cap", "cap is below floor"))
        return out

    def points_problem(self, fact: CountedItem) -> str:
        """Why a fact's points do not fit its item, or ``""``."""
        item = self.items.get(fact.item)
        if item is None:
            return f"unknown item {fact.item!r} (known: {', '.join(self.items)})"
        if item.discretionary is None:
            return (
                "" if fact.points is None else f"item {fact.item} has fixed points; send no points"
            )
        if fact.points is None:
            return f"item {fact.item} is discretionary: send the points awarded"
        rng = item.discretionary
        if rng.min is not None and fact.points < rng.min:
            return f"points {fact.points} below the item's minimum {rng.min}"
        if rng.max is not None and fact.points > rng.max:
            return f"points {fact.points} above the item's maximum {rng.max}"
        return ""

    def check(self, fact: Fact, units: frozenset[str]) -> list[str]:
        """Why a counted item cannot be recorded."""
        if not isinstance(fact, CountedItem):
            return [f"a {fact.kind} cannot feed a counted component; send a CountedItem"]
        out = [] if fact.unit in units else [f"unknown unit {fact.unit!r}"]
        why = self.points_problem(fact)
        return out + ([why] if why else [])


def evaluate(rule: CountedRule, scope: Scope, facts: Sequence[Applied]) -> Evaluation:
    """Start, plus count x points of every item, held within [floor, cap]."""
    start = scope.max if rule.start == "full" and scope.max is not None else Fraction(0)
    per_unit: dict[str, list[Line]] = {}
    excl: list[Excluded] = []
    for applied in facts:
        fact = applied.fact
        why = rule.points_problem(fact) if isinstance(fact, CountedItem) else "not a counted item"
        if not why and isinstance(fact, CountedItem) and fact.unit not in scope.unit_set:
            why = f"unknown unit {fact.unit!r}"
        if why or not isinstance(fact, CountedItem):
            excl.append(excluded(applied, why, scope.component))
            continue
        item = rule.items[fact.item]
        each = Fraction(fact.points if fact.points is not None else item.points or 0)
        points = each * fact.count
        if applied.adjusted is not None:
            points = Fraction(applied.adjusted)
        sign = "+" if points >= 0 else ""
        times = f"{fact.count} x {exact_str(each)}" if fact.count != 1 else exact_str(each)
        note = f"{level_text(fact.item, item.label)}: {times} = {sign}{exact_str(points)}"
        if fact.note:
            note += f" ({fact.note})"
        per_unit.setdefault(fact.unit, []).append(
            Line(points, note + applied.ruling_note(), fact.entry, fact.index)
        )
    floor = Fraction(rule.floor) if rule.floor is not None else None
    cap = Fraction(rule.cap) if rule.cap is not None else None
    outcomes: dict[str, Outcome] = {}
    for unit in scope.units:
        lines: list[Line] = []
        if start:
            lines.append(Line(start, f"start from full marks: {exact_str(start)}"))
        lines += per_unit.get(unit, [])
        score = clamp(sum((ln.delta for ln in lines), Fraction(0)), lines, floor, cap)
        outcomes[unit] = Outcome(score, True, tuple(lines))
    return Evaluation(outcomes, tuple(excl))
