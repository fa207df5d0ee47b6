"""From ledger entries to scoring facts: the one mapping, used on append and on replay.

An entry is anything with ``index``, ``id``, ``type`` and ``payload`` (a
``ledger.entry.Entry``, a submission about to become entry ``index``, or a row
of the read model). Each scoring entry type maps to exactly one fact of
:mod:`projections.facts`; the fact's ``entry`` is the entry id and its
``index`` the log position. ``finding.record`` names its component in
``rule`` and its summary becomes the fact's note.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, Protocol

from projections.facts import (
    Ballot,
    ChecklistResult,
    CountedItem,
    DeadlineClosed,
    Fact,
    Finding,
    PreviousCampaignList,
    Ruling,
    Submission,
    SurveyResponse,
    TaskReport,
    TierRating,
    Withdrawal,
)


class EntryLike(Protocol):
    """What replay needs of an entry."""

    @property
    def index(self) -> int: ...

    @property
    def id(self) -> str: ...

    @property
    def type(self) -> str: ...

    @property
    def payload(self) -> dict[str, Any]: ...


RULEBOOK_TYPES = frozenset({"rulebook.adopt", "rulebook.revise"})
LIFECYCLE_TYPES = frozenset({"campaign.open", "campaign.close"})
#: Entries that name a target entry of the same campaign (field holding the target's id).
TARGET_FIELDS: Mapping[str, str] = {
    "finding.withdraw": "finding",
    "appeal.file": "target",
    "appeal.rule": "target",
}


def _dec(value: object) -> Decimal | None:
    return None if value is None else Decimal(str(value))


Meta = dict[str, Any]
Maker = Callable[[Meta, Mapping[str, Any]], Fact]

MAKERS: Mapping[str, Maker] = {
    "ballot.record": lambda m, p: Ballot(
        **m,
        component=p["component"],
        ratings=p["ratings"],
        group=p.get("group"),
        voter=p.get("voter"),
        voter_unit=p.get("voter_unit"),
    ),
    "survey.response": lambda m, p: SurveyResponse(
        **m, unit=p["unit"], component=p["component"], level=p["level"]
    ),
    "finding.record": lambda m, p: Finding(
        **m,
        unit=p["unit"],
        component=p["rule"],
        level=p["level"],
        serious=p["serious"],
        note=p.get("summary", ""),
    ),
    "tier.rate": lambda m, p: TierRating(
        **m, unit=p["unit"], component=p["component"], tier=p["tier"], value=Decimal(p["value"])
    ),
    "item.count": lambda m, p: CountedItem(
        **m,
        unit=p["unit"],
        component=p["component"],
        item=p["item"],
        count=p.get("count", 1),
        points=_dec(p.get("points")),
        note=p.get("note", ""),
    ),
    "checklist.record": lambda m, p: ChecklistResult(
        **m, unit=p["unit"], component=p["component"], item=p["item"], present=p["present"]
    ),
    "task.report": lambda m, p: TaskReport(
        **m,
        unit=p["unit"],
        component=p["component"],
        task=p["task"],
        done_on_schedule=p.get("done_on_schedule", False),
        percent=_dec(p.get("percent")),
        system_in_debugging=p.get("system_in_debugging", False),
    ),
    "submission.record": lambda m, p: Submission(
        **m, unit=p["unit"], deadline=p["deadline"], on_time=p["on_time"]
    ),
    "deadline.close": lambda m, p: DeadlineClosed(**m, deadline=p["deadline"]),
    "candidates.previous": lambda m, p: PreviousCampaignList(
        **m, list=p["list"], units=tuple(p["units"]), source=p.get("source", "")
    ),
    "finding.withdraw": lambda m, p: Withdrawal(**m, target=p["finding"], reason=p["reason"]),
    "appeal.rule": lambda m, p: Ruling(
        **m,
        target=p["target"],
        outcome=p["outcome"],
        adjusted=_dec(p.get("adjusted")),
        reason=p["reason"],
    ),
}

#: Entry types that carry a scoring fact.
FACT_TYPES = frozenset(MAKERS)
#: Every entry type that belongs to a campaign (its payload names it).
CAMPAIGN_TYPES = FACT_TYPES | RULEBOOK_TYPES | LIFECYCLE_TYPES | {"appeal.file"}


def campaign_of(type_: str, payload: Mapping[str, Any]) -> str | None:
    """The campaign an entry belongs to, or None for entries of no campaign (keys, genesis)."""
    if type_ not in CAMPAIGN_TYPES:
        return None
    campaign = payload.get("campaign")
    return campaign if isinstance(campaign, str) else None


def fact_of(entry_id: str, index: int, type_: str, payload: Mapping[str, Any]) -> Fact | None:
    """The fact an entry records, or None when its type records none.

    Raises :class:`~projections.errors.FactError` when the payload cannot make a fact.
    """
    make = MAKERS.get(type_)
    if make is None:
        return None
    return make({"entry": entry_id, "index": index}, payload)


def entry_fact(entry: EntryLike) -> Fact | None:
    """The fact of an entry (see :func:`fact_of`)."""
    return fact_of(entry.id, entry.index, entry.type, entry.payload)


__all__ = [
    "CAMPAIGN_TYPES",
    "FACT_TYPES",
    "LIFECYCLE_TYPES",
    "RULEBOOK_TYPES",
    "TARGET_FIELDS",
    "EntryLike",
    "campaign_of",
    "entry_fact",
    "fact_of",
]
