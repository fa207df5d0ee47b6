"""Golden tests for preset 001: "enterprises rate agencies, the public rates section chiefs".

Seed: shared/seeds/001_03faa6e7e799f0a6.txt.
"""

from __future__ import annotations

from projections import score
from projections.rulebook import load_rulebook
from tests.projections.builders import D, Log, component_index, edit, small

UNITS = {"K01": "bureau", "K02": "bureau"}


def test_self_50_plus_social_50() -> None:
    # "单位自评和社会测评各占50分,两项合计作为最后评议得分"
    # self: 100, 80 -> mean 90 of 100 -> 45 of 50
    # social (weighted 30/70): representatives 100, 100 -> 100; recipients 8 x 60 -> 60
    #   0.3 x 100 + 0.7 x 60 = 72 of 100 -> 36 of 50
    # total 45 + 36 = 81
    rb = small("001", UNITS)
    log = Log()
    log.ratings("self", "K01", ["very_satisfied", "satisfied"])
    log.ratings("social", "K01", ["very_satisfied"] * 2, group="representatives")
    log.ratings("social", "K01", ["basically_satisfied"] * 8, group="recipients")
    unit = score(rb, log.facts).unit("K01")
    assert unit.score("self") == D("45.00")
    assert unit.score("social") == D("36.00")
    assert unit.total == D("81.00")


def test_pooled_groups_take_a_plain_mean() -> None:
    # setting group_mode: pooled -> (2 x 100 + 8 x 60) / 10 = 68 of 100 -> 34 of 50
    rb = small("001", UNITS)
    rb = edit(rb, ["components", component_index(rb, "social"), "rule", "group_mode"], "pooled")
    log = Log()
    log.ratings("social", "K01", ["very_satisfied"] * 2, group="representatives")
    log.ratings("social", "K01", ["basically_satisfied"] * 8, group="recipients")
    assert score(rb, log.facts).unit("K01").score("social") == D("34.00")


def test_fewer_than_30_representatives_is_a_warning() -> None:
    # "评议代表人数不少于30人"
    rb = small("001", UNITS)
    log = Log()
    log.ratings("social", "K01", ["satisfied"] * 29, group="recipients")
    log.ratings("social", "K02", ["satisfied"] * 30, group="recipients")
    warnings = score(rb, log.facts).warnings
    assert any("K01" in w and "fewer than the minimum 30" in w for w in warnings)
    assert not any("K02" in w for w in warnings)


def test_a_group_with_no_ballot_drops_out_and_the_other_is_reweighted() -> None:
    # only recipients voted: 0.7 / 0.7 x 80 = 80 of 100 -> 40 of 50
    rb = small("001", UNITS)
    log = Log()
    log.ratings("social", "K01", ["satisfied"], group="recipients")
    assert score(rb, log.facts).unit("K01").score("social") == D("40.00")


def test_the_scale_is_a_setting() -> None:
    # "The ballot scale is not given in the text: make it a setting."
    # a three-level scale good 10 / fair 6 / poor 0, scaled from 10 to 50 points:
    # good, fair -> 8 of 10 -> 40 of 50
    rb = small("001", UNITS)
    i = component_index(rb, "self")
    scale = {"good": {"points": 10}, "fair": {"points": 6}, "poor": {"points": 0}}
    rb = edit(rb, ["components", i, "rule", "levels"], scale)
    rb = edit(rb, ["components", i, "rule", "scale_max"], "10")
    log = Log()
    log.ratings("self", "K01", ["good", "fair"])
    assert score(rb, log.facts).unit("K01").score("self") == D("40.00")


def test_preset_loads_from_yaml_with_decimal_weights() -> None:
    rb = small("001", UNITS)
    social = rb.component("social")
    assert social is not None
    assert [g.weight for g in social.rule.groups.values()] == [D("0.3"), D("0.7")]  # type: ignore[union-attr]
    assert load_rulebook is not None
