"""From ledger entries to scoring facts: the one mapping, used on append and on replay.

An entry is anything with ``index``, ``id``, ``type`` and ``payload`` (a
``ledger.entry.Entry``, a submission about to become entry ``index``, or a row
of the read model). Each scoring entry type maps to exactly one fact of
:mod:`projections.facts`; the fact's ``entry`` is the entry id and its
``index`` the log position. ``finding.record`` names its component in
``rule`` and its summary becomes the fact's note.

Most entry types record one fact. Three record more or fewer, so replay reads
entries through a :class:`FactReader` (the one place that knows):

- ``finding.amend`` withdraws the finding it names and records the corrected one;
- ``ballot.batch`` (paper ballots a clerk transcribed) records nothing until a
  supervisor's ``ballot.countersign`` names it: then its ballots count, each a
  ``Ballot`` fact of the batch entry (so an appeal against the batch reaches them);
- ``ballot.cast`` (an anonymous ballot signed by its one-time credential) is a
  ``Ballot`` without a voter: nobody, the office included, can link it to a person.
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
#: Entries of a campaign's life that hold no scoring fact of their own.
CONDUCT_TYPES = frozenset(
    {
        "pool.enroll",
        "pool.freeze",
        "draw.commit",
        "draw.reveal",
        "window.open",
        "window.close",
        "credential.issue",
        "ballot.batch",
        "ballot.countersign",
        "item.claim",
        "ranking.publish",
    }
)
#: Entries that name a target entry of the same campaign (field holding the target's id).
TARGET_FIELDS: Mapping[str, str] = {
    "finding.withdraw": "finding",
    "finding.amend": "finding",
    "appeal.file": "target",
    "appeal.rule": "target",
}


def _dec(value: object) -> Decimal | None:
    return None if value is None else Decimal(str(value))


Meta = dict[str, Any]
Maker = Callable[[Meta, Mapping[str, Any]], Fact]


def _finding(m: Meta, p: Mapping[str, Any]) -> Finding:
    return Finding(
        **m,
        unit=p["unit"],
        component=p["rule"],
        level=p["level"],
        serious=p["serious"],
        note=p.get("summary", ""),
    )


MAKERS: Mapping[str, Maker] = {
    "ballot.cast": lambda m, p: Ballot(
        **m, component=p["component"], ratings=p["ratings"], group=p.get("group")
    ),
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
    "finding.record": _finding,
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
FACT_TYPES = frozenset(MAKERS) | {"finding.amend"}
#: Every entry type that belongs to a campaign (its payload names it).
CAMPAIGN_TYPES = FACT_TYPES | RULEBOOK_TYPES | LIFECYCLE_TYPES | CONDUCT_TYPES | {"appeal.file"}


def campaign_of(type_: str, payload: Mapping[str, Any]) -> str | None:
    """The campaign an entry belongs to, or None for entries of no campaign (keys, genesis)."""
    if type_ not in CAMPAIGN_TYPES:
        return None
    campaign = payload.get("campaign")
    return campaign if isinstance(campaign, str) else None


def facts_of(entry_id: str, index: int, type_: str, payload: Mapping[str, Any]) -> tuple[Fact, ...]:
    """The facts an entry states, read on its own (for checking it against the rulebook).

    A ``ballot.batch`` states its ballots here, though they count only once
    countersigned (:class:`FactReader`). Raises
    :class:`~projections.errors.FactError` when the payload cannot make a fact.
    """
    meta: Meta = {"entry": entry_id, "index": index}
    if type_ == "finding.amend":
        return (
            Withdrawal(**meta, target=p_str(payload, "finding"), reason=p_str(payload, "reason")),
            _finding(meta, payload),
        )
    if type_ == "ballot.batch":
        component = _component_of_batch(payload)
        return tuple(
            Ballot(**meta, part=i, component=component, ratings=b["ratings"], group=b.get("group"))
            for i, b in enumerate(payload["ballots"])
        )
    make = MAKERS.get(type_)
    return () if make is None else (make(meta, payload),)


def p_str(payload: Mapping[str, Any], name: str) -> str:
    return str(payload[name])


def _component_of_batch(payload: Mapping[str, Any]) -> str:
    # A batch names its window; the window's component is known to the reader.
    return str(payload.get("component", ""))


class FactReader:
    """Reads a campaign's entries, in log order, into the facts that count."""

    def __init__(self) -> None:
        self._windows: dict[str, str] = {}  # window -> component
        self._batches: dict[str, tuple[int, Mapping[str, Any]]] = {}  # batch id -> (index, payload)

    def facts(self, entry: EntryLike) -> tuple[Fact, ...]:
        type_, payload = entry.type, entry.payload
        if type_ == "window.open":
            self._windows[str(payload["window"])] = str(payload["component"])
            return ()
        if type_ == "ballot.batch":
            self._batches[entry.id] = (entry.index, payload)
            return ()
        if type_ == "ballot.countersign":
            found = self._batches.pop(str(payload["batch"]), None)
            if found is None:
                return ()
            index, batch = found
            component = self._windows.get(str(batch["window"]), "")
            return facts_of(
                str(payload["batch"]), index, "ballot.batch", {**batch, "component": component}
            )
        return facts_of(entry.id, entry.index, type_, payload)


__all__ = [
    "CAMPAIGN_TYPES",
    "CONDUCT_TYPES",
    "FACT_TYPES",
    "LIFECYCLE_TYPES",
    "RULEBOOK_TYPES",
    "TARGET_FIELDS",
    "EntryLike",
    "FactReader",
    "campaign_of",
    "facts_of",
]
