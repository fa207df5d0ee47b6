"""Rule kind ``weighted_sum``: a component made of other components.

``of`` maps component keys to weights; the component's score is the sum of
weight x (rounded) score of each. Its ``max`` must equal the sum of weight x max
of its parts. Scoring evaluates parts first (the rulebook refuses cycles).
"""

from __future__ import annotations

from typing import Literal

from projections.errors import Problem
from projections.facts import Fact
from projections.fields import Key, Num, StrictModel
from projections.rules.base import SpecContext, problem


class WeightedSumRule(StrictModel):
    """Sum of weight x score of other components."""

    kind: Literal["weighted_sum"]
    of: dict[Key, Num]

    def problems(self, ctx: SpecContext) -> list[Problem]:
        """Defects that need only this rule (references are checked by the rulebook)."""
        out: list[Problem] = []
        if not self.of:
            out.append(problem(ctx, "of", "name at least one component"))
        for key, weight in self.of.items():
            if weight < 0:
                out.append(problem(ctx, f"of.{key}", "weights must not be negative"))
        return out

    def check(self, fact: Fact, units: frozenset[str]) -> list[str]:
        """No fact feeds a weighted sum directly."""
        return [f"no fact feeds a weighted_sum component directly (got a {fact.kind})"]
