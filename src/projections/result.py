"""The output of scoring: a campaign's scores, ranks, bands and lists.

Everything is frozen and made of strings, ints, bools and Decimals, so it can be
rendered (:mod:`projections.render`) or serialised to canonical JSON
(:func:`projections.render.ranking_to_json`) byte for byte the same every time.
Every result names the rulebook version (content hash) that produced it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from projections.rules.base import InvalidBallot


@dataclass(frozen=True)
class Names:
    """A key with its Chinese and English labels."""

    key: str
    zh: str
    en: str


@dataclass(frozen=True)
class ComponentInfo:
    """A component as the result presents it: labels, full marks and place in the total."""

    key: str
    zh: str
    en: str
    max: Decimal | None
    placement: str  # "total", "part", "adjustment" or "outside"
    weight: Decimal | None  # effective weight in the total, when it terminates


@dataclass(frozen=True)
class ComponentScore:
    """A unit's rounded score on one component."""

    key: str
    score: Decimal
    assessed: bool
    substituted: str | None = None  # "zero", "average" or "full" when not assessed


@dataclass(frozen=True)
class Forfeit:
    """Why a unit forfeited the appraisal."""

    deadline: str
    reason: str
    entry: str | None
    index: int | None


@dataclass(frozen=True)
class UnitResult:
    """A unit's scores, total, rank, bands and candidate lists."""

    code: str
    zh: str
    en: str
    category: str
    components: tuple[ComponentScore, ...]
    total: Decimal
    outside: tuple[tuple[str, Decimal], ...]
    rank: int | None
    tied: bool
    bands: tuple[str, ...]
    lists: tuple[str, ...]
    forfeit: Forfeit | None

    def score(self, component: str) -> Decimal:
        """The rounded score on a component (outside-total components included)."""
        for comp in self.components:
            if comp.key == component:
                return comp.score
        for key, value in self.outside:
            if key == component:
                return value
        raise KeyError(component)


@dataclass(frozen=True)
class RankingTable:
    """One ranking scope (a category, or "all") with its units in rank order."""

    scope: Names
    units: tuple[str, ...]


@dataclass(frozen=True)
class BandInfo:
    """A result band as the result presents it."""

    key: str
    zh: str
    en: str
    effects: tuple[tuple[str, Decimal], ...]


@dataclass(frozen=True)
class CampaignResult:
    """A campaign's complete result under one rulebook version."""

    rulebook_key: str
    rulebook_hash: str
    title: Names
    components: tuple[ComponentInfo, ...]
    bands: tuple[BandInfo, ...]
    units: tuple[UnitResult, ...]
    tables: tuple[RankingTable, ...]
    candidates: tuple[tuple[str, tuple[str, ...]], ...]
    invalid_ballots: tuple[InvalidBallot, ...]
    warnings: tuple[str, ...]

    def unit(self, code: str) -> UnitResult:
        """The result of one unit."""
        for unit in self.units:
            if unit.code == code:
                return unit
        raise KeyError(code)

    def candidate_list(self, key: str) -> tuple[str, ...]:
        """The units on a candidate list, in the order they were placed."""
        return dict(self.candidates)[key]

    def band(self, key: str) -> tuple[str, ...]:
        """The units in a band, by code."""
        return tuple(sorted(u.code for u in self.units if key in u.bands))
