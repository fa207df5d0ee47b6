"""Scoring payloads: rulebook versions and the facts a campaign is scored on.

Each type maps 1:1 to a fact of the pure scoring core (``projections.facts``;
the mapping is ``projections.entries``). The ledger checks only their shape:
whether a unit, component or level is known to the campaign's rulebook is a
domain policy (``projections.policy.CampaignPolicy``), so that this layer knows
nothing of rulebooks. Every payload names its campaign; numbers are decimal
strings, never floats.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from ledger.payloads.base import (
    Code,
    DecimalText,
    EntryIdText,
    EvidenceList,
    Payload,
    Pseudonym,
    Text,
)

RulebookHashText = Annotated[str, StringConstraints(pattern=r"^sha256:[0-9a-f]{64}$")]
Note = Annotated[str, StringConstraints(max_length=4000)]
UnitCodes = Annotated[list[Code], Field(max_length=2000)]


class RulebookAdopt(Payload):
    """Adopt a rulebook (the document as a JSON object) into a campaign before it opens."""

    campaign: Code
    rulebook: dict[str, Any]
    hash: RulebookHashText
    reason: Text


class RulebookRevise(Payload):
    """A new version of an adopted rulebook, with the reason for the change."""

    campaign: Code
    rulebook: dict[str, Any]
    hash: RulebookHashText
    reason: Text


class BallotRecord(Payload):
    """One ballot: a level for each unit it rates (fact ``Ballot``)."""

    campaign: Code
    component: Code
    ratings: Annotated[dict[Code, Code], Field(min_length=1, max_length=2000)]
    group: Code | None = None
    voter: Code | None = None
    voter_unit: Code | None = None


class SurveyResponse(Payload):
    """One survey response about a unit (fact ``SurveyResponse``)."""

    campaign: Code
    unit: Code
    component: Code
    level: Code
    respondent: Pseudonym | None = None  # a drawn respondent of the campaign, if sampled


class TierRate(Payload):
    """A tier and a value inside its range (fact ``TierRating``)."""

    campaign: Code
    unit: Code
    component: Code
    tier: Code
    value: DecimalText


class ItemCount(Payload):
    """Occurrences of a bonus or deduction item (fact ``CountedItem``)."""

    campaign: Code
    unit: Code
    component: Code
    item: Code
    count: Annotated[int, Field(ge=1, le=1_000_000)] = 1
    points: DecimalText | None = None  # per occurrence, discretionary items only
    note: Note = ""
    claim: EntryIdText | None = None  # the unit's item.claim this approves
    evidence: EvidenceList = Field(default_factory=list)


class ChecklistRecord(Payload):
    """A checklist item present or absent (fact ``ChecklistResult``)."""

    campaign: Code
    unit: Code
    component: Code
    item: Code
    present: bool


class TaskReport(Payload):
    """How far a task was done on schedule (fact ``TaskReport``)."""

    campaign: Code
    unit: Code
    component: Code
    task: Code
    done_on_schedule: bool = False
    percent: DecimalText | None = None
    system_in_debugging: bool = False
    evidence: EvidenceList = Field(default_factory=list)


class SubmissionRecord(Payload):
    """Materials handed in for a deadline (fact ``Submission``)."""

    campaign: Code
    unit: Code
    deadline: Code
    on_time: bool


class DeadlineClose(Payload):
    """A deadline has passed (fact ``DeadlineClosed``)."""

    campaign: Code
    deadline: Code


class CandidatesPrevious(Payload):
    """Units an earlier campaign put on a list (fact ``PreviousCampaignList``)."""

    campaign: Code
    list: Code
    units: UnitCodes
    source: Note = ""


class AppealFile(Payload):
    """A unit objects to the fact(s) of an entry of the campaign (no effect until ruled on)."""

    campaign: Code
    target: EntryIdText
    reason: Text


class AppealRule(Payload):
    """A ruling on the fact(s) of an entry (fact ``Ruling``)."""

    campaign: Code
    target: EntryIdText
    outcome: Literal["upheld", "partly_upheld", "rejected"]
    adjusted: DecimalText | None = None
    reason: Text
