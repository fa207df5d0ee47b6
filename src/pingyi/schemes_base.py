"""What every seed campaign of :mod:`pingyi.schemes` shares: staff, signing, pools, draws, appeals.

A :class:`SchemeRun` runs one campaign step by step against a ledger that
holds genesis by ``staff.root``, like :class:`pingyi.scenario.Seed000`: it
registers the staff it needs, adopts its rulebook, opens the campaign, records
the campaign as signed entries (each by the person whose act it is) and closes
it. Randomness comes only from the caller's ``rng`` and time only from its
``clock``, so the same seed gives the same entries (entry ids aside) and a
test can hand-compute the scores of the units whose inputs are fixed.
"""

from __future__ import annotations

import hashlib
import random
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from ledger.entry import Submission
from ledger.keys import Signer
from ledger.store.app import Ledger
from pingyi import conduct
from pingyi.scenario import CampaignRun, Staff, registration
from projections.draw import run_draw
from projections.rulebook import Rulebook
from vault.evidence import EvidenceStore
from vault.people import PeopleStore
from vault.roster import Member, Person, enroll

#: ``rate(component, voter_number, unit) -> level`` (as in :mod:`pingyi.scenario`).
Rate = Callable[[str, int, str], str]
#: Entries appended in one atomic batch at most (keeps each transaction small).
CHUNK = 250


@dataclass
class SchemeStaff(Staff):
    """Seed 000's staff plus survey operators and one representative per unit.

    ``unit_rep`` (Seed 000's single representative) becomes the first unit's.
    """

    survey_operators: list[Signer] = field(default_factory=list)
    reps: dict[str, Signer] = field(default_factory=dict)
    operator_labels: list[str] = field(default_factory=list)

    @classmethod
    def extend(
        cls,
        staff: Staff,
        token: Callable[[int], bytes],
        units: Sequence[str],
        operators: Sequence[str] = (),
    ) -> SchemeStaff:
        """``staff`` with the keys a scheme needs added (made from ``token``, like Seed 000's)."""

        def key() -> Signer:
            return Signer.from_seed(token(32))

        have = staff.reps if isinstance(staff, SchemeStaff) else {}
        ops = (
            list(staff.survey_operators[: len(operators)]) if isinstance(staff, SchemeStaff) else []
        )
        reps = {units[0]: have.get(units[0], staff.unit_rep)}
        reps.update((u, have[u] if u in have else key()) for u in units[1:])
        ops += [key() for _ in range(len(operators) - len(ops))]
        return cls(
            staff.root,
            staff.office,
            list(staff.clerks),
            list(staff.supervisors),
            staff.inspector,
            reps[units[0]],
            ops,
            reps,
            list(operators),
        )

    def registrations(self) -> list[dict[str, Any]]:
        operators = zip(self.survey_operators, self.operator_labels, strict=True)
        return [
            *self.officials(),
            *(
                registration(s, f"survey operator {n:02d} {label}", ["survey_operator"])
                for n, (s, label) in enumerate(operators, 1)
            ),
            *(
                registration(s, f"unit representative {u}", ["unit_rep"])
                for u, s in self.reps.items()
            ),
        ]


@dataclass
class SchemeOutcome:
    """What a run recorded: entry counts by type, draws, appeals and their rulings."""

    rulebook: Rulebook
    campaign: str
    counts: Counter[str] = field(default_factory=Counter)
    draws: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: (unit, appeal entry id, ruling entry id, outcome) for every appeal ruled on
    appeals: list[tuple[str, str, str, str]] = field(default_factory=list)
    #: named entries a test or a demo may want to point at (e.g. "withdrawn finding")
    marks: dict[str, str] = field(default_factory=dict)

    @property
    def appeal(self) -> str:
        return self.appeals[0][1] if self.appeals else ""

    @property
    def ruling(self) -> str:
        return self.appeals[0][2] if self.appeals else ""


class SchemeRun(CampaignRun):
    """One seed's campaign, run step by step; subclasses give ``steps`` and the rulebook."""

    staff: SchemeStaff
    #: holder labels of the survey operators the scheme registers
    OPERATORS: ClassVar[tuple[str, ...]] = ()

    def __init__(
        self,
        ledger: Ledger,
        staff: Staff,
        *,
        rng: random.Random,
        clock: Callable[[], datetime],
        people: PeopleStore,
        evidence: EvidenceStore,
        rate: Rate | None = None,
        step: Callable[[str], None] = lambda _: None,
    ) -> None:
        self.ledger, self.rng, self.clock = ledger, rng, clock
        self.people, self.evidence, self.rate, self.step = people, evidence, rate, step
        self.rulebook = self.make_rulebook()
        self.units = [u.code for u in self.rulebook.units]
        self.staff = SchemeStaff.extend(staff, self.token, self.units, self.OPERATORS)
        self.outcome = SchemeOutcome(self.rulebook, self.CAMPAIGN)
        self._person = 0

    # -- to be given by each scheme -----------------------------------------------------------

    def make_rulebook(self) -> Rulebook:
        raise NotImplementedError

    def steps(self) -> list[tuple[str, Callable[[], None]]]:
        raise NotImplementedError

    def run(self) -> SchemeOutcome:
        for name, action in self.steps():
            action()
            self.step(name)
        return self.outcome

    # -- signing and appending ---------------------------------------------------------------

    def append_all(self, subs: Sequence[Submission]) -> list[Submission]:
        for start in range(0, len(subs), CHUNK):
            self.ledger.append(subs[start : start + CHUNK])
        self.outcome.counts.update(s.type for s in subs)
        return list(subs)

    def proof(self, text: str, name: str) -> list[dict[str, Any]]:
        """Put a (TEST) document in the evidence store; the evidence list an entry names."""
        stored = self.evidence.put(f"TEST {text}".encode())
        return [{"sha256": stored.sha256, "size": stored.size, "name": name}]

    # -- pools and draws ---------------------------------------------------------------------

    def person(self, group: str, affiliation: str | None = None, leader: bool = False) -> Person:
        """A fictional person (TEST data): names 测试人员00001…, phones 199000xxxxx."""
        self._person += 1
        n = self._person
        return Person.of(
            name=f"测试人员{n:05d}",
            phone=f"199{n:08d}",
            group=group,
            affiliation=affiliation,
            leader=leader,
        )

    def enrol(self, pool: str, persons: Iterable[Person]) -> list[Member]:
        """Enrol and freeze a pool: people in the private store, pseudonyms in the log."""
        enrolments = enroll(list(persons), token=self.token)
        self.people.add(self.CAMPAIGN, pool, enrolments)
        members = [e.member for e in enrolments]
        self.append_all(
            [
                self.sign(self.staff.office, t, p)
                for t, p in conduct.enrol_payloads(self.CAMPAIGN, pool, members)
            ]
        )
        return members

    def draw(
        self,
        draw: str,
        pool: str,
        members: Sequence[Mapping[str, Any]],
        strata: Sequence[Mapping[str, Any]],
        *,
        alternates: int = 0,
        public_numbers: bool = True,
        exclude_groups: Sequence[str] = (),
    ) -> dict[str, Any]:
        """Commit, then reveal: RFC 3797 public numbers, or seeds of three parties."""
        if public_numbers:
            source: dict[str, Any] = {
                "kind": "rfc3797",
                "description": "5 lottery draws published after the commitment",
                "sources": 5,
            }
            values: Any = [[str(self.rng.randrange(1, 50)) for _ in range(6)] for _ in range(5)]
        else:
            values = [self.token(32).hex() for _ in range(3)]
            source = {
                "kind": "seeds",
                "description": "seeds of the office, the discipline commission and a notary",
                "commitments": [hashlib.sha256(bytes.fromhex(s)).hexdigest() for s in values],
            }
        commit = conduct.commit_payload(
            self.CAMPAIGN,
            draw,
            pool,
            members,
            strata=strata,
            source=source,
            alternates=alternates,
            exclude_groups=exclude_groups,
        )
        self.append(self.staff.office, "draw.commit", commit)
        result = run_draw(members, commit, values, self.units)
        reveal = self.payload(draw=draw, values=values, **result.as_payload())
        self.append(self.staff.office, "draw.reveal", reveal)
        self.outcome.draws[draw] = reveal
        return reveal

    # -- credential windows ------------------------------------------------------------------

    def open_window(self, window: str, component: str, mode: str, title: str) -> None:
        self.append(
            self.staff.office,
            "window.open",
            self.payload(window=window, component=component, mode=mode, title=title),
        )

    def issue(
        self, window: str, component: str, group: str | None, count: int
    ) -> list[conduct.Slip]:
        slips = conduct.new_slips(
            self.ledger.origin, self.CAMPAIGN, window, component, group, count, self.token
        )
        self.append(self.staff.office, "credential.issue", conduct.issue_payload(slips))
        return slips

    def close_credential_window(self, window: str, unused: Iterable[conduct.Slip]) -> None:
        keys = sorted(s.signer.key_id for s in unused)
        self.append(self.staff.office, "window.close", self.payload(window=window, unused=keys))

    # -- claims and appeals ------------------------------------------------------------------

    def claim(
        self,
        unit: str,
        component: str,
        item: str,
        evidence: str,
        *,
        count: int = 1,
        points: str | None = None,
        note: str = "",
    ) -> Submission:
        payload = self.payload(
            unit=unit,
            component=component,
            item=item,
            count=count,
            note=note,
            evidence=self.proof(evidence, f"{unit}-{item}.pdf"),
        )
        if points is not None:
            payload["points"] = points
        return self.sign(self.staff.reps[unit], "item.claim", payload)

    def approval(self, claim: Submission, note: str = "") -> Submission:
        p = claim.payload
        payload = self.payload(
            unit=p["unit"],
            component=p["component"],
            item=p["item"],
            count=p["count"],
            claim=claim.id,
            note=note or "经审核，佐证材料属实",
        )
        if "points" in p:
            payload["points"] = p["points"]
        return self.sign(self.staff.office, "item.count", payload)

    def appeal(
        self,
        unit: str,
        target: str,
        reason: str,
        outcome: str,
        ruling: str,
        adjusted: str | None = None,
    ) -> None:
        """``unit``'s representative appeals entry ``target``; the inspector rules."""
        filed = self.append(
            self.staff.reps[unit], "appeal.file", self.payload(target=target, reason=reason)
        )
        payload = self.payload(target=target, outcome=outcome, reason=ruling)
        if adjusted is not None:
            payload["adjusted"] = adjusted
        ruled = self.append(self.staff.inspector, "appeal.rule", payload)
        self.outcome.appeals.append((unit, filed.id, ruled.id, outcome))


def pick(rng: random.Random, weights: Mapping[str, float]) -> str:
    """One key of ``weights`` at random, in proportion to its weight."""
    return rng.choices(list(weights), weights=list(weights.values()))[0]


__all__ = ["CHUNK", "Rate", "SchemeOutcome", "SchemeRun", "SchemeStaff", "pick"]
