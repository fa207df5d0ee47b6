"""Who may append what: the one permission table, used on append and by every verifier."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal


class Role(StrEnum):
    ROOT = "root"  # the office's root key named by genesis; manages registrars
    REGISTRAR = "registrar"  # office staff who register, re-role, rotate and revoke keys
    OFFICE = "office"  # runs campaigns, adopts rulebooks, approves bonuses, publishes
    SUPERVISOR = "supervisor"  # appends inspection findings and tier ratings
    INSPECTOR = "inspector"  # discipline inspector: rules on appeals, reads private data
    CLERK = "clerk"  # transcribes paper ballots
    SURVEY_OPERATOR = "survey_operator"  # records satisfaction survey responses
    UNIT_REP = "unit_rep"  # a unit's representative: files appeals, task reports, bonus claims
    VOTER = "voter"  # a one-time ballot credential (issued by credential.issue, never registered)


RoleName = Literal[
    "root", "registrar", "office", "supervisor", "inspector", "clerk", "survey_operator", "unit_rep"
]

# A key whose own rotation is being signed (``key.rotate`` signed by the old key).
SELF = "self"

PERMISSIONS: dict[str, frozenset[str]] = {
    "genesis": frozenset({Role.ROOT}),
    "key.register": frozenset({Role.ROOT, Role.REGISTRAR}),
    "key.roles": frozenset({Role.ROOT, Role.REGISTRAR}),
    "key.revoke": frozenset({Role.ROOT, Role.REGISTRAR}),
    "key.rotate": frozenset({Role.ROOT, Role.REGISTRAR, SELF}),
    "campaign.open": frozenset({Role.OFFICE}),
    "campaign.close": frozenset({Role.OFFICE}),
    "finding.record": frozenset(
        {Role.SUPERVISOR, Role.INSPECTOR}
    ),  # inspectors: verified complaints
    "finding.withdraw": frozenset({Role.SUPERVISOR}),
    "rulebook.adopt": frozenset({Role.OFFICE}),
    "rulebook.revise": frozenset({Role.OFFICE}),
    "ballot.record": frozenset({Role.CLERK}),
    "survey.response": frozenset({Role.SURVEY_OPERATOR}),
    "tier.rate": frozenset({Role.SUPERVISOR, Role.OFFICE}),
    "item.count": frozenset({Role.OFFICE}),
    "checklist.record": frozenset({Role.SUPERVISOR, Role.OFFICE}),
    "task.report": frozenset({Role.UNIT_REP, Role.OFFICE}),
    "submission.record": frozenset({Role.OFFICE}),
    "deadline.close": frozenset({Role.OFFICE}),
    "candidates.previous": frozenset({Role.OFFICE}),
    "appeal.file": frozenset({Role.UNIT_REP}),
    "appeal.rule": frozenset({Role.INSPECTOR}),
    "finding.amend": frozenset({Role.SUPERVISOR}),
    "item.claim": frozenset({Role.UNIT_REP}),
    "pool.enroll": frozenset({Role.OFFICE}),
    "pool.freeze": frozenset({Role.OFFICE}),
    "draw.commit": frozenset({Role.OFFICE}),
    "draw.reveal": frozenset({Role.OFFICE}),
    "window.open": frozenset({Role.OFFICE}),
    "window.close": frozenset({Role.OFFICE}),
    "credential.issue": frozenset({Role.OFFICE}),
    "ballot.cast": frozenset({Role.VOTER}),
    "ballot.batch": frozenset({Role.CLERK}),
    "ballot.countersign": frozenset({Role.SUPERVISOR}),
}
# Publications (issue 5): only the office publishes rankings.
PERMISSIONS["ranking.publish"] = frozenset({Role.OFFICE})

# Roles only root may grant: a registrar cannot make another registrar or a root.
ROOT_ONLY_GRANTS: frozenset[str] = frozenset({Role.ROOT, Role.REGISTRAR})


def allowed_roles(entry_type: str) -> frozenset[str]:
    return PERMISSIONS.get(entry_type, frozenset())
