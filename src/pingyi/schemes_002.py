"""Seed 002: Fangcheng county's quarterly government-service efficiency monitoring (效能监测).

One quarter of monitoring of the eight responsible units (preset R01…R08):

- daily work: the office records the checklist items (enterprise visits,
  rectification, innovation, assigned work), supervisors rate each unit's
  tier (方阵) after their tours, one rating revised after a second visit;
- indicator monitoring: the latest province/city scores of the five units they
  evaluated (the other three get the average; weight 0 in the total);
- publicity: a tier by the number of media reports;
- enterprise satisfaction survey: respondents drawn from the county's
  enterprise register by "all if at most 500, else 500" per stratum (620
  enterprise heads: 500 drawn; 160 self-employed owners: all), each asked
  about the units it dealt with, recorded with its pseudonym by the survey
  operator; about one in ten cannot be reached;
- the discipline commission's "masses evaluate" responses, recorded by its own
  operator (not sampled from a pool: no pseudonyms);
- bonuses: leaders' endorsements claimed by units with evidence and approved by
  the office (one claim left unapproved); verified broken promises (-10)
  counted by the office.

R04 appeals its broken-promise deduction and the inspector upholds the appeal
(the enterprise did not meet the policy's conditions); R02's appeal against its
supervisors' tier is rejected. R01's inputs are fixed: 37 + 6 + 16 + 27 + 2 = 88.
"""

from __future__ import annotations

from collections.abc import Callable

from pingyi.schemes_base import SchemeRun, pick
from projections.presets import load_preset
from projections.rulebook import Rulebook

POOL = "enterprises-2022"
SURVEY_STRATA = [
    {"name": "enterprises", "groups": ["enterprise_head"], "count": 500, "all_if_at_most": True},
    {"name": "owners", "groups": ["self_employed"], "count": 500, "all_if_at_most": True},
]
POOL_GROUPS = {"enterprise_head": 620, "self_employed": 160}
CHECKLIST = {
    "visits": ("revisited_all", "problems_solved"),
    "rectification": ("rectified_in_time",),
    "innovation": ("highlight", "results"),
    "assigned_work": ("cooperative",),
}
TIERS = {"first": (7, 8), "second": (4, 6), "third": (1, 3)}
PUBLICITY = {"first": (7, 10), "second": (4, 6), "third": (1, 3)}
REFERENCE = "R01"


class Seed002(SchemeRun):
    CAMPAIGN = "efficiency-2022q3"
    TITLE = "方城县2022年第三季度政务服务效能监测"
    REASON = "县优化办印发2022年政务服务效能监测方案（按季度监测）"
    OPERATORS = ("企业满意度调查", "县纪委监委“群众评”")

    def make_rulebook(self) -> Rulebook:
        return load_preset("002")

    def steps(self) -> list[tuple[str, Callable[[], None]]]:
        return [
            ("staff keys registered 登记密钥", self.register_staff),
            ("rulebook adopted, campaign opened 通过规则并启动", self.open_campaign),
            ("enterprise register enrolled and frozen 企业库", self.enrol_pool),
            ("respondents drawn (all if ≤500, else 500) 抽取调查企业", self.draw_respondents),
            ("daily work checked 日常工作检查", self.daily_work),
            ("supervisors' tiers 特邀监督员评定方阵", self.supervisor_tiers),
            ("indicators and publicity 指标监测与宣传报道", self.indicators_and_publicity),
            ("enterprise satisfaction survey 企业满意度调查", self.survey),
            ("masses evaluate 群众评", self.masses),
            ("bonuses and deductions 加减分", self.bonuses),
            ("appeals filed and ruled 申诉与裁决", self.appeals),
            ("campaign closed 监测结束", self.close),
        ]

    def enrol_pool(self) -> None:
        persons = [self.person(g) for g, size in POOL_GROUPS.items() for _ in range(size)]
        self.members = self.enrol(POOL, persons)
        # how well each unit serves (drives every spread below); R01 is fixed by hand
        self.quality = {u: self.rng.uniform(0.5, 0.95) for u in self.units}

    def draw_respondents(self) -> None:
        reveal = self.draw("survey", POOL, self.members, SURVEY_STRATA, public_numbers=False)
        self.respondents = [p for names in reveal["selected"].values() for p in names]

    def daily_work(self) -> None:
        subs = []
        for unit in self.units:
            q = self.quality[unit]
            for component, items in CHECKLIST.items():
                for item in items:
                    if unit == REFERENCE:
                        present = item != "results"  # innovation without results yet: 5 of 8
                    else:
                        present = self.rng.random() < min(0.97, q + 0.2)
                    subs.append(
                        self.sign(
                            self.staff.office,
                            "checklist.record",
                            self.payload(
                                unit=unit, component=component, item=item, present=present
                            ),
                        )
                    )
        self.append_all(subs)

    def _tier(self, unit: str, tiers: dict[str, tuple[int, int]]) -> tuple[str, str]:
        q = self.quality[unit]
        name = "first" if q > 0.8 else "second" if q > 0.6 else "third"
        low, high = tiers[name]
        return name, str(self.rng.randint(low, high))

    def supervisor_tiers(self) -> None:
        subs = []
        for n, unit in enumerate(self.units):
            tier, value = ("first", "8") if unit == REFERENCE else self._tier(unit, TIERS)
            payload = self.payload(unit=unit, component="supervisors", tier=tier, value=value)
            subs.append(self.sign(self.staff.supervisors[n % 6], "tier.rate", payload))
        self.append_all(subs)
        self.outcome.marks["R02 tier"] = subs[1].id
        # a second visit to R06 moved it up a tier; the later rating replaces the first
        revised = self.payload(unit="R06", component="supervisors", tier="second", value="6")
        self.append(self.staff.supervisors[5], "tier.rate", revised)

    def indicators_and_publicity(self) -> None:
        subs = []
        for unit in self.units[:5]:  # evaluated by the province or city last time
            tenths = int(600 + 400 * self.quality[unit]) - self.rng.randint(0, 80)
            value = f"{tenths // 10}.{tenths % 10}"
            subs.append(
                self.sign(
                    self.staff.office,
                    "tier.rate",
                    self.payload(unit=unit, component="indicators", tier="evaluated", value=value),
                )
            )
        for unit in self.units:
            tier, value = ("second", "6") if unit == REFERENCE else self._tier(unit, PUBLICITY)
            subs.append(
                self.sign(
                    self.staff.office,
                    "tier.rate",
                    self.payload(unit=unit, component="publicity", tier=tier, value=value),
                )
            )
        self.append_all(subs)

    def survey(self) -> None:
        operator = self.staff.survey_operators[0]
        fixed = iter(["basically_satisfied", "dissatisfied", "basically_satisfied"])
        subs = []
        for respondent in self.respondents:
            if self.rng.random() < 0.1:
                continue  # not reached by phone
            for unit in self.rng.sample(self.units, self.rng.choice((1, 1, 1, 2, 2, 3))):
                if unit == REFERENCE:
                    level = next(fixed, "satisfied")
                else:
                    q = self.quality[unit]
                    level = pick(
                        self.rng,
                        {
                            "satisfied": 0.9 + q / 10,
                            "basically_satisfied": (1 - q) / 12,
                            "dissatisfied": (1 - q) / 40,
                        },
                    )
                payload = self.payload(
                    unit=unit, component="survey", level=level, respondent=respondent
                )
                subs.append(self.sign(operator, "survey.response", payload))
        self.append_all(subs)

    def masses(self) -> None:
        operator = self.staff.survey_operators[1]
        subs = []
        for unit in self.units:
            count = self.rng.randint(30, 60)
            q = self.quality[unit]
            for n in range(count):
                if unit == REFERENCE:
                    level = "dissatisfied" if n < 3 else "satisfied"
                else:
                    level = pick(
                        self.rng,
                        {
                            "satisfied": q,
                            "basically_satisfied": (1 - q) / 2,
                            "dissatisfied": (1 - q) / 4,
                        },
                    )
                payload = self.payload(unit=unit, component="masses", level=level)
                subs.append(self.sign(operator, "survey.response", payload))
        self.append_all(subs)

    def bonuses(self) -> None:
        claims = [
            self.claim(
                REFERENCE, "bonus", "city_leader", "市领导批示：R01“企业服务专员”做法值得推广"
            ),
            self.claim("R03", "bonus", "provincial_leader", "省领导批示：R03“一窗通办”经验"),
            self.claim("R05", "bonus", "city_leader", "市领导批示：R05“容缺受理”机制"),
            self.claim("R06", "bonus", "city_leader", "R06工作简报（无领导批示原件）"),
        ]
        self.append_all(claims)
        self.append_all(
            [
                self.approval(claims[0]),
                self.approval(claims[1]),
                self.approval(claims[2]),
            ]
        )  # R06's claim has no leader's endorsement: left unapproved
        subs = [
            self.sign(
                self.staff.office,
                "item.count",
                self.payload(
                    unit=unit,
                    component="bonus",
                    item="broken_promise",
                    note=note,
                    evidence=self.proof(note, f"{unit}-complaint.pdf"),
                ),
            )
            for unit, note in (
                ("R04", "企业投诉：承诺的厂房租金补贴未兑现（经核查属实）"),
                ("R07", "企业投诉：承诺的并联审批时限未兑现（经核查属实）"),
            )
        ]
        self.append_all(subs)
        self.outcome.marks["R04 broken promise"] = subs[0].id

    def appeals(self) -> None:
        self.appeal(
            "R04",
            self.outcome.marks["R04 broken promise"],
            "该企业未达到租金补贴政策规定的投产条件，不属于承诺不兑现",
            "upheld",
            "经复核，企业投产时间晚于政策规定期限，不符合补贴条件，不属措施不兑现，撤销该项扣分",
        )
        self.appeal(
            "R02",
            self.outcome.marks["R02 tier"],
            "本季度群众办件量大，监督员评定方阵偏低",
            "rejected",
            "监督员评定依据走访记录，程序合规，维持原评定",
        )
