"""Cross-reference checks of a rulebook, after pydantic has checked each field.

Each check returns :class:`~projections.errors.Problem` records with the path
of the offending field: duplicate keys, units in no declared category, weights
that do not add up, components used nowhere or in a cycle, tie-breakers, lists
and bands that reach beyond the number of units.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from fractions import Fraction
from typing import TYPE_CHECKING

from projections.decimals import exact_str
from projections.errors import Problem
from projections.rules import MAY_BE_UNASSESSED, WeightedSumRule
from projections.rules.base import SpecContext

if TYPE_CHECKING:
    from projections.rulebook import Component, Rulebook


def rulebook_problems(rb: Rulebook) -> list[Problem]:
    """Every cross-reference problem of a rulebook, in document order."""
    out: list[Problem] = []
    out += _duplicates("categories", (c.key for c in rb.categories), "key")
    out += _duplicates("units", (u.code for u in rb.units), "code")
    out += _duplicates("components", (c.key for c in rb.components), "key")
    out += _duplicates("candidates", (c.key for c in rb.candidates), "key")
    out += _duplicates("bands", (b.key for b in rb.bands), "key")
    out += _duplicates("deadlines", (d.key for d in rb.deadlines), "key")
    out += _units(rb)
    out += _components(rb)
    out += _total(rb)
    out += _ranking(rb)
    out += _candidates(rb)
    out += _bands(rb)
    return out


def _duplicates(path: str, keys: Iterable[str], field: str) -> list[Problem]:
    seen: Counter[str] = Counter()
    out = []
    for i, key in enumerate(keys):
        if seen[key]:
            out.append(Problem(f"{path}[{i}].{field}", f"duplicate {field} {key!r}"))
        seen[key] += 1
    return out


def _units(rb: Rulebook) -> list[Problem]:
    known = {c.key for c in rb.categories}
    if not rb.categories:
        return [Problem("categories", "declare at least one category")]
    return [
        Problem(
            f"units[{i}].category",
            f"unit {u.code!r} is in no declared category: {u.category!r} is not one of "
            f"{', '.join(sorted(known))}",
        )
        for i, u in enumerate(rb.units)
        if u.category not in known
    ]


def _components(rb: Rulebook) -> list[Problem]:
    out: list[Problem] = []
    units = frozenset(u.code for u in rb.units)
    by_key = {c.key: c for c in rb.components}
    for i, comp in enumerate(rb.components):
        ctx = SpecContext(f"components[{i}].rule", comp.max, units)
        out += comp.rule.problems(ctx)
        if comp.max is not None and comp.max < 0:
            out.append(Problem(f"components[{i}].max", "must not be negative"))
        if comp.not_assessed.use != "zero" and comp.rule.kind not in MAY_BE_UNASSESSED:
            out.append(
                Problem(
                    f"components[{i}].not_assessed",
                    f"a {comp.rule.kind} component always assesses every unit; "
                    "not_assessed applies only to " + ", ".join(sorted(MAY_BE_UNASSESSED)),
                )
            )
        if comp.not_assessed.use == "full" and comp.max is None:
            out.append(
                Problem(f"components[{i}].not_assessed", "use: full needs the component's max")
            )
        if isinstance(comp.rule, WeightedSumRule):
            out += _weighted_sum(i, comp, by_key)
    out += _cycles(rb)
    used: set[str] = set(rb.total.of) | set(rb.total.adjustments) | set(rb.total.outside)
    for comp in rb.components:
        if isinstance(comp.rule, WeightedSumRule):
            used |= set(comp.rule.of)
    for i, comp in enumerate(rb.components):
        if comp.key not in used:
            out.append(
                Problem(
                    f"components[{i}]",
                    f"component {comp.key!r} is used nowhere: name it in total.of, "
                    "total.adjustments, total.outside or a weighted_sum",
                )
            )
    return out


def _weighted_sum(i: int, comp: Component, by_key: dict[str, Component]) -> list[Problem]:
    assert isinstance(comp.rule, WeightedSumRule)
    out: list[Problem] = []
    terms: list[str] = []
    total = Fraction(0)
    complete = True
    for key, weight in comp.rule.of.items():
        part = by_key.get(key)
        path = f"components[{i}].rule.of.{key}"
        if part is None:
            out.append(Problem(path, f"unknown component {key!r}"))
            complete = False
        elif part.key == comp.key:
            out.append(Problem(path, "a weighted sum cannot include itself"))
            complete = False
        elif part.max is None:
            out.append(Problem(path, f"component {key!r} has no max to weigh"))
            complete = False
        else:
            total += Fraction(weight) * Fraction(part.max)
            terms.append(f"{exact_str(Fraction(weight))} x {exact_str(Fraction(part.max))}")
    if comp.max is None:
        out.append(Problem(f"components[{i}].max", "a weighted sum needs a max"))
    elif complete and total != Fraction(comp.max):
        out.append(
            Problem(
                f"components[{i}].rule.of",
                f"weights do not add up: {' + '.join(terms)} = {exact_str(total)}, "
                f"but the component's max is {exact_str(Fraction(comp.max))}",
            )
        )
    return out


def _cycles(rb: Rulebook) -> list[Problem]:
    parts = {c.key: tuple(c.rule.of) for c in rb.components if isinstance(c.rule, WeightedSumRule)}
    out = []
    for i, comp in enumerate(rb.components):
        if comp.key not in parts:
            continue
        stack, seen = list(parts[comp.key]), set()
        while stack:
            cur = stack.pop()
            if cur == comp.key:
                out.append(Problem(f"components[{i}].rule.of", "weighted sums form a cycle"))
                break
            if cur not in seen:
                seen.add(cur)
                stack.extend(parts.get(cur, ()))
    return out


def _total(rb: Rulebook) -> list[Problem]:
    out: list[Problem] = []
    by_key = {c.key: c for c in rb.components}
    terms: list[str] = []
    total = Fraction(0)
    complete = True
    if not rb.total.of:
        out.append(Problem("total.of", "name at least one component"))
    for key, weight in rb.total.of.items():
        comp = by_key.get(key)
        if comp is None:
            out.append(Problem(f"total.of.{key}", f"unknown component {key!r}"))
            complete = False
        elif comp.max is None:
            out.append(Problem(f"total.of.{key}", f"component {key!r} has no max to weigh"))
            complete = False
        elif weight < 0:
            out.append(Problem(f"total.of.{key}", "weights must not be negative"))
        else:
            total += Fraction(weight) * Fraction(comp.max)
            terms.append(f"{exact_str(Fraction(weight))} x {exact_str(Fraction(comp.max))}")
    if complete and rb.total.of and total != Fraction(rb.total.max):
        out.append(
            Problem(
                "total.of",
                f"weights do not add up: {' + '.join(terms)} = {exact_str(total)}, "
                f"but total.max is {exact_str(Fraction(rb.total.max))}",
            )
        )
    for field in ("adjustments", "outside"):
        for j, key in enumerate(getattr(rb.total, field)):
            if key not in by_key:
                out.append(Problem(f"total.{field}[{j}]", f"unknown component {key!r}"))
            elif key in rb.total.of:
                out.append(Problem(f"total.{field}[{j}]", f"{key!r} is already in total.of"))
    both = set(rb.total.adjustments) & set(rb.total.outside)
    for key in sorted(both):
        out.append(Problem("total.outside", f"{key!r} cannot be both inside and outside the total"))
    return out


def _ranking(rb: Rulebook) -> list[Problem]:
    out = []
    keys = {c.key for c in rb.components}
    for i, key in enumerate(rb.ranking.tie_break):
        if key == "unit_code":
            if i != len(rb.ranking.tie_break) - 1:
                out.append(Problem(f"ranking.tie_break[{i}]", "unit_code must come last"))
        elif key not in keys:
            out.append(Problem(f"ranking.tie_break[{i}]", f"unknown component {key!r}"))
    return out


def _candidates(rb: Rulebook) -> list[Problem]:
    out = []
    keys = {c.key for c in rb.components}
    taken = 0
    for i, cand in enumerate(rb.candidates):
        if cand.by != "total" and cand.by not in keys:
            out.append(Problem(f"candidates[{i}].by", f"unknown component {cand.by!r}"))
        taken += cand.count + (cand.forced.max if cand.forced else 0)
        if taken > len(rb.units):
            out.append(
                Problem(
                    f"candidates[{i}].count",
                    f"candidate lists up to here need {taken} units, but the rulebook has "
                    f"{len(rb.units)}",
                )
            )
    return out


def _bands(rb: Rulebook) -> list[Problem]:
    out = []
    lists = {c.key: c for c in rb.candidates}
    sizes = Counter(u.category for u in rb.units)
    for i, band in enumerate(rb.bands):
        low, high = band.ranks
        if low < 1 or low > high:
            out.append(Problem(f"bands[{i}].ranks", f"[{low}, {high}] is not a rank range from 1"))
            continue
        if band.scope == "list":
            cand = lists.get(band.among or "")
            if cand is None:
                out.append(Problem(f"bands[{i}].among", f"unknown candidate list {band.among!r}"))
                continue
            size = cand.count + (cand.forced.max if cand.forced else 0)
            if high > size:
                out.append(
                    Problem(
                        f"bands[{i}].ranks",
                        f"rank {high} is beyond the {size} units of candidate list {cand.key!r}",
                    )
                )
        elif band.among is not None:
            out.append(Problem(f"bands[{i}].among", "among applies only to scope: list"))
        elif band.scope == "all":
            if high > len(rb.units):
                out.append(
                    Problem(f"bands[{i}].ranks", f"rank {high} is beyond the {len(rb.units)} units")
                )
        else:
            small = sorted(k for k in sizes if sizes[k] < high)
            for key in small:
                out.append(
                    Problem(
                        f"bands[{i}].ranks",
                        f"rank {high} is beyond the {sizes[key]} units of category {key!r}",
                    )
                )
    return out
