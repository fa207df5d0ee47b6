"""Rule kind ``tier_band``: a tier, and a value chosen inside the tier's range.

A supervisor places a unit in a tier (e.g. first tier 7-8 points) and picks the
value. With ``combine: latest`` (default) a later rating replaces an earlier
one; with ``combine: mean`` the values are averaged. A single tier spanning
0..max models points entered directly by the office.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Literal

from projections.decimals import exact_str
from projections.errors import Problem
from projections.facts import Fact, TierRating
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
    excluded,
    problem,
    supersede,
)


class Tier(StrictModel):
    """A tier and the range of values a rater may choose inside it."""

    label: Label | None = None
    min: Num
    max: Num


class TierBandRule(StrictModel):
    """A value inside the chosen tier's range."""

    kind: Literal["tier_band"]
    tiers: dict[Key, Tier]
    step: Num | None = None
    combine: Literal["latest", "mean"] = "latest"

    def problems(self, ctx: SpecContext) -> list[Problem]:
        """Defects of this rule."""
        out: list[Problem] = []
        if not self.tiers:
            out.append(problem(ctx, "tiers", "at least one tier is needed"))
        for key, tier in self.tiers.items():
            if tier.min > tier.max:
                out.append(problem(ctx, f"tiers.{key}", f"min {tier.min} is above max {tier.max}"))
            if tier.min < 0:
                out.append(problem(ctx, f"tiers.{key}.min", "must not be negative"))
            if ctx.component_max is not None and tier.max > ctx.component_max:
                out.append(
                    problem(
                        ctx,
                        f"tiers.{key}.max",
                        f"{tier.max} is above the component's max {ctx.component_max}",
                    )
                )
        if self.step is not None and self.step <= 0:
            out.append(problem(ctx, "step", "must be greater than 0"))
        return out

    def value_problem(self, tier_key: str, value: Fraction) -> str:
        """Why a value is not allowed in a tier, or ``""``."""
        tier = self.tiers.get(tier_key)
        if tier is None:
            return f"unknown tier {tier_key!r} (known: {', '.join(self.tiers)})"
        if not Fraction(tier.min) <= value <= Fraction(tier.max):
            return f"value {exact_str(value)} is outside tier {tier_key} ({tier.min}-{tier.max})"
        if (
            self.step is not None
            and ((value - Fraction(tier.min)) / Fraction(self.step)).denominator != 1
        ):
            return f"value {exact_str(value)} is not a multiple of the step {self.step} from {tier.min}"
        return ""

    def check(self, fact: Fact, units: frozenset[str]) -> list[str]:
        """Why a tier rating cannot be recorded."""
        if not isinstance(fact, TierRating):
            return [f"a {fact.kind} cannot feed a tier_band component; send a TierRating"]
        out = [] if fact.unit in units else [f"unknown unit {fact.unit!r}"]
        why = self.value_problem(fact.tier, Fraction(fact.value))
        return out + ([why] if why else [])


def _unit_key(fact: Fact) -> tuple[str, ...] | None:
    return (fact.unit,) if isinstance(fact, TierRating) else None


def evaluate(rule: TierBandRule, scope: Scope, facts: Sequence[Applied]) -> Evaluation:
    """The chosen value (latest, or mean of all) per unit."""
    excl: list[Excluded] = []
    valid: list[Applied] = []
    for applied in facts:
        fact = applied.fact
        if not isinstance(fact, TierRating) or fact.unit not in scope.unit_set:
            excl.append(excluded(applied, "not a tier rating of a known unit", scope.component))
            continue
        why = rule.value_problem(fact.tier, Fraction(fact.value))
        if why:
            excl.append(excluded(applied, why, scope.component))
            continue
        valid.append(applied)
    if rule.combine == "latest":
        valid, dropped = supersede(valid, _unit_key, scope.component)
        excl += dropped
    per_unit: dict[str, list[Applied]] = {}
    for applied in valid:
        assert isinstance(applied.fact, TierRating)
        per_unit.setdefault(applied.fact.unit, []).append(applied)
    outcomes: dict[str, Outcome] = {}
    for unit in scope.units:
        rated = per_unit.get(unit, [])
        if not rated:
            outcomes[unit] = Outcome(Fraction(0), False, ())
            continue
        lines = []
        for applied in rated:
            fact = applied.fact
            assert isinstance(fact, TierRating)
            value = Fraction(applied.adjusted if applied.adjusted is not None else fact.value)
            tier = rule.tiers[fact.tier]
            share = f", 1 of {len(rated)} ratings averaged" if len(rated) > 1 else ""
            lines.append(
                Line(
                    value / len(rated),
                    f"tier {level_text(fact.tier, tier.label)} ({tier.min}-{tier.max}), "
                    f"value {fact.value}{share}{applied.ruling_note()}",
                    fact.entry,
                    fact.index,
                )
            )
        outcomes[unit] = Outcome(sum((ln.delta for ln in lines), Fraction(0)), True, tuple(lines))
    return Evaluation(outcomes, tuple(excl))
