"""Rule kinds: one module per kind, each a rulebook model plus a pure ``evaluate``.

``Rule`` is the tagged union (by ``kind``) used in a rulebook component;
``evaluator(rule)`` returns the pure function that scores it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated

from pydantic import Field

from projections.rules import (
    checklist,
    counted,
    deductions,
    forced_distribution,
    rating_mean,
    task_completion,
    tier_band,
)
from projections.rules.base import Applied, Evaluation, Scope
from projections.rules.checklist import ChecklistRule
from projections.rules.counted import CountedRule
from projections.rules.deductions import FindingDeductionRule, ResponseDeductionRule
from projections.rules.forced_distribution import ForcedDistributionRule
from projections.rules.rating_mean import RatingMeanRule
from projections.rules.task_completion import TaskCompletionRule
from projections.rules.tier_band import TierBandRule
from projections.rules.weighted_sum import WeightedSumRule

Rule = Annotated[
    RatingMeanRule
    | ForcedDistributionRule
    | ResponseDeductionRule
    | FindingDeductionRule
    | TierBandRule
    | CountedRule
    | ChecklistRule
    | TaskCompletionRule
    | WeightedSumRule,
    Field(discriminator="kind"),
]

KINDS: tuple[str, ...] = (
    "rating_mean",
    "forced_distribution",
    "deduction_per_response",
    "deduction_per_finding",
    "tier_band",
    "counted",
    "checklist",
    "task_completion",
    "weighted_sum",
)

# Kinds whose units may be "not assessed" (no counted fact): average substitution applies.
MAY_BE_UNASSESSED: frozenset[str] = frozenset(
    {"rating_mean", "forced_distribution", "tier_band", "task_completion"}
)

Evaluate = Callable[[Sequence[Applied], Scope], Evaluation]


def evaluator(rule: Rule) -> Evaluate | None:
    """The pure scoring function of a rule (``None`` for weighted sums)."""
    if isinstance(rule, RatingMeanRule):
        return lambda facts, scope: rating_mean.evaluate(rule, scope, facts)
    if isinstance(rule, ForcedDistributionRule):
        return lambda facts, scope: forced_distribution.evaluate(rule, scope, facts)
    if isinstance(rule, ResponseDeductionRule):
        return lambda facts, scope: deductions.evaluate_responses(rule, scope, facts)
    if isinstance(rule, FindingDeductionRule):
        return lambda facts, scope: deductions.evaluate_findings(rule, scope, facts)
    if isinstance(rule, TierBandRule):
        return lambda facts, scope: tier_band.evaluate(rule, scope, facts)
    if isinstance(rule, CountedRule):
        return lambda facts, scope: counted.evaluate(rule, scope, facts)
    if isinstance(rule, ChecklistRule):
        return lambda facts, scope: checklist.evaluate(rule, scope, facts)
    if isinstance(rule, TaskCompletionRule):
        return lambda facts, scope: task_completion.evaluate(rule, scope, facts)
    return None


__all__ = [
    "KINDS",
    "MAY_BE_UNASSESSED",
    "ChecklistRule",
    "CountedRule",
    "Evaluate",
    "FindingDeductionRule",
    "ForcedDistributionRule",
    "RatingMeanRule",
    "ResponseDeductionRule",
    "Rule",
    "TaskCompletionRule",
    "TierBandRule",
    "WeightedSumRule",
    "evaluator",
]
