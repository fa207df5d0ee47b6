"""A campaign's life: the evaluator pool, ballot windows, credentials, ballots, claims.

Personal data never appears here: a pool member is a pseudonym, a group, the
unit it belongs to (for conflicts of interest) and a salted commitment to the
person (the person and the salt live in the private store, ``vault``). A ballot
credential is a one-time Ed25519 key whose public half the office commits to
at issuance, unlinked to any person; a ballot is signed with it.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from ledger.payloads.base import (
    Code,
    DecimalText,
    EntryIdText,
    EvidenceList,
    Hex64,
    KeyIdText,
    Payload,
    Pseudonym,
    PublicKeyText,
    Text,
)

Ratings = Annotated[dict[Code, Code], Field(min_length=1, max_length=2000)]


class PoolMember(Payload):
    pseudonym: Pseudonym
    group: Code
    affiliation: Code | None = None
    leader: bool = False
    commitment: Hex64


class PoolEnroll(Payload):
    """Members joining a campaign's pool (several entries for a large roster)."""

    campaign: Code
    pool: Code
    members: Annotated[list[PoolMember], Field(min_length=1, max_length=500)]


class PoolFreeze(Payload):
    """The pool is complete: ``digest`` commits to its exact members; no more may enrol."""

    campaign: Code
    pool: Code
    size: Annotated[int, Field(ge=1, le=1_000_000)]
    digest: Hex64


class WindowOpen(Payload):
    """A ballot window: electronic ballots signed with credentials, or paper transcribed by clerks."""

    campaign: Code
    window: Code
    component: Code
    mode: Literal["credential", "paper"]
    title: Text


class WindowClose(Payload):
    """Closes a window. Credential windows declare every unspent credential as ``unused``;
    paper windows state how many voters were checked in (``checked_in``)."""

    campaign: Code
    window: Code
    checked_in: Annotated[int, Field(ge=0, le=1_000_000)] | None = None
    unused: Annotated[list[KeyIdText], Field(max_length=100_000)] = Field(default_factory=list)


class CredentialIssue(Payload):
    """One-time ballot credentials (public keys) for a window, optionally for a voter group."""

    campaign: Code
    window: Code
    group: Code | None = None
    keys: Annotated[list[PublicKeyText], Field(min_length=1, max_length=1000)]


class BallotCast(Payload):
    """An anonymous ballot, signed by its one-time credential (the statement's signer)."""

    campaign: Code
    window: Code
    component: Code
    group: Code | None = None
    ratings: Ratings


class PaperBallot(Payload):
    ratings: Ratings
    group: Code | None = None


class BallotBatch(Payload):
    """Paper ballots transcribed by a clerk; they count once a supervisor countersigns."""

    campaign: Code
    window: Code
    batch: Code
    ballots: Annotated[list[PaperBallot], Field(min_length=1, max_length=100)]


class BallotCountersign(Payload):
    """A supervisor confirms a clerk's batch: ``count`` must equal its number of ballots."""

    campaign: Code
    window: Code
    batch: EntryIdText
    count: Annotated[int, Field(ge=1, le=100)]


class FindingAmend(Payload):
    """Replaces a finding with a corrected one (the original stays in the log, withdrawn)."""

    campaign: Code
    finding: EntryIdText
    unit: Code
    rule: Code
    level: Code  # a level of the rulebook's finding rule: bureau, county, complaint, ...
    serious: bool
    summary: Text
    reason: Text
    evidence: EvidenceList = Field(default_factory=list)


class ItemClaim(Payload):
    """A unit claims a bonus (or reports a deduction) with evidence; the office approves it
    with an ``item.count`` that names the claim."""

    campaign: Code
    unit: Code
    component: Code
    item: Code
    count: Annotated[int, Field(ge=1, le=1_000_000)] = 1
    points: DecimalText | None = None
    note: Annotated[str, StringConstraints(max_length=4000)] = ""
    evidence: EvidenceList = Field(default_factory=list)
