"""Rule kind ``forced_distribution``: ballots that must give each level exactly its quota.

A ballot that breaks the distribution (e.g. three "excellent" where exactly two
are required) is invalid: it is recorded, excluded from the score, and shown
in the explanation with the reason. A unit's score is the mean of the points
it received on valid ballots, scaled from ``scale_max`` to the component max.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from fractions import Fraction
from typing import Literal

from pydantic import StrictBool, StrictInt

from projections.errors import Problem
from projections.facts import Ballot, Fact
from projections.fields import Key, Label, Num, StrictModel
from projections.rules.ballots import ballots, level_text, voter_text
from projections.rules.base import (
    ZERO_SCALE,
    Applied,
    Evaluation,
    Excluded,
    InvalidBallot,
    Line,
    Outcome,
    Scope,
    SpecContext,
    problem,
)


class QuotaLevel(StrictModel):
    """A level with its points and the exact number of units a ballot must give it."""

    label: Label | None = None
    points: Num | None = None
    quota: StrictInt | None = None


class ForcedDistributionRule(StrictModel):
    """Mean points over valid ballots; invalid ballots are recorded and excluded."""

    kind: Literal["forced_distribution"]
    levels: dict[Key, QuotaLevel]
    scale_max: Num | None = None
    self_rating: Literal["include", "exclude"] = "include"
    one_ballot_per_voter: StrictBool = True
    disclose_voters: StrictBool = False

    def problems(self, ctx: SpecContext) -> list[Problem]:
        """Defects of this rule."""
        out: list[Problem] = []
        if not self.levels:
            out.append(problem(ctx, "levels", "at least one level is needed"))
        for key, level in self.levels.items():
            if level.points is None:
                out.append(problem(ctx, f"levels.{key}", "missing points"))
            elif level.points < 0:
                out.append(problem(ctx, f"levels.{key}.points", "points must not be negative"))
            if level.quota is None:
                out.append(
                    problem(
                        ctx,
                        f"levels.{key}",
                        "missing quota (how many units a ballot must give this level)",
                    )
                )
            elif level.quota < 0:
                out.append(problem(ctx, f"levels.{key}.quota", "quota must not be negative"))
        if self.quota_total() > len(ctx.units) and ctx.units:
            out.append(
                problem(
                    ctx,
                    "levels",
                    f"quotas add up to {self.quota_total()} units, more than the {len(ctx.units)} units",
                )
            )
        if self.scale_max is not None and self.scale_max <= 0:
            out.append(problem(ctx, "scale_max", "must be greater than 0"))
        elif self.scale_max is None and self.levels and self.top_points() == 0:
            out.append(problem(ctx, "levels", ZERO_SCALE))
        return out

    def quota_total(self) -> int:
        """How many units a valid ballot rates."""
        return sum(lv.quota or 0 for lv in self.levels.values())

    def top_points(self) -> Fraction:
        """The highest points of any level (the default ``scale_max``)."""
        return max(
            (Fraction(lv.points) for lv in self.levels.values() if lv.points is not None),
            default=Fraction(0),
        )

    def check(self, fact: Fact, units: frozenset[str]) -> list[str]:
        """Unknown units or levels are refused; a broken distribution is recorded (and invalid)."""
        if not isinstance(fact, Ballot):
            return [f"a {fact.kind} cannot feed a forced_distribution component; send a Ballot"]
        out = [f"unknown unit {u!r}" for u in fact.ratings if u not in units]
        out += [
            f"unknown level {lv!r} for unit {u!r} (known: {', '.join(self.levels)})"
            for u, lv in fact.ratings.items()
            if lv not in self.levels
        ]
        if fact.group is not None:
            out.append(f"this component has no voter groups, got group {fact.group!r}")
        if fact.voter_unit is not None and fact.voter_unit not in units:
            out.append(f"unknown voter unit {fact.voter_unit!r}")
        return out

    def invalid_reason(self, ballot: Ballot, units: frozenset[str]) -> str:
        """Why a ballot breaks the rule, or ``""`` when it is valid."""
        unknown = sorted(u for u in ballot.ratings if u not in units)
        if unknown:
            return f"rates unknown units {', '.join(unknown)}"
        bad = sorted({lv for lv in ballot.ratings.values() if lv not in self.levels})
        if bad:
            return f"uses unknown levels {', '.join(bad)}"
        given = Counter(ballot.ratings.values())
        wrong = [
            f"{key}: {given.get(key, 0)} given, exactly {lv.quota} required"
            for key, lv in self.levels.items()
            if given.get(key, 0) != lv.quota
        ]
        if wrong:
            return "breaks the forced distribution (" + "; ".join(wrong) + ")"
        return ""


def evaluate(rule: ForcedDistributionRule, scope: Scope, facts: Sequence[Applied]) -> Evaluation:
    """Mean points per unit over valid ballots."""
    cast, dropped = ballots(facts, scope.component, rule.one_ballot_per_voter)
    excl: list[Excluded] = list(dropped)
    invalid: list[InvalidBallot] = []
    received: dict[str, list[tuple[Applied, Ballot, str]]] = {}
    for applied, ballot in cast:
        reason = rule.invalid_reason(ballot, scope.unit_set)
        if reason:
            units = tuple(ballot.ratings)
            invalid.append(
                InvalidBallot(ballot.entry, ballot.index, scope.component, reason, units)
            )
            excl.append(
                Excluded(
                    ballot.entry,
                    ballot.index,
                    ballot.kind,
                    f"invalid ballot: {reason}",
                    units,
                    scope.component,
                )
            )
            continue
        for unit, level_key in ballot.ratings.items():
            if rule.self_rating == "exclude" and ballot.voter_unit == unit:
                excl.append(
                    Excluded(
                        ballot.entry,
                        ballot.index,
                        ballot.kind,
                        "a unit's own rating of itself does not count (self_rating: exclude)",
                        (unit,),
                        scope.component,
                    )
                )
                continue
            received.setdefault(unit, []).append((applied, ballot, level_key))
    scale = Fraction(rule.scale_max) if rule.scale_max is not None else rule.top_points()
    factor = (scope.max if scope.max is not None else scale) / scale
    outcomes: dict[str, Outcome] = {}
    for unit in scope.units:
        got = received.get(unit, [])
        if not got:
            outcomes[unit] = Outcome(Fraction(0), False, ())
            continue
        n = len(got)
        lines = []
        for applied, ballot, level_key in got:
            level = rule.levels[level_key]
            assert level.points is not None
            lines.append(
                Line(
                    factor * Fraction(level.points) / n,
                    f"rated {level_text(level_key, level.label, level.points)}"
                    f"{voter_text(ballot, rule.disclose_voters)}: 1 of {n} valid ballots"
                    f"{applied.ruling_note()}",
                    ballot.entry,
                    ballot.index,
                )
            )
        outcomes[unit] = Outcome(sum((ln.delta for ln in lines), Fraction(0)), True, tuple(lines))
    return Evaluation(outcomes, tuple(excl), tuple(invalid), ())
