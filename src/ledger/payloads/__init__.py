"""The ledger's vocabulary: one pydantic model per (entry type, version).

Payload models are strict (no coercion, no unknown fields), so the JSON an
author signed is exactly the JSON that was validated. Numbers that are scores
or points are decimal strings (:data:`DecimalText`).
"""

from __future__ import annotations

from pydantic import BaseModel

from ledger.payloads import campaign, keys

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
}
