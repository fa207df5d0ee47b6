"""Rule kind ``checklist``: start from full, deduct for each item found absent.

An item may ``require`` others: its deduction applies only when every item it
requires is present (seed 004: "no regular progress meetings -2" applies only
once a head is responsible; without one, -4 already covers it). An item with
no result recorded counts as absent (``missing: absent``, the default) or as
present (``missing: present``). A later result for the same item replaces an
earlier one.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Literal

from projections.decimals import exact_str
from projections.errors import Problem
from projections.facts import ChecklistResult, Fact
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
    supersede,
)


class ChecklistItem(StrictModel):
    """An item, the points deducted when it is absent, and the items it requires."""

    label: Label | None = None
    deduct: Num | None = None
    requires: tuple[Key, ...] = ()


class ChecklistRule(StrictModel):
    """Full marks minus the deductions of absent items, down to the floor."""

    kind: Literal["checklist"]
    items: dict[Key, ChecklistItem]
    missing: Literal["absent", "present"] = "absent"
    floor: Num | None = Decimal(0)

    def problems(self, ctx: SpecContext) -> list[Problem]:
        """Defects of this rule."""
        out: list[Problem] = []
        if not self.items:
            out.append(problem(ctx, "items", "at least one item is needed"))
        if ctx.component_max is None:
            out.append(
                problem(ctx, "", "a checklist starts from full marks: give the component a max")
            )
        for key, item in self.items.items():
            if item.deduct is None:
                out.append(
                    problem(
                        ctx,
                        f"items.{key}",
                        "missing points: give deduct (points taken when absent)",
                    )
                )
            elif item.deduct < 0:
                out.append(
                    problem(ctx, f"items.{key}.deduct", "write deductions as positive points")
                )
            for i, req in enumerate(item.requires):
                if req not in self.items:
                    out.append(problem(ctx, f"items.{key}.requires[{i}]", f"unknown item {req!r}"))
                elif req == key:
                    out.append(
                        problem(ctx, f"items.{key}.requires[{i}]", "an item cannot require itself")
                    )
        for key in self._cycle():
            out.append(problem(ctx, f"items.{key}.requires", "requirements form a cycle"))
        return out

    def _cycle(self) -> list[str]:
        """Items on a requirement cycle."""
        bad: list[str] = []
        for start in self.items:
            seen: set[str] = set()
            stack = list(self.items[start].requires)
            while stack:
                cur = stack.pop()
                if cur == start:
                    bad.append(start)
                    break
                if cur in seen or cur not in self.items:
                    continue
                seen.add(cur)
                stack.extend(self.items[cur].requires)
        return bad

    def check(self, fact: Fact, units: frozenset[str]) -> list[str]:
        """Why a checklist result cannot be recorded."""
        if not isinstance(fact, ChecklistResult):
            return [f"a {fact.kind} cannot feed a checklist component; send a ChecklistResult"]
        out = [] if fact.unit in units else [f"unknown unit {fact.unit!r}"]
        if fact.item not in self.items:
            out.append(f"unknown item {fact.item!r} (known: {', '.join(self.items)})")
        return out


def _item_key(fact: Fact) -> tuple[str, ...] | None:
    return (fact.unit, fact.item) if isinstance(fact, ChecklistResult) else None


def evaluate(rule: ChecklistRule, scope: Scope, facts: Sequence[Applied]) -> Evaluation:
    """Full marks minus the deductions of absent items whose requirements are present."""
    excl: list[Excluded] = []
    known: list[Applied] = []
    for applied in facts:
        fact = applied.fact
        if (
            isinstance(fact, ChecklistResult)
            and fact.unit in scope.unit_set
            and fact.item in rule.items
        ):
            known.append(applied)
        else:
            excl.append(excluded(applied, "unknown unit or item", scope.component))
    kept, dropped = supersede(known, _item_key, scope.component)
    excl += dropped
    results: dict[tuple[str, str], Applied] = {}
    for applied in kept:
        assert isinstance(applied.fact, ChecklistResult)
        results[(applied.fact.unit, applied.fact.item)] = applied
    full = scope.max if scope.max is not None else Fraction(0)
    floor = Fraction(rule.floor) if rule.floor is not None else None
    outcomes: dict[str, Outcome] = {}
    for unit in scope.units:
        present: dict[str, bool] = {}
        for key in rule.items:
            found = results.get((unit, key))
            if found is not None:
                assert isinstance(found.fact, ChecklistResult)
                present[key] = found.fact.present
            else:
                present[key] = rule.missing == "present"
        lines = [Line(full, f"start from full marks: {exact_str(full)}")]
        for key, item in rule.items.items():
            if present[key]:
                continue
            found = results.get((unit, key))
            name = level_text(key, item.label)
            blocked = [r for r in item.requires if not present[r]]
            if blocked:
                if found is not None:
                    lines.append(
                        Line(
                            Fraction(0),
                            f"{name} absent: not deducted, it requires {', '.join(blocked)}, "
                            "which is absent",
                            found.fact.entry,
                            found.fact.index,
                        )
                    )
                continue
            points = Fraction(item.deduct or 0)
            if found is not None and found.adjusted is not None:
                points = Fraction(found.adjusted)
            if found is None:
                lines.append(
                    Line(
                        -points,
                        f"{name}: no result recorded, counted as absent: -{exact_str(points)}",
                    )
                )
            else:
                lines.append(
                    Line(
                        -points,
                        f"{name} absent: -{exact_str(points)}{found.ruling_note()}",
                        found.fact.entry,
                        found.fact.index,
                    )
                )
        score = clamp(sum((ln.delta for ln in lines), Fraction(0)), lines, floor, None)
        outcomes[unit] = Outcome(score, True, tuple(lines))
    return Evaluation(outcomes, tuple(excl))
