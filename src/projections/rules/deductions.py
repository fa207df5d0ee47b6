"""Rule kinds that start from full marks and deduct per fact.

``deduction_per_response``: each survey response deducts its level's points
(e.g. -1 per "basically satisfied", -2 per "dissatisfied" of 20).

``deduction_per_finding``: each verified finding deducts its level's points
(e.g. -1 bureau level, -2 county level), times ``serious_multiplier`` when
marked serious.

Both stop at ``floor`` (default 0). A partly-upheld ruling replaces the
deduction of the fact it targets with its ``adjusted`` points.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Literal

from projections.decimals import exact_str
from projections.errors import Problem
from projections.facts import Fact, Finding, SurveyResponse
from projections.fields import Key, Label, Num, StrictModel
from projections.rules.ballots import level_text
from projections.rules.base import (
    Applied,
    Evaluation,
    Excluded,
    Line,
    Lines,
    Outcome,
    Scope,
    SpecContext,
    clamp,
    excluded,
    problem,
)

_PointsOf = Callable[[Fact, "DeductionLevel"], tuple[Fraction, str]]
# Facts with equal keys deduct equal points (the level, and for findings seriousness).
_KeyOf = Callable[[Fact], Hashable]


class DeductionLevel(StrictModel):
    """A response or verification level and the points it deducts."""

    label: Label | None = None
    points: Num | None = None


def _level_problems(levels: dict[str, DeductionLevel], ctx: SpecContext) -> list[Problem]:
    out: list[Problem] = []
    if not levels:
        out.append(problem(ctx, "levels", "at least one level is needed"))
    for key, level in levels.items():
        if level.points is None:
            out.append(
                problem(ctx, f"levels.{key}", "missing points (the points one such fact deducts)")
            )
        elif level.points < 0:
            out.append(
                problem(
                    ctx, f"levels.{key}.points", "write deductions as positive points to deduct"
                )
            )
    if ctx.component_max is None:
        out.append(problem(ctx, "", "a start-from-full rule needs the component's max"))
    return out


class ResponseDeductionRule(StrictModel):
    """Start from full; deduct per survey response by level; stop at the floor."""

    kind: Literal["deduction_per_response"]
    levels: dict[Key, DeductionLevel]
    floor: Num | None = Decimal(0)

    def problems(self, ctx: SpecContext) -> list[Problem]:
        """Defects of this rule."""
        return _level_problems(self.levels, ctx)

    def check(self, fact: Fact, units: frozenset[str]) -> list[str]:
        """Why a response cannot be recorded."""
        if not isinstance(fact, SurveyResponse):
            return [
                f"a {fact.kind} cannot feed a deduction_per_response component; send a SurveyResponse"
            ]
        out = [] if fact.unit in units else [f"unknown unit {fact.unit!r}"]
        if fact.level not in self.levels:
            out.append(f"unknown level {fact.level!r} (known: {', '.join(self.levels)})")
        return out


class FindingDeductionRule(StrictModel):
    """Start from full; deduct per finding by level, times a multiplier when serious."""

    kind: Literal["deduction_per_finding"]
    levels: dict[Key, DeductionLevel]
    serious_multiplier: Num = Decimal(1)
    floor: Num | None = Decimal(0)

    def problems(self, ctx: SpecContext) -> list[Problem]:
        """Defects of this rule."""
        out = _level_problems(self.levels, ctx)
        if self.serious_multiplier < 1:
            out.append(problem(ctx, "serious_multiplier", "must be at least 1"))
        return out

    def check(self, fact: Fact, units: frozenset[str]) -> list[str]:
        """Why a finding cannot be recorded."""
        if not isinstance(fact, Finding):
            return [f"a {fact.kind} cannot feed a deduction_per_finding component; send a Finding"]
        out = [] if fact.unit in units else [f"unknown unit {fact.unit!r}"]
        if fact.level not in self.levels:
            out.append(f"unknown level {fact.level!r} (known: {', '.join(self.levels)})")
        return out


def _deduct(
    levels: dict[str, DeductionLevel],
    floor: Fraction | None,
    scope: Scope,
    facts: Sequence[Applied],
    points_of: _PointsOf,
    key_of: _KeyOf,
) -> Evaluation:
    """Full marks minus each fact's points, held at the floor.

    The score is computed from counts: facts with the same ``key_of`` deduct the
    same points, so each unit's deduction is a sum over keys of count x points
    (plus the adjusted points of facts a ruling adjusted), exact. The lines, one
    per fact, are built only when an explanation asks for them (:class:`Outcome`).
    """
    full = scope.max if scope.max is not None else Fraction(0)
    per_unit: dict[str, list[Applied]] = {}
    counts: dict[str, dict[Hashable, int]] = {}
    adjusted: dict[str, Fraction] = {}
    points: dict[Hashable, Fraction] = {}
    excl: list[Excluded] = []
    for applied in facts:
        fact = applied.fact
        unit = getattr(fact, "unit", "")
        level_key = getattr(fact, "level", "")
        level = levels.get(level_key)
        if unit not in scope.unit_set or level is None or level.points is None:
            why = (
                f"unknown unit {unit!r}"
                if unit not in scope.unit_set
                else f"unknown level {level_key!r}"
            )
            excl.append(excluded(applied, why, scope.component))
            continue
        mine = per_unit.get(unit)
        if mine is None:
            mine = per_unit[unit] = []
        mine.append(applied)
        if applied.adjusted is not None:
            adjusted[unit] = adjusted.get(unit, Fraction(0)) + Fraction(applied.adjusted)
            continue
        key = key_of(fact)
        if key not in points:
            points[key] = points_of(fact, level)[0]
        by_key = counts.get(unit)
        if by_key is None:
            by_key = counts[unit] = {}
        by_key[key] = by_key.get(key, 0) + 1

    def lines_of(unit: str) -> Callable[[], Lines]:
        def build() -> Lines:
            lines = [Line(full, f"start from full marks: {exact_str(full)}")]
            for applied in per_unit.get(unit, []):
                fact = applied.fact
                level = levels[getattr(fact, "level", "")]
                deducted, text = points_of(fact, level)
                note = f"{text}: -{exact_str(deducted)}{applied.ruling_note()}"
                if applied.adjusted is not None:
                    deducted = Fraction(applied.adjusted)
                lines.append(Line(-deducted, note, fact.entry, fact.index))
            clamp(sum((ln.delta for ln in lines), Fraction(0)), lines, floor, None)
            return tuple(lines)

        return build

    outcomes: dict[str, Outcome] = {}
    for unit in scope.units:
        deducted = adjusted.get(unit, Fraction(0))
        for key, n in counts.get(unit, {}).items():
            deducted += n * points[key]
        score = full - deducted
        if floor is not None and score < floor:
            score = floor
        outcomes[unit] = Outcome(score, True, lines_of(unit))
    return Evaluation(outcomes, tuple(excl))


def evaluate_responses(
    rule: ResponseDeductionRule, scope: Scope, facts: Sequence[Applied]
) -> Evaluation:
    """Full marks minus each response's level points."""

    def points_of(fact: Fact, level: DeductionLevel) -> tuple[Fraction, str]:
        assert level.points is not None
        key = getattr(fact, "level", "")
        return Fraction(level.points), f"response {level_text(key, level.label)}"

    def key_of(fact: Fact) -> Hashable:
        return getattr(fact, "level", "")

    floor = Fraction(rule.floor) if rule.floor is not None else None
    return _deduct(rule.levels, floor, scope, facts, points_of, key_of)


def evaluate_findings(
    rule: FindingDeductionRule, scope: Scope, facts: Sequence[Applied]
) -> Evaluation:
    """Full marks minus each finding's level points (times the multiplier when serious)."""

    def points_of(fact: Fact, level: DeductionLevel) -> tuple[Fraction, str]:
        assert level.points is not None and isinstance(fact, Finding)
        points = Fraction(level.points)
        text = f"finding verified at {level_text(fact.level, level.label, level.points)}"
        if fact.serious:
            points *= Fraction(rule.serious_multiplier)
            text += f", serious x{rule.serious_multiplier}"
        if fact.note:
            text += f" ({fact.note})"
        return points, text

    def key_of(fact: Fact) -> Hashable:
        return (getattr(fact, "level", ""), bool(getattr(fact, "serious", False)))

    floor = Fraction(rule.floor) if rule.floor is not None else None
    return _deduct(rule.levels, floor, scope, facts, points_of, key_of)
