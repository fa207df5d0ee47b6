"""Rule kind ``rating_mean``: the mean of a rating scale, with an abstain level.

Each counted rating gives its level's points; an abstain level ("don't know")
is neither scored nor counted. A unit's score is the mean of its counted
ratings, scaled from ``scale_max`` to the component's ``max``. With voter
``groups``, each group's mean is weighted (groups with no counted rating drop
out and the others are re-weighted), or all ratings are pooled.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from typing import Literal

from pydantic import Field, StrictBool, StrictInt

from projections.decimals import exact_str
from projections.errors import Problem
from projections.facts import Ballot, Fact
from projections.fields import Key, Label, Num, StrictModel
from projections.rules.ballots import ballots, level_text, voter_text
from projections.rules.base import (
    ZERO_SCALE,
    Applied,
    Evaluation,
    Excluded,
    Line,
    Lines,
    Outcome,
    Scope,
    SpecContext,
    excluded,
    problem,
)


class RatingLevel(StrictModel):
    """A level of the scale: its points, or ``abstain: true`` (not counted)."""

    label: Label | None = None
    points: Num | None = None
    abstain: StrictBool = False


class VoterGroup(StrictModel):
    """A group of voters and the weight of its mean."""

    label: Label | None = None
    weight: Num


class RatingMeanRule(StrictModel):
    """Mean of the counted ratings, scaled to the component's max."""

    kind: Literal["rating_mean"]
    levels: dict[Key, RatingLevel]
    scale_max: Num | None = None
    groups: dict[Key, VoterGroup] = Field(default_factory=dict)
    group_mode: Literal["weighted", "pooled"] = "weighted"
    self_rating: Literal["include", "exclude"] = "include"
    min_ratings: StrictInt | None = None
    one_ballot_per_voter: StrictBool = True
    disclose_voters: StrictBool = False

    def top_points(self) -> Fraction:
        """The highest points of any level (the default ``scale_max``)."""
        points = [Fraction(lv.points) for lv in self.levels.values() if lv.points is not None]
        return max(points) if points else Fraction(0)

    def problems(self, ctx: SpecContext) -> list[Problem]:
        """Defects of this rule."""
        out: list[Problem] = []
        for key, level in self.levels.items():
            if level.abstain and level.points is not None:
                out.append(problem(ctx, f"levels.{key}", "an abstain level takes no points"))
            if not level.abstain and level.points is None:
                out.append(
                    problem(ctx, f"levels.{key}", "missing points (give points, or abstain: true)")
                )
            if level.points is not None and level.points < 0:
                out.append(problem(ctx, f"levels.{key}.points", "points must not be negative"))
        carries_points = any(lv.points is not None for lv in self.levels.values())
        if not carries_points:
            out.append(problem(ctx, "levels", "at least one level must carry points"))
        if self.scale_max is not None and self.scale_max <= 0:
            out.append(problem(ctx, "scale_max", "must be greater than 0"))
        elif self.scale_max is None and carries_points and self.top_points() == 0:
            out.append(problem(ctx, "levels", ZERO_SCALE))
        if self.groups:
            total = sum((Fraction(g.weight) for g in self.groups.values()), start=Fraction(0))
            if self.group_mode == "weighted" and total != 1:
                out.append(
                    problem(ctx, "groups", f"group weights add up to {exact_str(total)}, not 1")
                )
        if self.min_ratings is not None and self.min_ratings < 1:
            out.append(problem(ctx, "min_ratings", "must be at least 1"))
        return out

    def check(self, fact: Fact, units: frozenset[str]) -> list[str]:
        """Why a ballot cannot be recorded under this rule (empty when it can)."""
        if not isinstance(fact, Ballot):
            return [f"a {fact.kind} cannot feed a rating_mean component; send a Ballot"]
        out: list[str] = []
        if not fact.ratings:
            out.append("the ballot rates no unit")
        for unit, level in fact.ratings.items():
            if unit not in units:
                out.append(f"unknown unit {unit!r}")
            if level not in self.levels:
                out.append(
                    f"unknown level {level!r} for unit {unit!r} (known: {', '.join(self.levels)})"
                )
        if self.groups and fact.group not in self.groups:
            out.append(f"unknown voter group {fact.group!r} (known: {', '.join(self.groups)})")
        if not self.groups and fact.group is not None:
            out.append(f"this component has no voter groups, got group {fact.group!r}")
        if fact.voter_unit is not None and fact.voter_unit not in units:
            out.append(f"unknown voter unit {fact.voter_unit!r}")
        return out


def _why_not_counted(
    rule: RatingMeanRule,
    scope: Scope,
    abstain: Mapping[str, str],
    ballot: Ballot,
    unit: str,
    level_key: str,
) -> str:
    """Why one rating on a ballot does not count ("" when it counts).

    ``abstain`` holds the reason for each abstain level (see :func:`_abstentions`).
    """
    if unit not in scope.unit_set:
        return f"unknown unit {unit!r}"
    if level_key not in rule.levels:
        return f"unknown level {level_key!r}"
    if level_key in abstain:
        return abstain[level_key]
    if rule.self_rating == "exclude" and ballot.voter_unit == unit:
        return "a unit's own rating of itself does not count (self_rating: exclude)"
    return ""


def _abstentions(rule: RatingMeanRule) -> dict[str, str]:
    return {
        key: f"rated {level_text(key, level.label)}: not scored, not counted"
        for key, level in rule.levels.items()
        if level.abstain
    }


def evaluate(rule: RatingMeanRule, scope: Scope, facts: Sequence[Applied]) -> Evaluation:
    """Score every unit: the (group-weighted) mean of its counted ratings.

    The score comes from counts (unit -> group -> level -> ratings); the lines,
    one per counted rating, are built only when an explanation asks for them.
    """
    cast, dropped = ballots(facts, scope.component, rule.one_ballot_per_voter)
    excl: list[Excluded] = list(dropped)
    abstain = _abstentions(rule)
    scored = {k for k, lv in rule.levels.items() if not lv.abstain}
    exclude_self = rule.self_rating == "exclude"
    counted_ballots: list[tuple[Applied, Ballot, str]] = []
    # counts[group][unit][level key] -> number of counted ratings
    counts: dict[str, dict[str, dict[str, int]]] = {}
    for applied, ballot in cast:
        group = ballot.group or ""
        if rule.groups and group not in rule.groups:
            excl.append(excluded(applied, f"unknown voter group {ballot.group!r}", scope.component))
            continue
        counted_ballots.append((applied, ballot, group))
        by_unit = counts.setdefault(group, {})
        for unit, level_key in ballot.ratings.items():
            if (
                unit not in scope.unit_set
                or level_key not in scored
                or (exclude_self and ballot.voter_unit == unit)
            ):
                why = _why_not_counted(rule, scope, abstain, ballot, unit, level_key)
                excl.append(
                    Excluded(ballot.entry, ballot.index, ballot.kind, why, (unit,), scope.component)
                )
                continue
            by_level = by_unit.get(unit)
            if by_level is None:
                by_level = by_unit[unit] = {}
            by_level[level_key] = by_level.get(level_key, 0) + 1
    scale = Fraction(rule.scale_max) if rule.scale_max is not None else rule.top_points()
    factor = (scope.max if scope.max is not None else scale) / scale
    points = {k: Fraction(lv.points) for k, lv in rule.levels.items() if lv.points is not None}

    def lines_of(unit: str, shares: dict[str, tuple[Fraction, int]]) -> Callable[[], Lines]:
        def build() -> Lines:
            by_group: dict[str, list[tuple[Applied, Ballot, str]]] = {}
            for applied, ballot, group in counted_ballots:
                level_key = ballot.ratings.get(unit)
                if level_key is None or _why_not_counted(
                    rule, scope, abstain, ballot, unit, level_key
                ):
                    continue
                by_group.setdefault(group, []).append((applied, ballot, level_key))
            lines: list[Line] = []
            for group, ratings in sorted(by_group.items()):
                share, n = shares[group]
                for applied, ballot, level_key in ratings:
                    level = rule.levels[level_key]
                    delta = factor * share * points[level_key] / n
                    group_txt = f" in group {group}" if group else ""
                    lines.append(
                        Line(
                            delta,
                            f"rated {level_text(level_key, level.label, level.points)}"
                            f"{voter_text(ballot, rule.disclose_voters)}: 1 of {n} counted ratings"
                            f"{group_txt}{applied.ruling_note()}",
                            ballot.entry,
                            ballot.index,
                        )
                    )
            return tuple(lines)

        return build

    outcomes: dict[str, Outcome] = {}
    warnings: list[str] = []
    for unit in scope.units:
        by_group = {g: by_unit[unit] for g, by_unit in counts.items() if unit in by_unit}
        sizes = {g: sum(levels.values()) for g, levels in by_group.items()}
        n_all = sum(sizes.values())
        if rule.min_ratings is not None and 0 < n_all < rule.min_ratings:
            warnings.append(
                f"unit {unit}: {n_all} counted ratings on {scope.component}, "
                f"fewer than the minimum {rule.min_ratings}"
            )
        if n_all == 0:
            outcomes[unit] = Outcome(Fraction(0), False, ())
            continue
        shares = _group_shares(rule, sizes, n_all)
        score = Fraction(0)
        for group, levels in by_group.items():
            share, n = shares[group]
            total = sum((c * points[k] for k, c in levels.items()), Fraction(0))
            score += factor * share * total / n
        outcomes[unit] = Outcome(score, True, lines_of(unit, shares))
    return Evaluation(outcomes, tuple(excl), (), tuple(warnings))


def _group_shares(
    rule: RatingMeanRule, sizes: dict[str, int], n_all: int
) -> dict[str, tuple[Fraction, int]]:
    """Each group's share of the mean and the count its ratings are divided by."""
    if not rule.groups or rule.group_mode == "pooled":
        return {g: (Fraction(1), n_all) for g in sizes}
    present = {g: Fraction(rule.groups[g].weight) for g, n in sizes.items() if n}
    weight = sum(present.values(), Fraction(0))
    if weight == 0:
        return {g: (Fraction(1, len(present)), sizes[g]) for g in present}
    return {g: (w / weight, sizes[g]) for g, w in present.items()}
