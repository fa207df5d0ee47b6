"""The scoring input: facts, each taken from one ledger entry.

Every fact names the ledger ``entry`` it came from and that entry's log
``index``. Facts are frozen; numbers are Decimals (ints and decimal strings are
accepted and converted, floats are refused). Scoring sorts facts by ``index``,
so the order in which they are supplied does not matter.

Scoring facts (each feeds one component of a rulebook):
    Ballot           ratings of several units (rating_mean, forced_distribution)
    SurveyResponse   one response level about one unit (deduction_per_response)
    Finding          a verified finding or complaint (deduction_per_finding)
    TierRating       a tier and a value inside its range (tier_band)
    CountedItem      occurrences of a bonus or deduction item (counted)
    ChecklistResult  an item present or absent (checklist)
    TaskReport       how far a task was done on schedule (task_completion)

Campaign facts:
    Submission            materials handed in for a deadline, on time or late
    DeadlineClosed        a deadline has passed: units without an on-time submission forfeit
    PreviousCampaignList  units named by an earlier campaign (forced inclusions)

Dispute facts (they act on other facts, by entry id):
    Withdrawal       the fact(s) of the target entry no longer count
    Ruling           an appeal ruling: upheld (target removed), partly upheld
                     (target's points replaced by ``adjusted``), rejected (no change)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType
from typing import Literal

from projections.decimals import to_decimal
from projections.errors import FactError

Outcome = Literal["upheld", "partly_upheld", "rejected"]


def _decimal(fact: Fact, name: str, value: object) -> Decimal:
    try:
        return to_decimal(value, name)
    except ValueError as err:
        raise FactError(str(err), entry=fact.entry) from None


@dataclass(frozen=True, kw_only=True)
class Fact:
    """Common fields: the ledger entry id, its log position, and the fact's place in the
    entry (``part``: the ballot's position in a ``ballot.batch``; 0 otherwise)."""

    entry: str
    index: int
    part: int = 0

    def __post_init__(self) -> None:
        if not isinstance(self.entry, str) or not self.entry:
            raise FactError("entry must be a non-empty string (the ledger entry id)")
        if isinstance(self.index, bool) or not isinstance(self.index, int) or self.index < 0:
            raise FactError("index must be a non-negative integer log position", entry=self.entry)

    @property
    def kind(self) -> str:
        """The fact's type name, as used in explanations and JSON."""
        return type(self).__name__

    def _set(self, name: str, value: object) -> None:
        object.__setattr__(self, name, value)


@dataclass(frozen=True, kw_only=True)
class Ballot(Fact):
    """One ballot: a level for each unit it rates.

    ``group`` is the voter group (rating_mean with groups); ``voter`` identifies
    the voter when known (a later ballot of the same voter replaces an earlier
    one); ``voter_unit`` is the unit the voter belongs to (for self-rating rules).
    """

    component: str
    ratings: Mapping[str, str]
    group: str | None = None
    voter: str | None = None
    voter_unit: str | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        if not isinstance(self.ratings, Mapping):
            raise FactError("ratings must map unit codes to level keys", entry=self.entry)
        self._set("ratings", MappingProxyType(dict(sorted(self.ratings.items()))))


@dataclass(frozen=True, kw_only=True)
class SurveyResponse(Fact):
    """One survey response about a unit, at a response level (e.g. dissatisfied)."""

    unit: str
    component: str
    level: str


@dataclass(frozen=True, kw_only=True)
class Finding(Fact):
    """A verified finding or complaint against a unit, at a verification level."""

    unit: str
    component: str
    level: str
    serious: bool = False
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class TierRating(Fact):
    """A supervisor's tier for a unit and the value chosen inside the tier's range."""

    unit: str
    component: str
    tier: str
    value: Decimal

    def __post_init__(self) -> None:
        super().__post_init__()
        self._set("value", _decimal(self, "value", self.value))


@dataclass(frozen=True, kw_only=True)
class CountedItem(Fact):
    """``count`` occurrences of a bonus or deduction item.

    ``points`` (per occurrence) is given only for discretionary items.
    """

    unit: str
    component: str
    item: str
    count: int = 1
    points: Decimal | None = None
    note: str = ""

    def __post_init__(self) -> None:
        super().__post_init__()
        if isinstance(self.count, bool) or not isinstance(self.count, int) or self.count < 1:
            raise FactError("count must be a positive integer", entry=self.entry)
        if self.points is not None:
            self._set("points", _decimal(self, "points", self.points))


@dataclass(frozen=True, kw_only=True)
class ChecklistResult(Fact):
    """Whether a checklist item is present for a unit."""

    unit: str
    component: str
    item: str
    present: bool


@dataclass(frozen=True, kw_only=True)
class TaskReport(Fact):
    """How far a task was done on schedule.

    ``done_on_schedule`` (or ``system_in_debugging``, which counts as done) gives
    full marks; otherwise ``percent`` (0-100) done by the schedule is scored.
    """

    unit: str
    component: str
    task: str
    done_on_schedule: bool = False
    percent: Decimal | None = None
    system_in_debugging: bool = False

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.percent is not None:
            self._set("percent", _decimal(self, "percent", self.percent))


@dataclass(frozen=True, kw_only=True)
class Submission(Fact):
    """A unit handed in the materials of a deadline, on time or late."""

    unit: str
    deadline: str
    on_time: bool


@dataclass(frozen=True, kw_only=True)
class DeadlineClosed(Fact):
    """The deadline has passed: a unit with no on-time submission forfeits."""

    deadline: str


@dataclass(frozen=True, kw_only=True)
class PreviousCampaignList(Fact):
    """Units an earlier campaign put on a list (e.g. last year's 10 dissatisfied units)."""

    list: str
    units: tuple[str, ...]
    source: str = ""

    def __post_init__(self) -> None:
        super().__post_init__()
        if isinstance(self.units, str) or not isinstance(self.units, Iterable):
            raise FactError("units must be a sequence of unit codes", entry=self.entry)
        self._set("units", tuple(self.units))


@dataclass(frozen=True, kw_only=True)
class Withdrawal(Fact):
    """The facts of entry ``target`` are withdrawn and no longer count."""

    target: str
    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class Ruling(Fact):
    """An appeal ruling on the facts of entry ``target``."""

    target: str
    outcome: Outcome
    adjusted: Decimal | None = None
    reason: str = ""

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.outcome not in ("upheld", "partly_upheld", "rejected"):
            raise FactError(
                f"outcome {self.outcome!r} is not one of upheld, partly_upheld, rejected",
                entry=self.entry,
            )
        if self.adjusted is not None:
            self._set("adjusted", _decimal(self, "adjusted", self.adjusted))
        if (self.outcome == "partly_upheld") != (self.adjusted is not None):
            raise FactError(
                "a partly_upheld ruling needs adjusted points; other outcomes take none",
                entry=self.entry,
            )


SCORING_FACTS: tuple[type[Fact], ...] = (
    Ballot,
    SurveyResponse,
    Finding,
    TierRating,
    CountedItem,
    ChecklistResult,
    TaskReport,
)
DISPUTE_FACTS: tuple[type[Fact], ...] = (Withdrawal, Ruling)


def sort_key(fact: Fact) -> tuple[int, str, str, int]:
    """Total order of facts: log position, entry id, kind, then the place in the entry."""
    return (fact.index, fact.entry, fact.kind, fact.part)


def ordered(facts: Iterable[Fact]) -> tuple[Fact, ...]:
    """Facts in log order, independent of the order they were supplied in."""
    return tuple(sorted(facts, key=sort_key))


def fact_units(fact: Fact) -> tuple[str, ...]:
    """The units a fact is about."""
    if isinstance(fact, Ballot):
        return tuple(fact.ratings)
    if isinstance(fact, PreviousCampaignList):
        return fact.units
    unit = getattr(fact, "unit", None)
    return (unit,) if isinstance(unit, str) else ()


def fact_component(fact: Fact) -> str | None:
    """The component a fact feeds, if any."""
    component = getattr(fact, "component", None)
    return component if isinstance(component, str) else None


__all__ = [
    "DISPUTE_FACTS",
    "SCORING_FACTS",
    "Ballot",
    "ChecklistResult",
    "CountedItem",
    "DeadlineClosed",
    "Fact",
    "Finding",
    "Outcome",
    "PreviousCampaignList",
    "Ruling",
    "Submission",
    "SurveyResponse",
    "TaskReport",
    "TierRating",
    "Withdrawal",
    "fact_component",
    "fact_units",
    "ordered",
    "sort_key",
]
