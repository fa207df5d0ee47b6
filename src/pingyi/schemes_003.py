"""Seed 003: "thousand people evaluate middle-level sections" (千人评议机关中层科室).

The preset's 120 sections: the bureau's four named sections (GX-…) and 116
other sections, here 29 other bureaus of four sections each (OB01…OB29), so
that every section has a joint evaluation (县社联评) of its own bureau:

- daily items the county evaluation office enters (tier 0..max): satisfaction
  mid-year and year-end, 12345 hotline, online complaint platform, case files,
  supervision and inspection;
- joint evaluation, service recipients (50, deduction per response): each of
  the four named sections reports its recipients and the phone survey samples
  them by the rulebook's "all if at most 500, else 500" (80, 260, 640 → 500,
  150), each respondent recorded with its pseudonym; the other bureaus report
  their survey responses without pseudonyms;
- joint evaluation, supervision (20, deduction per finding): supervisors record
  findings with evidence; one recorded against the wrong section is withdrawn,
  one is amended (county level, serious → bureau level);
- joint evaluation, the principal and the other leaders (10 + 10, forced
  distribution 2 excellent / 1 good / 1 average, named ballots transcribed by
  clerks, voters never shown); one bureau's leadership scores collectively
  (voter ``committee``); one leader's ballot breaks the distribution;
- joint evaluation, mutual (10): one anonymous credential ballot per section
  rating its bureau's four sections; three break the distribution; one
  section does not vote;
- the office records last year's 10 dissatisfied units (forced inclusions),
  then the online evaluation (15) of the 50 + 50 + 10 candidates picked on the
  daily score, replayed from the log;
- bonus points outside the total: units claim with evidence, the office
  approves (one claim left unapproved; integrity information at discretionary
  points).

A serious county-level finding is appealed and partly upheld (deduction 4 → 2).
GX-ZG's inputs are fixed; its total is worked out in ``tests/test_schemes.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ledger.entry import Submission
from pingyi import conduct
from pingyi.schemes_base import SchemeRun, pick
from projections.presets import load_preset
from projections.replay import replay
from projections.rulebook import Rulebook

REFERENCE = "GX-ZG"
#: The named sections' service recipients (reported by 10 June / 10 October).
RECIPIENTS = {"GX-ZG": 80, "GX-CW": 260, "GX-HZ": 640, "GX-FW": 150}
#: The office's daily items: component -> full marks.
DAILY = {
    "satisfaction_mid": 20,
    "satisfaction_end": 20,
    "hotline": 5,
    "online_platform": 5,
    "case_files": 10,
    "supervision": 20,
}
REFERENCE_DAILY = {
    "satisfaction_mid": "19",
    "satisfaction_end": "19.5",
    "hotline": "5",
    "online_platform": "4.5",
    "case_files": "9",
    "supervision": "19",
}
FORCED = ("excellent", "excellent", "good", "average")
#: The named bureau's ballots, fixed (GX-ZG, GX-CW, GX-HZ, GX-FW in that order).
GX_PRINCIPAL = ("excellent", "good", "excellent", "average")
GX_LEADERS = (
    ("excellent", "excellent", "good", "average"),
    ("excellent", "good", "excellent", "average"),
    ("good", "excellent", "excellent", "average"),
)
GX_MUTUAL = (
    ("excellent", "excellent", "good", "average"),
    ("excellent", "excellent", "average", "good"),
    ("good", "average", "excellent", "excellent"),
    ("average", "good", "excellent", "excellent"),
)
BONUS_ITEMS = {
    "commendation_provincial": 1,
    "commendation_city": 4,
    "typical_provincial": 1,
    "typical_city": 3,
    "essay_first": 1,
    "essay_second": 2,
    "essay_third": 3,
}
COMMITTEE_BUREAU = "OB05"


def halves(value: float) -> str:
    """``value`` to the nearest half point, as a decimal string."""
    n = round(value * 2)
    return f"{n // 2}.5" if n % 2 else str(n // 2)


class Seed003(SchemeRun):
    CAMPAIGN = "thousand-2026"
    TITLE = "2026年度千人评议机关中层科室活动"
    REASON = "县评议办印发千人评机关中层科室活动实施方案（含县社联评办法）"
    OPERATORS = ("服务对象电话短信调查",)

    def make_rulebook(self) -> Rulebook:
        return load_preset("003")

    def steps(self) -> list[tuple[str, Callable[[], None]]]:
        return [
            ("staff keys registered 登记密钥", self.register_staff),
            ("rulebook adopted, campaign opened 通过规则并启动", self.open_campaign),
            ("last year's dissatisfied units 上年度不满意单位", self.previous_list),
            ("recipients reported and sampled 服务对象上报与抽样", self.recipients),
            ("daily items entered 日常评议", self.daily),
            ("joint: phone and SMS survey 县社联评：服务对象评价", self.survey),
            ("joint: supervision findings 县社联评：监督检查", self.findings),
            ("joint: leaders' ballots 县社联评：领导评价", self.leaders),
            ("joint: mutual ballots 县社联评：科室互评", self.mutual),
            ("online evaluation of the candidates 网络评议", self.online),
            ("bonus points 加分项", self.bonuses),
            ("appeal filed and ruled 申诉与裁决", self.appeals),
            ("campaign closed 评议结束", self.close),
        ]

    def bureaus(self) -> dict[str, list[str]]:
        """The named bureau (GX) and 29 others, four sections each, in unit order."""
        out = {"GX": self.units[:4]}
        for n, start in enumerate(range(4, len(self.units), 4), 1):
            out[f"OB{n:02d}"] = self.units[start : start + 4]
        return out

    def ranked(self, sections: Sequence[str], spread: float = 0.15) -> dict[str, str]:
        """A valid forced-distribution ballot: sections by quality plus noise."""
        order = sorted(sections, key=lambda u: -(self.quality[u] + self.rng.gauss(0, spread)))
        return dict(zip(order, FORCED, strict=True))

    # -- steps ------------------------------------------------------------------------------

    def previous_list(self) -> None:
        # how well each section serves (drives every spread below); GX-ZG is fixed by hand
        self.quality = {u: self.rng.uniform(0.55, 0.97) for u in self.units}
        self.quality[REFERENCE] = 0.97
        last_year = sorted(self.rng.sample(self.units[4:], 10))
        self.append(
            self.staff.office,
            "candidates.previous",
            self.payload(
                list="dissatisfied_units",
                units=last_year,
                source="2025年度千人评议结果通报（县评议办）",
            ),
        )

    def recipients(self) -> None:
        assert self.rulebook.sampling is not None
        limit = self.rulebook.sampling.max
        self.respondents: dict[str, list[str]] = {}
        for unit, size in RECIPIENTS.items():
            pool = f"recipients-{unit}"
            persons = [
                self.person("enterprise_head" if n % 7 == 0 else "service_recipient")
                for n in range(size)
            ]
            members = self.enrol(pool, persons)
            strata = [
                {
                    "name": "recipients",
                    "groups": ["service_recipient", "enterprise_head"],
                    "count": limit,
                    "all_if_at_most": True,
                }
            ]
            reveal = self.draw(pool, pool, members, strata, public_numbers=False)
            self.respondents[unit] = list(reveal["selected"]["recipients"])

    def daily(self) -> None:
        subs = []
        for unit in self.units:
            for component, full in DAILY.items():
                if unit == REFERENCE:
                    value = REFERENCE_DAILY[component]
                else:
                    share = min(1.0, max(0.3, self.quality[unit] + self.rng.gauss(0, 0.06)))
                    value = halves(full * share)
                payload = self.payload(unit=unit, component=component, tier="rated", value=value)
                subs.append(self.sign(self.staff.office, "tier.rate", payload))
        self.append_all(subs)

    def survey(self) -> None:
        operator = self.staff.survey_operators[0]
        subs = []
        for unit, respondents in self.respondents.items():
            q = 0.8 + self.quality[unit] / 6
            n = 0
            for respondent in respondents:
                if self.rng.random() < 0.12:
                    continue  # neither the call nor the SMS was answered
                if unit == REFERENCE:
                    level = (
                        "dissatisfied" if n < 2 else "basically_satisfied" if n < 5 else "satisfied"
                    )
                else:
                    level = pick(
                        self.rng,
                        {
                            "satisfied": q,
                            "basically_satisfied": (1 - q) / 3,
                            "dissatisfied": (1 - q) / 10,
                        },
                    )
                n += 1
                payload = self.payload(
                    unit=unit, component="joint_recipients", level=level, respondent=respondent
                )
                subs.append(self.sign(operator, "survey.response", payload))
        for unit in self.units[4:]:  # the other bureaus' surveys, reported without pseudonyms
            q = self.quality[unit]
            for _ in range(self.rng.randint(4, 10)):
                level = pick(
                    self.rng,
                    {
                        "satisfied": q,
                        "basically_satisfied": (1 - q) / 2,
                        "dissatisfied": (1 - q) / 5,
                    },
                )
                payload = self.payload(unit=unit, component="joint_recipients", level=level)
                subs.append(self.sign(operator, "survey.response", payload))
        self.append_all(subs)

    def _finding(self, n: int, unit: str, level: str, serious: bool, summary: str) -> Submission:
        payload = self.payload(
            unit=unit,
            rule="joint_supervision",
            level=level,
            serious=serious,
            summary=summary,
            evidence=self.proof(f"inspection record {n}: {unit} {summary}", f"finding-{n:03d}.jpg"),
        )
        return self.sign(
            self.staff.supervisors[n % len(self.staff.supervisors)], "finding.record", payload
        )

    def findings(self) -> None:
        problems = (
            "窗口工作人员脱岗",
            "办事指南未及时更新",
            "群众反映办事多次往返",
            "超时限办理",
            "服务态度生硬",
            "上班时间办理私事",
        )
        others = [u for u in self.units if u != REFERENCE]
        subs = [self._finding(0, REFERENCE, "bureau", False, "办事指南未及时更新")]
        for n in range(1, 46):
            unit = min(self.rng.sample(others, 3), key=lambda u: self.quality[u])
            level = "county" if self.rng.random() < 0.3 else "bureau"
            serious = self.rng.random() < 0.1
            subs.append(self._finding(n, unit, level, serious, self.rng.choice(problems)))
        appealed = self._finding(46, "OT017", "county", True, "明察暗访：窗口工作人员脱岗半天")
        wrong = self._finding(47, "OT018", "bureau", False, "超时限办理（记录单位有误）")
        amended = self._finding(48, "OT033", "county", True, "服务态度生硬")
        subs += [appealed, wrong, amended]
        self.append_all(subs)
        self.outcome.marks.update({"appealed finding": appealed.id, "withdrawn finding": wrong.id})
        self.append(
            self.staff.supervisors[47 % 6],
            "finding.withdraw",
            self.payload(finding=wrong.id, reason="问题属OT019，记录单位有误，撤回后重新记录"),
        )
        self.append_all([self._finding(49, "OT019", "bureau", False, "超时限办理")])
        fixed = self.append(
            self.staff.supervisors[48 % 6],
            "finding.amend",
            self.payload(
                finding=amended.id,
                unit="OT033",
                rule="joint_supervision",
                level="bureau",
                serious=False,
                summary="服务态度生硬（经社级核实，不属严重情形）",
                reason="核实层级应为社级，情节一般",
            ),
        )
        self.outcome.marks["amended finding"] = fixed.id

    def leaders(self) -> None:
        subs = []
        n = 0
        for bureau, sections in self.bureaus().items():
            if bureau == "GX":
                principal = dict(zip(sections, GX_PRINCIPAL, strict=True))
                leaders = [dict(zip(sections, b, strict=True)) for b in GX_LEADERS]
            else:
                principal = self.ranked(sections)
                count = 1 if bureau == COMMITTEE_BUREAU else self.rng.randint(2, 4)
                leaders = [self.ranked(sections, 0.25) for _ in range(count)]
            if bureau == "OB11":
                leaders[1] = dict.fromkeys(sections, "good")  # breaks the distribution
            ballots = [("joint_principal", f"principal.{bureau}", principal)]
            for k, ratings in enumerate(leaders, 1):
                voter = "committee" if bureau == COMMITTEE_BUREAU else f"leader.{bureau}.{k}"
                ballots.append(("joint_leaders", voter, ratings))
            for component, voter, ratings in ballots:
                clerk = self.staff.clerks[n % len(self.staff.clerks)]
                payload = self.payload(component=component, ratings=ratings, voter=voter)
                subs.append(self.sign(clerk, "ballot.record", payload))
                n += 1
        self.append_all(subs)

    def mutual(self) -> None:
        self.open_window("mutual", "joint_mutual", "credential", "科室互评（无记名）")
        bureaus = self.bureaus()
        slips = self.issue("mutual", "joint_mutual", None, len(self.units))
        cast = []
        unused: list[conduct.Slip] = []
        invalid = {"OB03": 1, "OB17": 2, "OB24": 0}  # which section's ballot breaks it
        absent = ("OB09", 3)
        n = 0
        for bureau, sections in bureaus.items():
            for k in range(len(sections)):  # one slip for each section of the bureau
                slip = slips[n]
                n += 1
                if (bureau, k) == absent:
                    unused.append(slip)
                    continue
                if bureau == "GX":
                    ratings = dict(zip(sections, GX_MUTUAL[k], strict=True))
                elif invalid.get(bureau) == k:
                    ratings = dict(zip(sections, ("excellent",) * 3 + ("good",), strict=True))
                else:
                    ratings = self.ranked(sections, 0.2)
                cast.append(conduct.cast(slip, ratings, self.clock()))
        self.append_all(cast)
        self.close_credential_window("mutual", unused)

    def online(self) -> None:
        result = replay(self.ledger.entries(), self.CAMPAIGN).result()
        lists = dict(result.candidates)
        subs = []
        for key, candidates in lists.items():
            for unit in candidates:
                if unit == REFERENCE:
                    value = "13.5"
                else:
                    base = 0.75 if key == "satisfied" else 0.55
                    share = min(
                        1.0, max(0.2, base + (self.quality[unit] - 0.75) + self.rng.gauss(0, 0.08))
                    )
                    value = halves(15 * share)
                payload = self.payload(unit=unit, component="online", tier="rated", value=value)
                subs.append(self.sign(self.staff.office, "tier.rate", payload))
        self.append_all(subs)
        self.outcome.marks["candidates"] = ",".join(f"{k}:{len(v)}" for k, v in lists.items())

    def bonuses(self) -> None:
        claims = [
            self.claim(
                REFERENCE, "bonus", "commendation_city", "市级表彰文件：政治工作科获评先进集体"
            ),
            self.claim(REFERENCE, "bonus", "essay_second", "读后感征文二等奖获奖证书"),
        ]
        others = self.units[1:]
        for item, times in BONUS_ITEMS.items():
            for unit in self.rng.sample(others, times):
                claims.append(self.claim(unit, "bonus", item, f"{unit} {item} 获奖文件"))
        for unit in self.rng.sample(others, 3):
            claims.append(
                self.claim(
                    unit,
                    "bonus",
                    "integrity_info",
                    f"{unit} 廉政信息被县纪委采用",
                    points="0.4",
                    note="廉政信息被县纪委监委网站采用一篇",
                )
            )
        unapproved = self.claim(
            "OT040", "bonus", "commendation_provincial", "OT040 表彰文件（系个人表彰）"
        )
        self.append_all([*claims, unapproved])
        self.append_all([self.approval(c) for c in claims])
        # OT040's certificate is a personal commendation, not the section's: left unapproved

    def appeals(self) -> None:
        self.appeal(
            "OT017",
            self.outcome.marks["appealed finding"],
            "该工作人员当日经批准外出办理业务，有请假审批单，不属脱岗半天的严重情形",
            "partly_upheld",
            "外出审批手续不全，问题属实，但不属严重情形，按县级层面一般问题扣2分",
            adjusted="2",
        )
