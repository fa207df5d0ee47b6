"""Seed 001: "enterprises rate agencies, the public rates section chiefs" (企业评机关、群众评科长).

The six rated sections (preset units K01…K06) are scored 50 by self-evaluation
and 50 by social evaluation, both anonymous ballots with one-time credentials:

- self-evaluation: every cadre of a section and the heads of its second-level
  units get a credential and rate their own section (8-18 voters a section;
  a few do not vote and their credentials are declared unused);
- social evaluation: 40 representatives drawn from a 360-person pool with the
  seed's 30% / 70% split (12 deputies, CPPCC members and leaders in charge;
  28 service recipients, enterprise heads and business owners), three
  section chiefs who sit as deputies or CPPCC members excluded as leaders of
  evaluated units; the credentials carry the voter group, which the
  rulebook weighs 0.3 / 0.7. One representative of each group does not come.

One social ballot was cast with a slip handed by mistake to a K03 staff member
(the door log names the slip): K03 appeals it and the inspector upholds the
appeal, which removes the ballot. K01's ratings are fixed (self: 6 very
satisfied and 4 satisfied; social: representatives satisfied, recipients very
satisfied) so its score can be computed by hand: 46 + 47 = 93.
"""

from __future__ import annotations

from collections.abc import Callable

from pingyi import conduct
from pingyi.schemes_base import SchemeRun, pick
from projections.presets import load_preset
from projections.rulebook import Rulebook

POOL = "reps-2026"
#: The pool (360): groups and sizes; three section chiefs sit as deputies or members.
POOL_GROUPS = {
    "npc_deputy": 52,
    "cppcc_member": 48,
    "county_leader": 16,
    "service_recipient": 150,
    "enterprise_head": 64,
    "self_employed": 30,
}
#: The seed's 30% / 70% split of at least 30 representatives.
SOCIAL_STRATA = [
    {
        "name": "representatives",
        "groups": ["npc_deputy", "cppcc_member", "county_leader"],
        "count": 12,
    },
    {
        "name": "recipients",
        "groups": ["service_recipient", "enterprise_head", "self_employed"],
        "count": 28,
    },
]
SCALE = ("very_satisfied", "satisfied", "basically_satisfied", "dissatisfied")
#: The unit whose inputs are fixed, for hand computation.
REFERENCE = "K01"


class Seed001(SchemeRun):
    CAMPAIGN = "sections-2026"
    TITLE = "2026年企业评机关、群众评科长活动"
    REASON = "市经济局印发“企业评机关、群众评科长”活动实施方案（评议等次沿用县公开测评标准）"

    def make_rulebook(self) -> Rulebook:
        return load_preset("001")

    def steps(self) -> list[tuple[str, Callable[[], None]]]:
        return [
            ("staff keys registered 登记密钥", self.register_staff),
            ("rulebook adopted, campaign opened 通过规则并启动", self.open_campaign),
            ("360-person pool enrolled and frozen 建立评议代表库", self.enrol_pool),
            ("40 representatives drawn, 30% / 70% 抽取社会评议代表", self.draw_social),
            ("self-evaluation: credential ballots 单位自评", self.self_evaluation),
            ("social evaluation: credential ballots 社会测评", self.social_evaluation),
            ("appeal filed and ruled 申诉与裁决", self.appeals),
            ("campaign closed 测评结束", self.close),
        ]

    # -- spreads ----------------------------------------------------------------------------

    def _level(self, component: str, voter: int, unit: str, quality: float) -> str:
        if self.rate is not None:
            return self.rate(component, voter, unit)
        q = quality
        return pick(
            self.rng,
            {
                "very_satisfied": q,
                "satisfied": 1 - q,
                "basically_satisfied": (1 - q) / 2,
                "dissatisfied": (1 - q) / 6,
            },
        )

    # -- steps ------------------------------------------------------------------------------

    def enrol_pool(self) -> None:
        # three section chiefs sit as deputies or CPPCC members: leaders of evaluated units
        chiefs = {("npc_deputy", 0): "K02", ("npc_deputy", 1): "K05", ("cppcc_member", 0): "K04"}
        persons = []
        for group, size in POOL_GROUPS.items():
            for n in range(size):
                unit = chiefs.get((group, n))
                persons.append(self.person(group, unit, leader=unit is not None))
        self.members = self.enrol(POOL, persons)

    def draw_social(self) -> None:
        self.drawn = self.draw("social", POOL, self.members, SOCIAL_STRATA, alternates=3)

    def self_evaluation(self) -> None:
        self.open_window("self", "self", "credential", "单位自评（无记名）")
        self.quality = {u: self.rng.uniform(0.35, 0.8) for u in self.units}
        unused: list[conduct.Slip] = []
        cast = []
        voter = 0
        for unit in self.units:
            cadres = 10 if unit == REFERENCE else self.rng.randint(8, 18)
            slips = self.issue("self", "self", None, cadres)
            absent = 0 if unit == REFERENCE else self.rng.choice((0, 0, 1, 2))
            for n, slip in enumerate(slips[: cadres - absent]):
                if unit == REFERENCE and self.rate is None:
                    level = "very_satisfied" if n < 6 else "satisfied"
                else:
                    # cadres rate their own section a little more kindly
                    level = self._level("self", voter, unit, min(0.95, self.quality[unit] + 0.15))
                cast.append(conduct.cast(slip, {unit: level}, self.clock()))
                voter += 1
            unused += slips[cadres - absent :]
        self.append_all(cast)
        self.close_credential_window("self", unused)

    def social_evaluation(self) -> None:
        self.open_window("social", "social", "credential", "社会测评（无记名）")
        ballots: list[tuple[conduct.Slip, dict[str, str]]] = []
        unused: list[conduct.Slip] = []
        voter = 0
        for group, drawn in self.drawn["selected"].items():  # a credential for each drawn
            slips = self.issue("social", "social", group, len(drawn))
            for slip in slips[:-1]:  # one drawn representative of each group does not come
                ratings = {}
                for unit in self.units:
                    if unit == REFERENCE and self.rate is None:
                        level = "satisfied" if group == "representatives" else "very_satisfied"
                    elif group == "representatives" and self.rng.random() < 0.12:
                        level = "dont_know"  # 不了解: neither scored nor counted
                    else:
                        level = self._level("social", voter, unit, self.quality[unit])
                    ratings[unit] = level
                ballots.append((slip, ratings))
                voter += 1
            unused.append(slips[-1])
        # A recipients' slip handed by mistake to a K03 staff member, who used it so:
        misused = len(ballots) - 5
        ballots[misused][1].update(
            {"K03": "very_satisfied", "K05": "dissatisfied", "K06": "dissatisfied"}
        )
        cast = [conduct.cast(slip, ratings, self.clock()) for slip, ratings in ballots]
        self.append_all(cast)
        self.outcome.marks["misused ballot"] = cast[misused].id
        self.close_credential_window("social", unused)

    def appeals(self) -> None:
        self.appeal(
            "K05",
            self.outcome.marks["misused ballot"],
            "门口登记表显示该张评议凭证被错发给K03科室工作人员，其投票与本科室存在利益冲突",
            "upheld",
            "经核查发放登记，该凭证确系错发给被评议科室工作人员，所投选票作废",
        )
