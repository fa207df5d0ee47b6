"""The ledger's vocabulary: one pydantic model per (entry type, version).

Payload models are strict (no coercion, no unknown fields), so the JSON an
author signed is exactly the JSON that was validated. Numbers that are scores
or points are decimal strings (:data:`DecimalText`).
"""

from __future__ import annotations

from pydantic import BaseModel

from ledger.payloads import campaign, draw, keys, lifecycle, publication, scoring

PAYLOADS: dict[tuple[str, int], type[BaseModel]] = {
    ("genesis", 1): keys.Genesis,
    ("key.register", 1): keys.KeyRegister,
    ("key.roles", 1): keys.KeyRoles,
    ("key.revoke", 1): keys.KeyRevoke,
    ("key.rotate", 1): keys.KeyRotate,
    ("campaign.open", 1): campaign.CampaignOpen,
    ("campaign.close", 1): campaign.CampaignClose,
    ("finding.record", 1): campaign.FindingRecord,
    ("finding.withdraw", 1): campaign.FindingWithdraw,
    ("rulebook.adopt", 1): scoring.RulebookAdopt,
    ("rulebook.revise", 1): scoring.RulebookRevise,
    ("ballot.record", 1): scoring.BallotRecord,
    ("survey.response", 1): scoring.SurveyResponse,
    ("tier.rate", 1): scoring.TierRate,
    ("item.count", 1): scoring.ItemCount,
    ("checklist.record", 1): scoring.ChecklistRecord,
    ("task.report", 1): scoring.TaskReport,
    ("submission.record", 1): scoring.SubmissionRecord,
    ("deadline.close", 1): scoring.DeadlineClose,
    ("candidates.previous", 1): scoring.CandidatesPrevious,
    ("appeal.file", 1): scoring.AppealFile,
    ("appeal.rule", 1): scoring.AppealRule,
    ("finding.amend", 1): lifecycle.FindingAmend,
    ("item.claim", 1): lifecycle.ItemClaim,
    ("pool.enroll", 1): lifecycle.PoolEnroll,
    ("pool.freeze", 1): lifecycle.PoolFreeze,
    ("window.open", 1): lifecycle.WindowOpen,
    ("window.close", 1): lifecycle.WindowClose,
    ("credential.issue", 1): lifecycle.CredentialIssue,
    ("ballot.cast", 1): lifecycle.BallotCast,
    ("ballot.batch", 1): lifecycle.BallotBatch,
    ("ballot.countersign", 1): lifecycle.BallotCountersign,
    ("draw.commit", 1): draw.DrawCommit,
    ("draw.reveal", 1): draw.DrawReveal,
}

# Publications (issue 5): the office publishes a ranking at a checkpoint.
PAYLOADS[("ranking.publish", 1)] = publication.RankingPublish
