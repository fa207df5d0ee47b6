"""Golden tests for preset 002: Fangcheng county government-service efficiency monitoring.

Seed: shared/seeds/002_381630263c31e0d5.txt (the score sheet, 方城县政务服务效能监测评分表).
"""

from __future__ import annotations

import pytest

from projections import check_fact, explain, score
from projections.errors import FactError
from projections.facts import TierRating
from projections.rulebook import Rulebook
from tests.projections.builders import D, Log, small

UNITS = {"R1": "responsible", "R2": "responsible", "R3": "responsible"}


def rb() -> Rulebook:
    return small("002", UNITS)


def test_survey_basically_satisfied_costs_1_dissatisfied_costs_2_of_20() -> None:
    # "抽取企业全部满意得20分,一个基本满意扣1分,一个不满意扣2分": 20 - 1 - 2 = 17
    log = Log()
    log.response("R1", "survey", "satisfied", times=5)
    log.response("R1", "survey", "basically_satisfied")
    log.response("R1", "survey", "dissatisfied")
    res = score(rb(), log.facts)
    assert res.unit("R1").score("survey") == D("17.00")
    assert res.unit("R2").score("survey") == D("20.00")  # "全部满意得20分"


def test_survey_stops_at_zero() -> None:
    # setting floor 0: 11 dissatisfied = -22 -> 0, not -2
    log = Log()
    log.response("R1", "survey", "dissatisfied", times=11)
    assert score(rb(), log.facts).unit("R1").score("survey") == D("0.00")


def test_masses_minus_1_per_dissatisfied_until_nothing_is_left() -> None:
    # "全部满意得30分,一个不满意扣1分,直至扣完": 30 - 3 = 27; 31 dissatisfied -> 0
    # setting: "basically satisfied" costs nothing here
    log = Log()
    log.response("R1", "masses", "dissatisfied", times=3)
    log.response("R1", "masses", "basically_satisfied", times=4)
    log.response("R2", "masses", "dissatisfied", times=31)
    res = score(rb(), log.facts)
    assert res.unit("R1").score("masses") == D("27.00")
    assert res.unit("R2").score("masses") == D("0.00")


def test_endorsements_add_2_3_5_and_a_broken_promise_costs_10_inside_the_total() -> None:
    # "被市级领导批示推广的加2分,被省级...加3分,被国家级...加5分; ...不兑现的,经查实一次扣10分"
    log = Log()
    log.item("R1", "bonus", "city_leader")
    log.item("R1", "bonus", "provincial_leader")
    log.item("R1", "bonus", "national_leader")
    log.item("R2", "bonus", "broken_promise", count=2)
    res = score(rb(), log.facts)
    # no other facts: daily 0, publicity 0, survey 20, masses 30 -> 50 before adjustments
    assert res.unit("R3").total == D("50.00")
    assert res.unit("R1").score("bonus") == D("10.00")
    assert res.unit("R1").total == D("60.00")
    assert res.unit("R2").score("bonus") == D("-20.00")
    assert res.unit("R2").total == D("30.00")


def test_supervisor_tiers_7_8_then_4_6_then_1_3() -> None:
    # "分3个方阵,第一方阵得7-8分,第二方阵得4-6分,第三方阵得1-3分"
    log = Log()
    log.tier("R1", "supervisors", "first", 8)
    log.tier("R2", "supervisors", "second", 4)
    log.tier("R3", "supervisors", "third", 3)
    res = score(rb(), log.facts)
    assert [res.unit(u).score("supervisors") for u in ("R1", "R2", "R3")] == [
        D("8.00"),
        D("4.00"),
        D("3.00"),
    ]
    # the daily work component is the sum of its five 8-point items
    assert res.unit("R1").score("daily") == D("8.00")


@pytest.mark.parametrize(
    ("tier", "value", "why"),
    [
        ("first", "6", "outside tier first"),
        ("second", "4.5", "not a multiple of the step"),
        ("fourth", "2", "unknown tier"),
    ],
)
def test_a_value_outside_its_tier_is_refused_on_append(tier: str, value: str, why: str) -> None:
    fact = TierRating(
        entry="t", index=1, unit="R1", component="supervisors", tier=tier, value=D(value)
    )
    with pytest.raises(FactError, match=why):
        check_fact(rb(), fact)


def test_a_later_tier_rating_replaces_an_earlier_one() -> None:
    log = Log()
    first = log.tier("R1", "publicity", "second", 5)
    log.tier("R1", "publicity", "first", 9)
    res = score(rb(), log.facts)
    assert res.unit("R1").score("publicity") == D("9.00")
    reasons = {e.entry: e.reason for e in explain(rb(), log.facts, "R1").excluded}
    assert reasons[first.entry].startswith("superseded by entry")


def test_publicity_tiers_7_10_then_4_6_then_1_3() -> None:
    # "宣传报道推介情况(10分) ... 第一方阵得7-10分,第二方阵得4-6分,第三方阵得1-3分"
    log = Log()
    log.tier("R1", "publicity", "first", 10)
    log.tier("R2", "publicity", "third", 1)
    res = score(rb(), log.facts)
    assert res.unit("R1").score("publicity") == D("10.00")
    assert res.unit("R2").score("publicity") == D("1.00")


def test_enterprise_visits_5_for_all_revisited_plus_3_for_problems_solved() -> None:
    # "全量样本企业回访得5分,未全量回访不得分;解决企业实际问题得3分。(如企业无需要解决的问题得3分。)"
    log = Log()
    log.check("R1", "visits", "revisited_all", True)
    log.check("R1", "visits", "problems_solved", True)  # also when there was no problem
    log.check("R2", "visits", "revisited_all", False)
    log.check("R2", "visits", "problems_solved", True)
    log.check("R3", "visits", "revisited_all", True)  # problems_solved not recorded -> absent
    res = score(rb(), log.facts)
    assert [res.unit(u).score("visits") for u in ("R1", "R2", "R3")] == [
        D("8.00"),
        D("3.00"),
        D("5.00"),
    ]


def test_rectification_innovation_and_assigned_work() -> None:
    # "及时整改完成得8分" / "创新亮点得5分,取得成效得3分" / "积极配合得8分"
    log = Log()
    log.check("R1", "rectification", "rectified_in_time", True)
    log.check("R1", "innovation", "highlight", True)
    log.check("R1", "innovation", "results", False)
    log.check("R1", "assigned_work", "cooperative", True)
    unit = score(rb(), log.facts).unit("R1")
    assert unit.score("rectification") == D("8.00")
    assert unit.score("innovation") == D("5.00")
    assert unit.score("assigned_work") == D("8.00")
    assert unit.score("daily") == D("21.00")


def test_units_not_evaluated_get_the_average_indicator_score_with_weight_0() -> None:
    # "以最近一次省市评价结果为依据,未参与评价的单位按照平均分计算": R3 -> (80 + 91) / 2 = 85.5
    # setting: weight 0 in the total (the score sheet gives it no points)
    log = Log()
    log.tier("R1", "indicators", "evaluated", 80)
    log.tier("R2", "indicators", "evaluated", 91)
    res = score(rb(), log.facts)
    r3 = res.unit("R3")
    assert r3.score("indicators") == D("85.50")
    assert next(c for c in r3.components if c.key == "indicators").substituted == "average"
    assert r3.total == res.unit("R1").total == D("50.00")


def test_a_full_quarter() -> None:
    # daily: visits 8 + rectification 8 + innovation 8 + supervisors 7 + assigned 8 = 39
    # publicity second tier 5; survey 20 - 1 = 19; masses 30 - 2 = 28; bonus +2
    # total 39 + 5 + 19 + 28 + 2 = 93
    log = Log()
    for item in ("revisited_all", "problems_solved"):
        log.check("R1", "visits", item, True)
    log.check("R1", "rectification", "rectified_in_time", True)
    for item in ("highlight", "results"):
        log.check("R1", "innovation", item, True)
    log.tier("R1", "supervisors", "first", 7)
    log.check("R1", "assigned_work", "cooperative", True)
    log.tier("R1", "publicity", "second", 5)
    log.response("R1", "survey", "basically_satisfied")
    log.response("R1", "masses", "dissatisfied", times=2)
    log.item("R1", "bonus", "city_leader")
    unit = score(rb(), log.facts).unit("R1")
    assert unit.score("daily") == D("39.00")
    assert unit.total == D("93.00")
    assert unit.rank == 1
