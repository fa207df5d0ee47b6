"""A real ledger with every default policy, a small rulebook and helpers to publish (TEST keys)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ledger.entry import Submission
from ledger.keys import Signer
from ledger.note import NoteSigner
from ledger.store.app import Ledger
from pingyi.publish import Published, publish_in
from projections.policy import default_policies
from projections.rulebook import Rulebook, rulebook_document, rulebook_hash
from tests.support import ORIGIN, fixed_clock, labelled_key
from tests.vectors.bundles.generate import rulebook

STAFF_ROLES = ["supervisor", "survey_operator", "inspector", "unit_rep"]
PASSPHRASE = "a test passphrase"


@dataclass
class PublishWorld:
    url: str
    ledger: Ledger
    root: Signer = field(default_factory=lambda: labelled_key("root"))
    log: Signer = field(default_factory=lambda: labelled_key("log"))
    office: Signer = field(default_factory=lambda: labelled_key("office"))
    staff: Signer = field(default_factory=lambda: labelled_key("staff"))

    @classmethod
    def create(cls, url: str, campaigns: tuple[str, ...] = ("c1",)) -> PublishWorld:
        root, log = labelled_key("root"), labelled_key("log")
        ledger = Ledger.create(
            url,
            ORIGIN,
            deployment="TEST county",
            root=root,
            log_signer=NoteSigner(ORIGIN, log.private_key),
            clock=fixed_clock,
            policies=default_policies(),
        )
        world = cls(url, ledger)
        world.append(
            root,
            "key.register",
            {"key": world.office.public_b64, "holder": "office", "roles": ["registrar", "office"]},
        )
        world.append(
            world.office,
            "key.register",
            {"key": world.staff.public_b64, "holder": "staff", "roles": STAFF_ROLES},
        )
        for campaign in campaigns:
            world.adopt(campaign, rulebook())
            world.append(world.office, "campaign.open", {"campaign": campaign, "title": "测评"})
        return world

    def sign(self, signer: Signer, type_: str, payload: dict[str, Any]) -> Submission:
        return Submission.new(signer, log=ORIGIN, type=type_, payload=payload, time=fixed_clock())

    def append(self, signer: Signer, type_: str, payload: dict[str, Any]) -> Submission:
        submission = self.sign(signer, type_, payload)
        self.ledger.append([submission])
        return submission

    def adopt(self, campaign: str, book: Rulebook, *, revise: bool = False) -> Submission:
        return self.append(
            self.office,
            "rulebook.revise" if revise else "rulebook.adopt",
            {
                "campaign": campaign,
                "rulebook": rulebook_document(book),
                "hash": rulebook_hash(book),
                "reason": "TEST",
            },
        )

    def survey(self, unit: str, level: str = "dissatisfied", campaign: str = "c1") -> Submission:
        return self.append(
            self.staff,
            "survey.response",
            {"campaign": campaign, "unit": unit, "component": "survey", "level": level},
        )

    def finding(self, unit: str, level: str = "county", campaign: str = "c1") -> Submission:
        return self.append(
            self.staff,
            "finding.record",
            {
                "campaign": campaign,
                "unit": unit,
                "rule": "findings",
                "level": level,
                "serious": False,
                "summary": f"问题 finding about {unit}",
            },
        )

    def publish(self, campaign: str = "c1", **kw: Any) -> Published:
        return publish_in(self.ledger, campaign, self.office, **kw)

    def key_files(self, directory: Path) -> dict[str, Path]:
        """The TEST keys as encrypted key files, for the command line."""
        paths = {}
        for name in ("office", "log", "staff"):
            path = directory / f"{name}.key"
            if not path.exists():
                getattr(self, name).save(path, PASSPHRASE.encode())
            paths[name] = path
        return paths

    def close(self) -> None:
        self.ledger.close()
