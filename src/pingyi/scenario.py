"""A whole seed-000 campaign run through signed entries (the demo's and the end-to-end test's).

Seed 000 (``shared/schemes.md``): 116 units in 8 categories; an 800-person
pool; component 1 (20%) is scored at a review meeting by the supervisors and
5 people's congress deputies and 5 CPPCC members drawn at random; component 2
(80%) is the public assembly of about 300 voters, 250 of them drawn from the
pool, about half enterprise heads and business owners, unit heads excluded.
The county supplements the seed, as its own rulebook (no code), with the
supervisors' inspection findings and approved bonuses as adjustments to the
total, so that findings, bonuses and an appeal move scores.

Every step is an entry signed by the person whose act it is: the office
(pool, draws, windows, credentials, approvals, close), the panel voters (each
with a one-time credential), clerks (paper batches), supervisors
(countersignatures, findings), a unit's representative (bonus claim, appeal)
and a discipline inspector (ruling). Randomness and ratings come from the
caller (``rng``, ``rate``), so a test can hand-compute scores.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from ledger.entry import Submission
from ledger.keys import Signer
from ledger.store.app import Ledger
from pingyi import conduct
from projections.presets import load_preset
from projections.rulebook import Rulebook, rulebook_document, rulebook_hash
from vault.evidence import EvidenceStore
from vault.people import PeopleStore
from vault.roster import Enrolment, Person, enroll

CAMPAIGN = "county-2026"
POOL = "pool-2026"
#: Pool make-up (800): groups and sizes; unit heads are leaders of evaluated units.
POOL_GROUPS: Mapping[str, int] = {
    "enterprise_head": 230,
    "self_employed": 120,
    "npc_deputy": 60,
    "cppcc_member": 60,
    "party_delegate": 90,
    "party_committee": 60,
    "discipline_committee": 40,
    "unit_head": 140,
}
#: Seed 000's review-meeting draw, and its assembly draw (about half owners).
PANEL_STRATA = [
    {"name": "deputies", "groups": ["npc_deputy"], "count": 5},
    {"name": "members", "groups": ["cppcc_member"], "count": 5},
]
ASSEMBLY_STRATA = [
    {"name": "owners", "groups": ["enterprise_head", "self_employed"], "count": 125},
    {
        "name": "others",
        "groups": [
            "npc_deputy",
            "cppcc_member",
            "party_delegate",
            "party_committee",
            "discipline_committee",
        ],
        "count": 125,
    },
]
LEVELS = ("very_satisfied", "satisfied", "basically_satisfied", "dissatisfied", "dont_know")

#: ``rate(component, voter_number, unit) -> level``.
Rate = Callable[[str, int, str], str]


def supplemented_rulebook() -> Rulebook:
    """Seed 000 plus the county's adjustments: inspection findings and approved bonuses."""
    return load_preset("000-county")


def registration(signer: Signer, holder: str, roles: list[str]) -> dict[str, Any]:
    """A ``key.register`` payload: the key, who holds it and in which roles."""
    return {"key": signer.public_b64, "holder": holder, "roles": roles}


@dataclass
class Staff:
    root: Signer
    office: Signer
    clerks: list[Signer]
    supervisors: list[Signer]
    inspector: Signer
    unit_rep: Signer

    @classmethod
    def generate(cls, token: Callable[[int], bytes]) -> Staff:
        def key() -> Signer:
            return Signer.from_seed(token(32))

        return cls(key(), key(), [key(), key()], [key() for _ in range(6)], key(), key())

    def officials(self) -> list[dict[str, Any]]:
        """The registrations every scheme makes: office, clerks, supervisors, inspector."""
        return [
            registration(self.office, "office 评议办", ["office", "registrar"]),
            *(registration(c, f"clerk {n:02d}", ["clerk"]) for n, c in enumerate(self.clerks, 1)),
            *(
                registration(s, f"supervisor {n:02d}", ["supervisor"])
                for n, s in enumerate(self.supervisors, 1)
            ),
            registration(self.inspector, "discipline inspector 01", ["inspector"]),
        ]

    def registrations(self) -> list[dict[str, Any]]:
        rep = registration(self.unit_rep, "unit representative TW01", ["unit_rep"])
        return [*self.officials(), rep]


def synthetic_roster(rng: random.Random, units: Sequence[str]) -> list[Person]:
    """800 fictional people (TEST data): names 测试人员0001…, phones 1990000xxxx."""
    rows = []
    n = 0
    for group, size in POOL_GROUPS.items():
        for _ in range(size):
            n += 1
            head = group == "unit_head"
            rows.append(
                Person.of(
                    name=f"测试人员{n:04d}",
                    phone=f"1990000{n:04d}",
                    group=group,
                    affiliation=units[n % len(units)] if head or rng.random() < 0.1 else None,
                    leader=head,
                )
            )
    return rows


@dataclass
class Outcome:
    rulebook: Rulebook
    panel: dict[str, Any] = field(default_factory=dict)
    assembly: dict[str, Any] = field(default_factory=dict)
    findings: list[str] = field(default_factory=list)
    appeal: str = ""
    ruling: str = ""
    slips: list[conduct.Slip] = field(default_factory=list)
    ballot_ids: list[str] = field(default_factory=list)


class CampaignRun:
    """Signs a campaign's entries as ``staff`` and appends them to ``ledger``.

    What Seed000 and every :class:`pingyi.schemes_base.SchemeRun` share: randomness
    only from ``rng``, time only from ``clock``, and the steps that register the
    staff, adopt the rulebook, open and close the campaign.
    """

    CAMPAIGN: ClassVar[str]
    TITLE: ClassVar[str]
    REASON: ClassVar[str]
    ledger: Ledger
    staff: Staff
    rng: random.Random
    clock: Callable[[], datetime]
    rulebook: Rulebook

    def token(self, n: int) -> bytes:
        return self.rng.getrandbits(8 * n).to_bytes(n, "big")

    def sign(self, signer: Signer, type_: str, payload: dict[str, Any]) -> Submission:
        return Submission.new(
            signer, log=self.ledger.origin, type=type_, payload=payload, time=self.clock()
        )

    def append_all(self, subs: Sequence[Submission]) -> list[Submission]:
        self.ledger.append(subs)
        return list(subs)

    def append(self, signer: Signer, type_: str, payload: dict[str, Any]) -> Submission:
        return self.append_all([self.sign(signer, type_, payload)])[0]

    def payload(self, **fields: Any) -> dict[str, Any]:
        return {"campaign": self.CAMPAIGN, **fields}

    def register_staff(self) -> None:
        self.append_all(
            [self.sign(self.staff.root, "key.register", p) for p in self.staff.registrations()]
        )

    def open_campaign(self) -> None:
        office = self.staff.office
        self.append(
            office,
            "rulebook.adopt",
            self.payload(
                rulebook=rulebook_document(self.rulebook),
                hash=rulebook_hash(self.rulebook),
                reason=self.REASON,
            ),
        )
        self.append(office, "campaign.open", self.payload(title=self.TITLE))

    def close(self) -> None:
        self.append(self.staff.office, "campaign.close", self.payload())


class Seed000(CampaignRun):
    """Runs the campaign step by step against ``ledger`` (which holds genesis by ``staff.root``)."""

    CAMPAIGN = CAMPAIGN
    TITLE = "2026年度县直单位公开测评"
    REASON = "县委办公室印发公开测评工作方案（含监督扣分与加分补充规定）"

    def __init__(
        self,
        ledger: Ledger,
        staff: Staff,
        *,
        rng: random.Random,
        clock: Callable[[], datetime],
        people: PeopleStore,
        evidence: EvidenceStore,
        rate: Rate,
        assembly_voters: int = 288,
        checked_in: int = 292,
        step: Callable[[str], None] = lambda _: None,
    ) -> None:
        self.ledger, self.staff, self.rng, self.clock = ledger, staff, rng, clock
        self.people, self.evidence, self.rate, self.step = people, evidence, rate, step
        self.assembly_voters, self.checked_in = assembly_voters, checked_in
        self.rulebook = supplemented_rulebook()
        self.units = [u.code for u in self.rulebook.units]
        self.outcome = Outcome(self.rulebook)

    def state(self) -> conduct.Campaign:
        return conduct.Campaign(CAMPAIGN, self.ledger.entries(-1))

    # -- the steps, in order ---------------------------------------------------------------

    def run(self) -> Outcome:
        for name, action in (
            ("staff keys registered 登记密钥", self.register_staff),
            ("rulebook adopted, campaign opened 通过规则并启动", self.open_campaign),
            ("800-person pool enrolled and frozen 建库并冻结", self.enrol_pool),
            ("review panel drawn (5+5, RFC 3797) 抽取评议代表", self.draw_panel),
            ("assembly drawn (250, seeds of 3 parties) 抽取测评代表", self.draw_assembly),
            ("review meeting: credential ballots 集中评议", self.review_meeting),
            ("assembly: paper ballots transcribed 测评大会", self.assembly),
            ("supervisors' findings with evidence 监督员检查", self.findings),
            ("bonus claim approved 加分申报与审核", self.bonuses),
            ("appeal filed and ruled 申诉与裁决", self.appeal),
            ("campaign closed 测评结束", self.close),
        ):
            action()
            self.step(name)
        return self.outcome

    def enrol_pool(self) -> None:
        rows = synthetic_roster(self.rng, self.units)
        enrolments: list[Enrolment] = enroll(rows, token=self.token)
        self.people.add(CAMPAIGN, POOL, enrolments)
        members = [e.member for e in enrolments]
        self.ledger.append(
            [
                self.sign(self.staff.office, t, p)
                for t, p in conduct.enrol_payloads(CAMPAIGN, POOL, members)
            ]
        )

    def _draw(
        self,
        draw: str,
        strata: list[dict[str, Any]],
        source: dict[str, Any],
        values: Any,
        alternates: int,
    ) -> dict[str, Any]:
        state = self.state()
        commit = conduct.commit_payload(
            CAMPAIGN,
            draw,
            POOL,
            state.members(POOL),
            strata=strata,
            source=source,
            alternates=alternates,
            exclude_groups=["unit_head"],
        )
        self.append(self.staff.office, "draw.commit", commit)
        reveal = conduct.reveal_payload(self.state(), draw, values)
        self.append(self.staff.office, "draw.reveal", reveal)
        return reveal

    def draw_panel(self) -> None:
        numbers = [[str(self.rng.randrange(1, 50)) for _ in range(6)] for _ in range(5)]
        self.outcome.panel = self._draw(
            "panel",
            PANEL_STRATA,
            {
                "kind": "rfc3797",
                "description": "5 lottery draws published after the commitment",
                "sources": 5,
            },
            numbers,
            2,
        )

    def draw_assembly(self) -> None:
        seeds = [self.token(32).hex() for _ in range(3)]
        commitments = [hashlib.sha256(bytes.fromhex(s)).hexdigest() for s in seeds]
        self.outcome.assembly = self._draw(
            "assembly",
            ASSEMBLY_STRATA,
            {
                "kind": "seeds",
                "description": "seeds of the office, the discipline commission and a notary",
                "commitments": commitments,
            },
            seeds,
            30,
        )

    def review_meeting(self) -> None:
        office = self.staff.office
        window = {"campaign": CAMPAIGN, "window": "review", "component": "review"}
        self.append(office, "window.open", {**window, "mode": "credential", "title": "集中评议会"})
        # 6 supervisors sit ex officio, plus the 10 drawn: 16 slips; one person does not come.
        slips = conduct.new_slips(
            self.ledger.origin, CAMPAIGN, "review", "review", None, 16, self.token
        )
        self.append(office, "credential.issue", conduct.issue_payload(slips))
        cast = []
        for n, slip in enumerate(slips[:15]):
            ratings = {u: self.rate("review", n, u) for u in self.units}
            cast.append(conduct.cast(slip, ratings, self.clock()))
        self.ledger.append(cast)
        self.outcome.slips, self.outcome.ballot_ids = slips, [s.id for s in cast]
        unused = self.state().unspent("review")
        self.append(
            office, "window.close", {"campaign": CAMPAIGN, "window": "review", "unused": unused}
        )

    def assembly(self) -> None:
        office = self.staff.office
        self.append(
            office,
            "window.open",
            {
                "campaign": CAMPAIGN,
                "window": "assembly",
                "component": "assembly",
                "mode": "paper",
                "title": "公开测评大会",
            },
        )
        ballots = [
            {"ratings": {u: self.rate("assembly", n, u) for u in self.units}}
            for n in range(self.assembly_voters)
        ]
        for n, batch in enumerate(conduct.batch_payloads(CAMPAIGN, "assembly", "paper", ballots)):
            clerk = self.staff.clerks[n % len(self.staff.clerks)]
            sub = self.append(clerk, "ballot.batch", batch)
            supervisor = self.staff.supervisors[n % len(self.staff.supervisors)]
            self.append(
                supervisor,
                "ballot.countersign",
                {
                    "campaign": CAMPAIGN,
                    "window": "assembly",
                    "batch": sub.id,
                    "count": len(batch["ballots"]),
                },
            )
        self.append(
            office,
            "window.close",
            {"campaign": CAMPAIGN, "window": "assembly", "checked_in": self.checked_in},
        )

    def findings(self) -> None:
        subs = []
        for n in range(24):
            unit = self.units[(n * 7) % len(self.units)]
            report = f"TEST inspection report {n}: unit {unit}, visit log and photos".encode()
            stored = self.evidence.put(report)
            payload = {
                "campaign": CAMPAIGN,
                "unit": unit,
                "rule": "inspection",
                "level": "county" if n % 3 == 0 else "bureau",
                "serious": n % 8 == 0,
                "summary": f"明察暗访发现问题 #{n}",
                "evidence": [
                    {"sha256": stored.sha256, "size": stored.size, "name": f"report-{n:02d}.txt"}
                ],
            }
            subs.append(self.sign(self.staff.supervisors[n % 6], "finding.record", payload))
        self.ledger.append(subs)
        self.outcome.findings = [s.id for s in subs]

    def bonuses(self) -> None:
        report = self.evidence.put(b"TEST: city commendation certificate for TW01")
        claim = self.append(
            self.staff.unit_rep,
            "item.claim",
            {
                "campaign": CAMPAIGN,
                "unit": "TW01",
                "component": "bonus",
                "item": "commendation_city",
                "evidence": [
                    {"sha256": report.sha256, "size": report.size, "name": "certificate.txt"}
                ],
            },
        )
        self.append(
            self.staff.office,
            "item.count",
            {
                "campaign": CAMPAIGN,
                "unit": "TW01",
                "component": "bonus",
                "item": "commendation_city",
                "claim": claim.id,
            },
        )

    def appeal(self) -> None:
        target = self.outcome.findings[0]  # against TW01, county level, serious
        filed = self.append(
            self.staff.unit_rep,
            "appeal.file",
            {
                "campaign": CAMPAIGN,
                "target": target,
                "reason": "整改已于检查当日完成，情节不属严重",
            },
        )
        ruled = self.append(
            self.staff.inspector,
            "appeal.rule",
            {
                "campaign": CAMPAIGN,
                "target": target,
                "outcome": "partly_upheld",
                "adjusted": "1",
                "reason": "问题属实，但不属严重情形，按一般问题扣分",
            },
        )
        self.outcome.appeal, self.outcome.ruling = filed.id, ruled.id


__all__ = [
    "CAMPAIGN",
    "LEVELS",
    "POOL",
    "CampaignRun",
    "Outcome",
    "Seed000",
    "Staff",
    "registration",
    "supplemented_rulebook",
    "synthetic_roster",
]
