"""Golden tests for preset 000: a county's public evaluation of 116 units.

Seed: shared/seeds/000_37432be7d0f5cb7e.txt. Each number below is worked by hand
from the seed sentence quoted next to it.
"""

from __future__ import annotations

import pytest

from projections import check_fact, explain, load_preset, score
from projections.errors import FactError
from projections.facts import Ballot
from tests.projections.builders import D, Log, small

UNITS = {
    "TW01": "towns",
    "TW02": "towns",
    "TW03": "towns",
    "SD01": "subdistricts",
    "SD02": "subdistricts",
}


def test_preset_has_the_seeds_116_units_in_8_categories() -> None:
    # "被测评单位共116个,分为八大类: 乡镇区18, 街道办事处4, 党委群团15, 经济发展23,
    #  社会发展14, 政法6, 线管15, 县直部门管理单位21"
    rb = load_preset("000")
    counts = {c.key: sum(1 for u in rb.units if u.category == c.key) for c in rb.categories}
    assert counts == {
        "towns": 18,
        "subdistricts": 4,
        "party_mass": 15,
        "economic": 23,
        "social": 14,
        "political_legal": 6,
        "vertical": 15,
        "county_managed": 21,
    }


def test_scale_mean_ignores_dont_know_and_weights_20_80() -> None:
    # "非常满意计100分、满意计80分、基本满意计60分、不满意计40分、不了解既不计算分值也不统计票数"
    # assembly: 100, 80, 60, 40 and one "don't know" -> (100+80+60+40)/4 = 70 (not /5 = 56)
    # review: 100, 80 -> 90
    # "两种类型分值分别占测评总分值的20%、80%": 0.2 x 90 + 0.8 x 70 = 18 + 56 = 74
    rb = small("000", UNITS)
    log = Log()
    log.ratings(
        "assembly",
        "TW01",
        ["very_satisfied", "satisfied", "basically_satisfied", "dissatisfied", "dont_know"],
    )
    log.ratings("review", "TW01", ["very_satisfied", "satisfied"])
    unit = score(rb, log.facts).unit("TW01")
    assert unit.score("assembly") == D("70.00")
    assert unit.score("review") == D("90.00")
    assert unit.total == D("74.00")


def test_dont_know_is_listed_as_not_counted_in_the_explanation() -> None:
    rb = small("000", UNITS)
    log = Log()
    log.ratings("assembly", "TW01", ["satisfied", "dont_know"])
    exp = explain(rb, log.facts, "TW01")
    reasons = [e.reason for e in exp.excluded]
    assert any("不了解" in r and "not counted" in r for r in reasons)


def test_component_means_round_half_up_to_two_places() -> None:
    # setting (rounding not in the seed): 100, 80, 80 -> 86.666... -> 86.67 (half up)
    # total: 0.8 x 86.67 + 0.2 x 0 = 69.336 -> 69.34
    rb = small("000", UNITS)
    log = Log()
    log.ratings("assembly", "TW01", ["very_satisfied", "satisfied", "satisfied"])
    unit = score(rb, log.facts).unit("TW01")
    assert unit.score("assembly") == D("86.67")
    assert unit.total == D("69.34")


def test_first_and_last_in_each_category() -> None:
    # "公开测评综合排名各大类第一位的单位...予以适当奖励" and "...最后一位的单位,其单位'一把手'要在
    # 测评大会上...作表态发言": bands per category.
    rb = small("000", UNITS)
    log = Log()
    for unit, level in [
        ("TW01", "very_satisfied"),
        ("TW02", "satisfied"),
        ("TW03", "dissatisfied"),
        ("SD01", "satisfied"),
        ("SD02", "basically_satisfied"),
    ]:
        log.ratings("assembly", unit, [level])
        log.ratings("review", unit, [level])
    res = score(rb, log.facts)
    assert res.band("first") == ("SD01", "TW01")
    assert res.band("last") == ("SD02", "TW03")
    assert [res.unit(u).rank for u in ("TW01", "TW02", "TW03")] == [1, 2, 3]
    assert [res.unit(u).rank for u in ("SD01", "SD02")] == [1, 2]


def test_equal_totals_are_broken_by_the_assembly_score_then_shared() -> None:
    # setting: tie_break [assembly, review]; still equal -> shared rank, tied flag.
    # TW01: review 100, assembly 60 -> 20 + 48 = 68; TW02: review 60, assembly 70 -> 12 + 56 = 68
    # equal totals (68); TW02 has the higher assembly score -> rank 1.
    rb = small("000", UNITS)
    log = Log()
    log.ratings("review", "TW01", ["very_satisfied"])
    log.ratings("assembly", "TW01", ["basically_satisfied"])
    log.ratings("review", "TW02", ["basically_satisfied"])
    log.ratings("assembly", "TW02", ["satisfied", "basically_satisfied"])
    # TW03 identical to TW01 -> shares the rank with it, both flagged tied
    log.ratings("review", "TW03", ["very_satisfied"])
    log.ratings("assembly", "TW03", ["basically_satisfied"])
    res = score(rb, log.facts)
    assert res.unit("TW01").total == res.unit("TW02").total == D("68.00")
    assert res.unit("TW02").rank == 1
    assert (res.unit("TW01").rank, res.unit("TW03").rank) == (2, 2)
    assert res.unit("TW01").tied and res.unit("TW03").tied and not res.unit("TW02").tied


def test_a_unit_with_no_counted_rating_scores_zero_flagged_not_assessed() -> None:
    rb = small("000", UNITS)
    log = Log()
    log.ratings("assembly", "TW01", ["dont_know"])
    unit = score(rb, log.facts).unit("TW01")
    comp = next(c for c in unit.components if c.key == "assembly")
    assert comp.score == D("0.00") and not comp.assessed and comp.substituted == "zero"


def test_a_level_outside_the_scale_is_refused_on_append() -> None:
    rb = small("000", UNITS)
    bad = Ballot(entry="x", index=1, component="assembly", ratings={"TW01": "excellent"})
    with pytest.raises(FactError, match="unknown level 'excellent'"):
        check_fact(rb, bad)
