"""Helpers for projection tests: small rulebooks from presets, and fact builders."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from itertools import count
from typing import Any

from projections.facts import (
    Ballot,
    ChecklistResult,
    CountedItem,
    Fact,
    Finding,
    SurveyResponse,
    TaskReport,
    TierRating,
)
from projections.presets import load_preset
from projections.rulebook import Rulebook, revise, rulebook_document, rulebook_from_data


def units(spec: Mapping[str, str]) -> list[dict[str, Any]]:
    """Unit documents from {code: category}."""
    return [
        {"code": c, "name": {"zh": f"单位{c}", "en": f"Unit {c}"}, "category": k}
        for c, k in spec.items()
    ]


def small(preset: str, spec: Mapping[str, str], **changes: Any) -> Rulebook:
    """A preset with only the given units (and any other top-level changes)."""
    return revise(load_preset(preset), {"units": units(spec), **changes})


def edit(rulebook: Rulebook, path: Iterable[str | int], value: Any) -> Rulebook:
    """A copy of the rulebook with one nested field replaced, re-validated."""
    data = rulebook_document(rulebook)
    keys = list(path)
    node: Any = data
    for key in keys[:-1]:
        node = node[key]
    node[keys[-1]] = value
    return rulebook_from_data(data)


def component_index(rulebook: Rulebook, key: str) -> int:
    """Position of a component in the rulebook."""
    return [c.key for c in rulebook.components].index(key)


class Log:
    """Hands out entry ids and increasing log positions."""

    def __init__(self, start: int = 1) -> None:
        self._n = count(start)
        self.facts: list[Fact] = []

    def _meta(self) -> dict[str, Any]:
        n = next(self._n)
        return {"entry": f"e{n:04d}", "index": n}

    def add(self, fact: Fact) -> Fact:
        self.facts.append(fact)
        return fact

    def ballot(self, component: str, ratings: Mapping[str, str], **kw: Any) -> Ballot:
        fact = Ballot(**self._meta(), component=component, ratings=dict(ratings), **kw)
        self.add(fact)
        return fact

    def ratings(self, component: str, unit: str, levels: Iterable[str], **kw: Any) -> None:
        for level in levels:
            self.ballot(component, {unit: level}, **kw)

    def response(self, unit: str, component: str, level: str, times: int = 1) -> None:
        for _ in range(times):
            self.add(SurveyResponse(**self._meta(), unit=unit, component=component, level=level))

    def finding(self, unit: str, component: str, level: str, serious: bool = False) -> Finding:
        fact = Finding(**self._meta(), unit=unit, component=component, level=level, serious=serious)
        self.add(fact)
        return fact

    def tier(self, unit: str, component: str, tier: str, value: str | int) -> TierRating:
        fact = TierRating(
            **self._meta(), unit=unit, component=component, tier=tier, value=Decimal(value)
        )
        self.add(fact)
        return fact

    def item(
        self, unit: str, component: str, item: str, count: int = 1, points: str | None = None
    ) -> CountedItem:
        fact = CountedItem(
            **self._meta(),
            unit=unit,
            component=component,
            item=item,
            count=count,
            points=Decimal(points) if points is not None else None,
        )
        self.add(fact)
        return fact

    def check(self, unit: str, component: str, item: str, present: bool) -> ChecklistResult:
        fact = ChecklistResult(
            **self._meta(), unit=unit, component=component, item=item, present=present
        )
        self.add(fact)
        return fact

    def task(self, unit: str, component: str, task: str, **kw: Any) -> TaskReport:
        fact = TaskReport(**self._meta(), unit=unit, component=component, task=task, **kw)
        self.add(fact)
        return fact

    def next_meta(self) -> dict[str, Any]:
        """Entry id and index for a fact built by the caller."""
        return self._meta()


def D(text: str) -> Decimal:
    """A Decimal literal."""
    return Decimal(text)
