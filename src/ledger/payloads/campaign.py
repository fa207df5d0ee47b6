"""Campaign payloads (the minimal set the ledger issue needs; the lifecycle issue extends it)."""

from __future__ import annotations

from pydantic import Field

from ledger.payloads.base import Code, EntryIdText, EvidenceList, Payload, Text


class CampaignOpen(Payload):
    campaign: Code
    title: Text


class CampaignClose(Payload):
    campaign: Code


class FindingRecord(Payload):
    campaign: Code
    unit: Code
    rule: Code
    level: Code  # a level of the rulebook's finding rule: bureau, county, complaint, ...
    serious: bool
    summary: Text
    evidence: EvidenceList = Field(default_factory=list)


class FindingWithdraw(Payload):
    campaign: Code
    finding: EntryIdText
    reason: Text
