"""Differences between two published rankings, and the entries that caused them.

Pure. :func:`compare_rankings` lines up two ``pingyi.ranking/1`` documents unit by
unit (rank, total, bands, component scores). :func:`causes` reads two
explanations of one unit (:mod:`projections.explain`, at the earlier and the
later checkpoint) and lists the entries between the checkpoints that moved its
score: lines that count now, facts no longer counted (and why) and rulings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from projections.decimals import fixed_str
from projections.explain import Explanation


@dataclass(frozen=True)
class Cause:
    """One entry that moved a unit's score between two checkpoints."""

    entry: str | None
    index: int | None
    kind: str  # "counts", "no longer counts", "not counted", "ruling"
    component: str | None
    note: str
    delta: str | None  # effect on the component, as shown ("-2.00"), when there is one

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class UnitChange:
    """How one unit's row differs between ranking A and ranking B."""

    unit: str
    zh: str
    en: str
    category: str
    rank: tuple[int | None, int | None]
    tied: tuple[bool, bool]
    total: tuple[str | None, str | None]
    bands: tuple[tuple[str, ...], tuple[str, ...]]
    components: tuple[tuple[str, str | None, str | None], ...]  # (key, a, b) that differ
    causes: tuple[Cause, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "zh": self.zh,
            "en": self.en,
            "category": self.category,
            "rank": list(self.rank),
            "tied": list(self.tied),
            "total": list(self.total),
            "bands": [list(self.bands[0]), list(self.bands[1])],
            "components": [{"key": k, "a": a, "b": b} for k, a, b in self.components],
            "causes": [c.to_json() for c in self.causes],
        }


def _rows(document: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    rows: dict[str, Mapping[str, Any]] = {}
    for table in document.get("tables", []):
        for row in table.get("rows", []):
            rows.setdefault(str(row["unit"]), row)
    return rows


def compare_rankings(a: Mapping[str, Any], b: Mapping[str, Any]) -> list[UnitChange]:
    """Units whose rank, total, bands or component scores differ, in B's table order."""
    rows_a, rows_b = _rows(a), _rows(b)
    changes = []
    for unit in [*rows_b, *(u for u in rows_a if u not in rows_b)]:
        ra, rb = rows_a.get(unit, {}), rows_b.get(unit, {})
        comps_a = {**ra.get("components", {}), **ra.get("outside", {})}
        comps_b = {**rb.get("components", {}), **rb.get("outside", {})}
        differing = tuple(
            (key, comps_a.get(key), comps_b.get(key))
            for key in [*comps_b, *(k for k in comps_a if k not in comps_b)]
            if comps_a.get(key) != comps_b.get(key)
        )
        change = UnitChange(
            unit,
            str(rb.get("zh", ra.get("zh", ""))),
            str(rb.get("en", ra.get("en", ""))),
            str(rb.get("category", ra.get("category", ""))),
            (ra.get("rank"), rb.get("rank")),
            (bool(ra.get("tied")), bool(rb.get("tied"))),
            (ra.get("total"), rb.get("total")),
            (tuple(ra.get("bands", ())), tuple(rb.get("bands", ()))),
            differing,
        )
        if (
            differing
            or change.rank[0] != change.rank[1]
            or change.total[0] != change.total[1]
            or change.bands[0] != change.bands[1]
            or change.tied[0] != change.tied[1]
        ):
            changes.append(change)
    return changes


def causes(
    change: UnitChange, before: Explanation, after: Explanation, window: tuple[int, int]
) -> UnitChange:
    """``change`` with the entries at positions ``window[0]..window[1]-1`` that moved the unit."""
    low, high = window

    def inside(index: int | None) -> bool:
        return index is not None and low <= index < high

    found: list[Cause] = []
    counted_after = set()
    for comp in after.components:
        for line in comp.lines:
            counted_after.add((line.entry, comp.key))
            if line.entry is not None and inside(line.index):
                found.append(
                    Cause(line.entry, line.index, "counts", comp.key, line.note, _shown(line))
                )
    why = {ex.entry: ex.reason for ex in after.excluded}
    for comp in before.components:
        for line in comp.lines:
            if line.entry is not None and (line.entry, comp.key) not in counted_after:
                reason = why.get(line.entry)
                note = line.note + (f" — {reason}" if reason else "")
                found.append(
                    Cause(line.entry, line.index, "no longer counts", comp.key, note, None)
                )
    for ex in after.excluded:
        if inside(ex.index):
            found.append(Cause(ex.entry, ex.index, "not counted", ex.component, ex.reason, None))
    for ruling in after.rulings:
        if inside(ruling.index):
            adjusted = f", adjusted to {fixed_str(ruling.adjusted)}" if ruling.adjusted else ""
            found.append(
                Cause(
                    ruling.entry,
                    ruling.index,
                    "ruling",
                    None,
                    f"{ruling.outcome} on entry {ruling.target}{adjusted}: {ruling.reason}",
                    None,
                )
            )
    found.sort(key=lambda c: (c.index if c.index is not None else -1, c.kind))
    return replace(change, causes=tuple(found))


def _shown(line: Any) -> str | None:
    delta = line.delta
    return None if delta is None else fixed_str(delta.shown)


__all__ = ["Cause", "UnitChange", "causes", "compare_rankings"]
