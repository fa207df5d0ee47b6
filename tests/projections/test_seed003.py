"""Golden tests for preset 003: "thousand people evaluate middle-level sections".

Seed: shared/seeds/003_719eaa974a005669.txt.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from projections import explain, explanation_text, load_preset, sample_size, score
from projections.facts import PreviousCampaignList
from tests.projections.builders import D, Log, component_index, edit

SECTIONS = ("GX-ZG", "GX-CW", "GX-HZ", "GX-FW")
RB = load_preset("003")


def distribution(excellent: tuple[str, str], good: str, average: str) -> dict[str, str]:
    return {excellent[0]: "excellent", excellent[1]: "excellent", good: "good", average: "average"}


def test_the_seed_names_four_sections() -> None:
    # "本年度我社参评科室共4个,分别为政治工作科、财务科(资产管理科)、合作经济指导科、农村合作经济服务中心"
    assert [u.name.zh for u in RB.units[:4]] == [
        "政治工作科",
        "财务科（资产管理科）",
        "合作经济指导科",
        "农村合作经济服务中心",
    ]


@pytest.mark.parametrize(
    ("level", "serious", "expected"),
    [
        ("bureau", False, "19.00"),  # "被社级层面查实的每例直扣1分"
        ("county", False, "18.00"),  # "被县级层面查实的每例直扣2分"
        ("bureau", True, "18.00"),  # "情节严重的加倍扣分": 1 x 2
        ("county", True, "16.00"),  # county level and serious: 2 x 2 = 4
        ("complaint", False, "19.00"),  # "投诉举报被查实的,每项直扣1分"
        ("complaint", True, "18.00"),  # "情节严重的加倍扣分"
    ],
)
def test_supervision_findings(level: str, serious: bool, expected: str) -> None:
    log = Log()
    log.finding("GX-ZG", "joint_supervision", level, serious)
    assert score(RB, log.facts).unit("GX-ZG").score("joint_supervision") == D(expected)


def test_supervision_stops_at_zero() -> None:
    # "扣完为止": 6 serious county findings = 24 > 20 -> 0
    log = Log()
    for _ in range(6):
        log.finding("GX-ZG", "joint_supervision", "county", serious=True)
    assert score(RB, log.facts).unit("GX-ZG").score("joint_supervision") == D("0.00")
    lines = (
        explain(RB, log.facts, "GX-ZG").components[component_index(RB, "joint_supervision")].lines
    )
    assert lines[-1].note.startswith("floor") and lines[-1].delta.shown == D("4.0000")


def test_service_recipients_minus_1_dissatisfied_minus_half_basically() -> None:
    # "不满意意见1条扣1分,基本满意1条扣0.5分": 50 - 2 x 1 - 3 x 0.5 = 46.5
    log = Log()
    log.response("GX-CW", "joint_recipients", "dissatisfied", times=2)
    log.response("GX-CW", "joint_recipients", "basically_satisfied", times=3)
    log.response("GX-CW", "joint_recipients", "satisfied", times=10)
    assert score(RB, log.facts).unit("GX-CW").score("joint_recipients") == D("46.50")


def test_principal_votes_2_excellent_1_good_1_average() -> None:
    # "按照'优秀'2名、'良好'1名、'一般'1名的要求进行投票。其中优秀票10分、良好票8分、一般票6分"
    log = Log()
    log.ballot(
        "joint_principal", distribution(("GX-ZG", "GX-CW"), "GX-HZ", "GX-FW"), voter="principal"
    )
    res = score(RB, log.facts)
    assert [res.unit(u).score("joint_principal") for u in SECTIONS] == [
        D("10.00"),
        D("10.00"),
        D("8.00"),
        D("6.00"),
    ]


def test_a_ballot_breaking_the_distribution_is_recorded_excluded_and_explained() -> None:
    # "(不按要求勾选的为无效票)": 3 excellent is invalid; the mean is over the 2 valid ballots
    # GX-HZ: good (8) + average (6) -> 7; the invalid ballot's "excellent" does not count.
    log = Log()
    log.ballot(
        "joint_mutual", distribution(("GX-ZG", "GX-CW"), "GX-HZ", "GX-FW"), voter_unit="GX-ZG"
    )
    bad = log.ballot(
        "joint_mutual",
        {"GX-ZG": "excellent", "GX-CW": "excellent", "GX-HZ": "excellent", "GX-FW": "average"},
        voter_unit="GX-CW",
    )
    log.ballot(
        "joint_mutual", distribution(("GX-ZG", "GX-CW"), "GX-FW", "GX-HZ"), voter_unit="GX-HZ"
    )
    res = score(RB, log.facts)
    assert res.unit("GX-HZ").score("joint_mutual") == D("7.00")
    assert [b.entry for b in res.invalid_ballots] == [bad.entry]
    assert "excellent: 3 given, exactly 2 required" in res.invalid_ballots[0].reason
    exp = explain(RB, log.facts, "GX-HZ")
    assert any(e.entry == bad.entry and e.reason.startswith("invalid ballot") for e in exp.excluded)
    assert "invalid ballot" in explanation_text(exp)


def test_whether_a_section_rates_itself_is_a_setting() -> None:
    # self_rating: include (default) -> GX-ZG gets its own "excellent" (10) and GX-CW's "average" (6): 8
    # self_rating: exclude -> only GX-CW's rating counts: 6
    log = Log()
    log.ballot(
        "joint_mutual", distribution(("GX-ZG", "GX-CW"), "GX-HZ", "GX-FW"), voter_unit="GX-ZG"
    )
    log.ballot(
        "joint_mutual", distribution(("GX-CW", "GX-HZ"), "GX-FW", "GX-ZG"), voter_unit="GX-CW"
    )
    assert score(RB, log.facts).unit("GX-ZG").score("joint_mutual") == D("8.00")
    excluding = edit(
        RB, ["components", component_index(RB, "joint_mutual"), "rule", "self_rating"], "exclude"
    )
    assert score(excluding, log.facts).unit("GX-ZG").score("joint_mutual") == D("6.00")


def test_other_leaders_vote_by_name_but_votes_are_not_disclosed() -> None:
    # "其他班子领导...进行实名不公开投票": a later ballot by the same leader replaces the earlier
    log = Log()
    first = log.ballot(
        "joint_leaders", distribution(("GX-ZG", "GX-CW"), "GX-HZ", "GX-FW"), voter="leader-wang"
    )
    log.ballot(
        "joint_leaders", distribution(("GX-HZ", "GX-CW"), "GX-ZG", "GX-FW"), voter="leader-wang"
    )
    log.ballot(
        "joint_leaders", distribution(("GX-ZG", "GX-FW"), "GX-HZ", "GX-CW"), voter="leader-li"
    )
    res = score(RB, log.facts)
    assert res.unit("GX-ZG").score("joint_leaders") == D("9.00")  # (8 + 10) / 2
    text = explanation_text(explain(RB, log.facts, "GX-ZG"))
    assert "leader-wang" not in text and "leader-li" not in text
    assert f"entry {first.entry}" in text and "superseded" in text


def test_joint_evaluation_counts_5_of_the_85_daily_points() -> None:
    # "县社联评(共5分)": 100-point joint evaluation x 0.05. With no facts, the two
    # deduction parts are full (50 + 20), the ballot parts unassessed (0): 70 -> 3.5
    log = Log()
    for component in ("joint_principal", "joint_leaders", "joint_mutual"):
        log.ballot(component, distribution(("GX-ZG", "GX-CW"), "GX-HZ", "GX-FW"))
    res = score(RB, log.facts)
    assert res.unit("GX-ZG").score("joint") == D("100.00")
    assert res.unit("GX-ZG").score("daily") == D("5.00")
    assert res.unit("GX-FW").score("joint") == D("88.00")  # 50 + 20 + 6 x 3
    assert res.unit("GX-FW").score("daily") == D("4.40")


def test_bonus_points_are_outside_the_total() -> None:
    # "加分项(分值不占评价总分值)": national commendation +5, provincial typical case +1.5,
    # essay second prize +0.3, integrity information discretionary 0.8: 7.6 beside the total
    log = Log()
    log.tier("GX-ZG", "online", "rated", 10)
    log.item("GX-ZG", "bonus", "commendation_national")
    log.item("GX-ZG", "bonus", "typical_provincial")
    log.item("GX-ZG", "bonus", "essay_second")
    log.item("GX-ZG", "bonus", "integrity_info", points="0.8")
    unit = score(RB, log.facts).unit("GX-ZG")
    assert unit.outside == (("bonus", D("7.60")),)
    assert unit.total == D(
        "13.50"
    )  # daily 3.5 (joint 70 x 0.05) + online 10; the bonus is not in it


def _county(log: Log) -> None:
    """120 sections with distinct daily scores: OT001 best ... the 4 named sections worst."""
    units = [u.code for u in RB.units]
    ranked = [u for u in units if u.startswith("OT")] + list(SECTIONS)
    for i, unit in enumerate(ranked):
        value = Decimal(20) - Decimal(i) / Decimal(10)  # 20.0, 19.9, ..., 8.1
        log.tier(unit, "supervision", "rated", str(value))


def test_candidates_50_satisfied_50_dissatisfied_plus_last_years_10() -> None:
    # "含50个'满意单位'候选单位、50个'不满意单位'候选单位,2021年度10个'不满意单位'直接列入
    #  网络评价,共110个参评对象"
    log = Log()
    _county(log)
    last_year = (
        "OT001",
        "OT002",
        "OT003",
        "OT004",
        "OT005",
        "OT006",
        "OT007",
        "OT008",
        "OT009",
        "OT010",
    )
    log.add(
        PreviousCampaignList(
            **log.next_meta(), list="dissatisfied_units", units=last_year, source="2021"
        )
    )
    res = score(RB, log.facts)
    satisfied = res.candidate_list("satisfied")
    dissatisfied = res.candidate_list("dissatisfied")
    assert len(satisfied) == 50 and len(dissatisfied) == 60
    assert len(set(satisfied) | set(dissatisfied)) == 110
    # forced inclusions come first, even though they have the best daily scores
    assert dissatisfied[:10] == last_year
    assert satisfied[0] == "OT011" and satisfied[-1] == "OT060"
    # bottom 50 by daily score: the 4 named sections and OT071..OT116
    assert set(dissatisfied[10:]) == {*SECTIONS, *(f"OT{i:03d}" for i in range(71, 117))}


def test_result_bands_among_candidates() -> None:
    # satisfied candidates: ranks 1-10 head +6 staff +5; 11-30 +5/+4; 31-50 +4/+3
    # dissatisfied candidates: bottom 1-10 -5 each, bottom 11-30 -4, bottom 31-50 -3
    log = Log()
    _county(log)
    last_year = tuple(f"OT{i:03d}" for i in range(1, 11))
    log.add(PreviousCampaignList(**log.next_meta(), list="dissatisfied_units", units=last_year))
    res = score(RB, log.facts)
    assert res.band("satisfied_1_10") == tuple(f"OT{i:03d}" for i in range(11, 21))
    assert res.band("satisfied_31_50") == tuple(f"OT{i:03d}" for i in range(41, 61))
    assert set(res.band("dissatisfied_1_10")) == {
        *SECTIONS,
        *(f"OT{i:03d}" for i in range(111, 117)),
    }
    # the 10 best of the 60 dissatisfied candidates (last year's units) fall in no band
    assert all(not res.unit(u).bands for u in last_year)
    assert len(res.band("dissatisfied_31_50")) == 20
    effects = {b.key: dict(b.effects) for b in res.bands}
    assert effects["satisfied_1_10"] == {"head": D("6"), "staff": D("5")}
    assert effects["dissatisfied_11_30"] == {"each": D("-4")}


def test_online_evaluation_is_15_of_the_total() -> None:
    # "网络评议阶段(共15分)"; daily 85 + online 15 = 100
    log = Log()
    log.tier("GX-ZG", "online", "rated", 15)
    assert score(RB, log.facts).unit("GX-ZG").total == D("18.50")  # 3.5 + 15


@pytest.mark.parametrize(
    ("population", "drawn"), [(0, 0), (499, 499), (500, 500), (501, 500), (2000, 500)]
)
def test_all_if_at_most_500_else_500(population: int, drawn: int) -> None:
    # "服务对象在500人以内的全部上报,超过500人的上报500人"
    assert RB.sampling is not None
    assert sample_size(population, RB.sampling.max) == drawn
