"""Ranking within a scope, declared tie-breaking, candidate lists and result bands.

Units are ordered by a sort key (the total, then each tie-break component),
higher first. With ``unit_code`` as the last tie-breaker, still-equal units are
ordered by code and get distinct ranks; otherwise they share a rank (1, 1, 3).
Either way a unit still equal to another on the whole sort key is flagged tied.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from projections.rulebook import Band, CandidateList, Rulebook

SortKey = tuple[Decimal, ...]
KeyOf = Callable[[str], SortKey]


@dataclass(frozen=True)
class Position:
    """A unit's rank from the top and from the bottom of its scope, and its tie flag."""

    top: int
    bottom: int
    tied: bool


def best_first(units: Sequence[str], key_of: KeyOf) -> list[str]:
    """Units ordered best first; equal keys in unit-code order."""
    return sorted(units, key=lambda u: (tuple(-v for v in key_of(u)), u))


def positions(units: Sequence[str], key_of: KeyOf, by_code: bool) -> dict[str, Position]:
    """Rank every unit from the top and from the bottom."""
    order = best_first(units, key_of)
    n = len(order)
    first: dict[SortKey, int] = {}
    last: dict[SortKey, int] = {}
    for pos, unit in enumerate(order):
        key = key_of(unit)
        first.setdefault(key, pos)
        last[key] = pos
    out: dict[str, Position] = {}
    for pos, unit in enumerate(order):
        key = key_of(unit)
        tied = first[key] != last[key]
        if by_code:
            out[unit] = Position(pos + 1, n - pos, tied)
        else:
            out[unit] = Position(first[key] + 1, n - last[key], tied)
    return out


def candidate_lists(
    rulebook: Rulebook,
    eligible: Sequence[str],
    key_for: Callable[[str], KeyOf],
    previous: Mapping[str, tuple[str, ...]],
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Fill each candidate list: forced inclusions first, then the top or bottom ``count``.

    A unit is on at most one list. Forced units (named by a previous campaign's
    list) are placed before any list is filled by score.
    """
    by_code = rulebook.ranking.tie_break[-1:] == ("unit_code",)
    placed: dict[str, list[str]] = {c.key: [] for c in rulebook.candidates}
    taken: set[str] = set()
    allowed = set(eligible)
    for cand in rulebook.candidates:
        if cand.forced is None:
            continue
        for unit in previous.get(cand.forced.previous_list, ())[: cand.forced.max]:
            if unit in allowed and unit not in taken:
                placed[cand.key].append(unit)
                taken.add(unit)
    for cand in rulebook.candidates:
        pool = [u for u in eligible if u not in taken]
        order = _ordered(pool, key_for(cand.by), cand, by_code)
        for unit in order[: cand.count]:
            placed[cand.key].append(unit)
            taken.add(unit)
    return tuple((c.key, tuple(placed[c.key])) for c in rulebook.candidates)


def _ordered(pool: list[str], key_of: KeyOf, cand: CandidateList, by_code: bool) -> list[str]:
    order = best_first(pool, key_of)
    if cand.take == "top":
        return order
    worst = list(reversed(order))
    if by_code:
        return worst
    # equal keys keep unit-code order from the bottom as well
    return sorted(worst, key=lambda u: (key_of(u), u))


def bands_of(
    rulebook: Rulebook,
    ranked: Sequence[str],
    category_of: Mapping[str, str],
    lists: Mapping[str, tuple[str, ...]],
    key_of: KeyOf,
) -> dict[str, tuple[str, ...]]:
    """The bands each ranked unit falls in, in the rulebook's band order."""
    by_code = rulebook.ranking.tie_break[-1:] == ("unit_code",)
    found: dict[str, list[str]] = {u: [] for u in ranked}
    for band in rulebook.bands:
        for group in _groups(band, ranked, category_of, lists):
            for unit, pos in positions(group, key_of, by_code).items():
                rank = pos.top if band.take == "top" else pos.bottom
                if band.ranks[0] <= rank <= band.ranks[1]:
                    found[unit].append(band.key)
    return {u: tuple(v) for u, v in found.items()}


def _groups(
    band: Band,
    ranked: Sequence[str],
    category_of: Mapping[str, str],
    lists: Mapping[str, tuple[str, ...]],
) -> list[list[str]]:
    if band.scope == "all":
        return [list(ranked)]
    if band.scope == "list":
        members = set(lists.get(band.among or "", ()))
        return [[u for u in ranked if u in members]]
    groups: dict[str, list[str]] = {}
    for unit in ranked:
        groups.setdefault(category_of[unit], []).append(unit)
    return [groups[k] for k in sorted(groups)]
