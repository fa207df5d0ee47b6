"""Rule kind ``task_completion``: tasks done on schedule, weighted by role.

Each task assigned to a unit (in the rulebook's ``tasks``) scores a fraction:
1 when done on schedule (a system in debugging counts as done); 0 when under
``threshold`` percent done on schedule; between the threshold and 100%,
``partial: pro_rata`` (percent / 100, the default) or ``partial: from_threshold``
(0 at the threshold rising to 1 at 100%). A task with no report is not done.
The unit's score is ``max x sum(weight x fraction) / sum(weight)`` over its
tasks, the weight being its role's (lead 1, supporting 0.5).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Literal

from projections.decimals import exact_str
from projections.errors import Problem
from projections.facts import Fact, TaskReport
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


class Role(StrictModel):
    """A role a unit can have in a task (lead, supporting) and its weight."""

    label: Label | None = None
    weight: Num


class Task(StrictModel):
    """A task of the plan and the role of each unit assigned to it."""

    key: Key
    label: Label | None = None
    assigned: dict[Key, Key]


class TaskCompletionRule(StrictModel):
    """Weighted mean of task completion fractions, scaled to the component's max."""

    kind: Literal["task_completion"]
    roles: dict[Key, Role]
    threshold: Num = Decimal(60)
    partial: Literal["pro_rata", "from_threshold"] = "pro_rata"
    tasks: tuple[Task, ...] = ()

    def problems(self, ctx: SpecContext) -> list[Problem]:
        """Defects of this rule."""
        out: list[Problem] = []
        if ctx.component_max is None:
            out.append(
                problem(ctx, "", "task completion is scaled to the component's max: give one")
            )
        if not self.roles:
            out.append(problem(ctx, "roles", "at least one role is needed"))
        for key, role in self.roles.items():
            if role.weight <= 0:
                out.append(problem(ctx, f"roles.{key}.weight", "must be greater than 0"))
        if not 0 <= self.threshold <= 100:
            out.append(problem(ctx, "threshold", "a percentage between 0 and 100"))
        seen: set[str] = set()
        for i, task in enumerate(self.tasks):
            if task.key in seen:
                out.append(problem(ctx, f"tasks[{i}].key", f"duplicate task {task.key!r}"))
            seen.add(task.key)
            for unit, role_key in task.assigned.items():
                if unit not in ctx.units:
                    out.append(problem(ctx, f"tasks[{i}].assigned.{unit}", "unknown unit"))
                if role_key not in self.roles:
                    out.append(
                        problem(ctx, f"tasks[{i}].assigned.{unit}", f"unknown role {role_key!r}")
                    )
        return out

    def task(self, key: str) -> Task | None:
        """The task with this key."""
        return next((t for t in self.tasks if t.key == key), None)

    def check(self, fact: Fact, units: frozenset[str]) -> list[str]:
        """Why a task report cannot be recorded."""
        if not isinstance(fact, TaskReport):
            return [f"a {fact.kind} cannot feed a task_completion component; send a TaskReport"]
        out = [] if fact.unit in units else [f"unknown unit {fact.unit!r}"]
        task = self.task(fact.task)
        if task is None:
            out.append(f"unknown task {fact.task!r}")
        elif fact.unit not in task.assigned:
            out.append(f"task {fact.task!r} is not assigned to unit {fact.unit!r}")
        if fact.percent is not None and not 0 <= fact.percent <= 100:
            out.append(f"percent {fact.percent} is not between 0 and 100")
        if fact.percent is None and not (fact.done_on_schedule or fact.system_in_debugging):
            out.append("give percent done on schedule, or done_on_schedule: true")
        return out

    def fraction(self, report: TaskReport, adjusted: Decimal | None) -> tuple[Fraction, str]:
        """The fraction of a task's marks a report earns, and why."""
        if adjusted is None and report.done_on_schedule:
            return Fraction(1), "done on schedule"
        if adjusted is None and report.system_in_debugging:
            return Fraction(1), "system in debugging: counts as done"
        pct = Fraction(adjusted if adjusted is not None else (report.percent or 0))
        threshold = Fraction(self.threshold)
        if pct < threshold:
            return Fraction(0), f"{exact_str(pct)}% done on schedule, under {self.threshold}%: 0"
        if pct >= 100:
            return Fraction(1), "100% done on schedule"
        if self.partial == "pro_rata":
            return pct / 100, f"{exact_str(pct)}% done on schedule: pro rata"
        return (pct - threshold) / (100 - threshold), (
            f"{exact_str(pct)}% done on schedule: linear from {self.threshold}%"
        )


def _task_key(fact: Fact) -> tuple[str, ...] | None:
    return (fact.unit, fact.task) if isinstance(fact, TaskReport) else None


def evaluate(rule: TaskCompletionRule, scope: Scope, facts: Sequence[Applied]) -> Evaluation:
    """Weighted mean of the completion of each unit's assigned tasks."""
    excl: list[Excluded] = []
    known: list[Applied] = []
    for applied in facts:
        fact = applied.fact
        task = rule.task(fact.task) if isinstance(fact, TaskReport) else None
        if not isinstance(fact, TaskReport) or task is None:
            excl.append(excluded(applied, "unknown task", scope.component))
        elif fact.unit not in task.assigned:
            excl.append(
                excluded(
                    applied, f"task {fact.task} is not assigned to {fact.unit}", scope.component
                )
            )
        else:
            known.append(applied)
    kept, dropped = supersede(known, _task_key, scope.component)
    excl += dropped
    reports = {(a.fact.unit, a.fact.task): a for a in kept if isinstance(a.fact, TaskReport)}
    full = scope.max if scope.max is not None else Fraction(0)
    outcomes: dict[str, Outcome] = {}
    for unit in scope.units:
        mine = [(t, rule.roles[t.assigned[unit]]) for t in rule.tasks if unit in t.assigned]
        if not mine:
            outcomes[unit] = Outcome(Fraction(0), False, ())
            continue
        weight_sum = sum((Fraction(role.weight) for _, role in mine), Fraction(0))
        lines: list[Line] = []
        for task, role in mine:
            weight = Fraction(role.weight)
            role_txt = level_text(task.assigned[unit], role.label)
            name = level_text(task.key, task.label)
            found = reports.get((unit, task.key))
            if found is None:
                lines.append(
                    Line(
                        Fraction(0),
                        f"task {name} ({role_txt}, weight {role.weight}): "
                        "missing from the score sheet, counts as not done: 0",
                    )
                )
                continue
            assert isinstance(found.fact, TaskReport)
            part, why = rule.fraction(found.fact, found.adjusted)
            delta = full * weight * part / weight_sum
            lines.append(
                Line(
                    delta,
                    f"task {name} ({role_txt}, weight {role.weight} of {exact_str(weight_sum)}): "
                    f"{why}{found.ruling_note()}",
                    found.fact.entry,
                    found.fact.index,
                )
            )
        outcomes[unit] = Outcome(sum((ln.delta for ln in lines), Fraction(0)), True, tuple(lines))
    return Evaluation(outcomes, tuple(excl))
