"""A real ledger with the campaign policy: staff keys, a rulebook adopted, helpers to append facts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ledger.entry import Submission
from ledger.keys import Signer
from ledger.note import NoteSigner
from ledger.store.app import Ledger
from projections.policy import CampaignPolicy
from projections.rulebook import Rulebook, rulebook_document, rulebook_hash
from tests.support import ORIGIN, fixed_clock, labelled_key

ROLES = ["office", "supervisor", "clerk", "survey_operator", "inspector", "unit_rep"]


@dataclass
class ScoringWorld:
    """A log whose staff key holds every campaign role (TEST keys)."""

    url: str
    ledger: Ledger
    root: Signer = field(default_factory=lambda: labelled_key("root"))
    staff: Signer = field(default_factory=lambda: labelled_key("staff"))

    @classmethod
    def create(cls, url: str) -> ScoringWorld:
        root, log = labelled_key("root"), labelled_key("log")
        ledger = Ledger.create(
            url,
            ORIGIN,
            deployment="TEST county",
            root=root,
            log_signer=NoteSigner(ORIGIN, log.private_key),
            clock=fixed_clock,
            policies=[CampaignPolicy()],
        )
        world = cls(url, ledger)
        world.append(
            root,
            "key.register",
            {"key": world.staff.public_b64, "holder": "staff 1", "roles": ["registrar", *ROLES]},
        )
        return world

    def sign(self, type_: str, payload: dict[str, Any], signer: Signer | None = None) -> Submission:
        return Submission.new(
            signer or self.staff, log=ORIGIN, type=type_, payload=payload, time=fixed_clock()
        )

    def append(self, signer: Signer, type_: str, payload: dict[str, Any]) -> int:
        return self.ledger.append([self.sign(type_, payload, signer)])[0].index

    def record(self, type_: str, payload: dict[str, Any]) -> Submission:
        """Append one staff entry; return its submission (for its id)."""
        sub = self.sign(type_, payload)
        self.ledger.append([sub])
        return sub

    def adopt(self, campaign: str, rulebook: Rulebook, *, revise: bool = False) -> Submission:
        return self.record(
            "rulebook.revise" if revise else "rulebook.adopt",
            {
                "campaign": campaign,
                "rulebook": rulebook_document(rulebook),
                "hash": rulebook_hash(rulebook),
                "reason": "TEST: revised" if revise else "TEST: adopted by the leading group",
            },
        )

    def open(self, campaign: str) -> Submission:
        return self.record("campaign.open", {"campaign": campaign, "title": f"{campaign} 测评"})

    def close(self) -> None:
        self.ledger.close()
