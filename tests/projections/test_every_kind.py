"""One worked example per rule kind, on vectors/rulebooks/valid/every-kind.yaml.

These are the numbers docs/rulebooks.md quotes; each is worked by hand below.
"""

from __future__ import annotations

import gc
import re
from fractions import Fraction
from typing import Any

from projections import explain, score
from projections.render import ranking_document
from projections.rulebook import rulebook_document, rulebook_from_data, rulebook_hash
from projections.scoring import work
from tests.projections.builders import D
from tests.projections.scenarios import every_kind, every_kind_facts

RB = every_kind()
RESULT = score(RB, every_kind_facts())
A, B, C, Dee = (RESULT.unit(u) for u in "ABCD")


def test_rating_mean() -> None:
    # good 100, fair 60, don't know not counted: (100 + 60) / 2 = 80 of 100 -> 8 of 10
    assert A.score("ratings") == D("8.00")
    assert B.score("ratings") == D("0.00")  # no counted rating: not assessed, 0


def test_deduction_per_response() -> None:
    # 10 - 1 (basically satisfied) - 2 x 2 (dissatisfied) = 5; B: 10 - 6 x 2 = -2 -> floor 0
    assert A.score("survey") == D("5.00")
    assert B.score("survey") == D("0.00")


def test_deduction_per_finding() -> None:
    # 10 - 1 (bureau) - 2 x 2 (county, serious) = 5
    assert A.score("findings") == D("5.00")


def test_tier_band_with_average_substitution() -> None:
    # A high tier 9, B low tier 5; C and D not assessed: (9 + 5) / 2 = 7
    assert (A.score("tiers"), B.score("tiers"), C.score("tiers")) == (
        D("9.00"),
        D("5.00"),
        D("7.00"),
    )


def test_forced_distribution() -> None:
    # valid ballots: A top (10) + middle (8) -> 9; B middle + top -> 9; C 8; D 6.
    # the third ballot gives "top" twice: invalid, excluded
    assert [u.score("peers") for u in (A, B, C, Dee)] == [
        D("9.00"),
        D("9.00"),
        D("8.00"),
        D("6.00"),
    ]
    assert len(RESULT.invalid_ballots) == 1
    assert RESULT.invalid_ballots[0].reason == (
        "breaks the forced distribution (top: 2 given, exactly 1 required; "
        "middle: 1 given, exactly 2 required)"
    )


def test_checklist() -> None:
    # A: plan absent -4; meetings absent but requires plan: not deducted; report present: 6
    # B: plan present; meetings absent -2; report not recorded = absent -4: 4
    # C: nothing recorded: plan -4, meetings not deducted, report -4: 2
    assert (A.score("checklist"), B.score("checklist"), C.score("checklist")) == (
        D("6.00"),
        D("4.00"),
        D("2.00"),
    )


def test_task_completion() -> None:
    # A: T1 lead done (1), T2 support 80% (0.8): 10 x (1 + 0.5 x 0.8) / 1.5 = 9.333... -> 9.33
    # B: T1 support 50% < 60%: 0
    assert A.score("tasks") == D("9.33")
    assert B.score("tasks") == D("0.00")


def test_counted_with_cap_and_outside_the_total() -> None:
    # learning: 4 visits x 3 = 12, cap 10; bonus: prize 1.5 + info 0.4 = 1.9 beside the total
    assert A.score("learning") == D("10.00")
    assert A.outside == (("bonus", D("1.90")),)


def test_weighted_sum_and_total() -> None:
    # core = 8 + 5 + 5 + 9 + 9 + 6 + 9.33 = 51.33; total = 51.33 + 10 = 61.33 -> 1 place half-even: 61.3
    assert A.score("core") == D("51.33")
    assert A.total == D("61.3")
    # B: 0 + 0 + 10 + 5 + 9 + 4 + 0 = 28; C: 0 + 10 + 10 + 7 + 8 + 2 + 0 = 37; D: 10 + 10 + 7 + 6 + 2 = 35
    assert (B.total, C.total, Dee.total) == (D("28.0"), D("37.0"), D("35.0"))


def test_ranking_lists_and_bands() -> None:
    assert (A.rank, B.rank, C.rank, Dee.rank) == (1, 2, 1, 2)
    assert RESULT.band("first") == ("A", "C")
    assert RESULT.band("last") == ("B",)  # bottom of all units
    # worst list: D forced in first, then the lowest core score among the rest (B, 28)
    assert RESULT.candidate_list("best") == ("A",)
    assert RESULT.candidate_list("worst") == ("D", "B")
    assert RESULT.band("worst_list") == ("B",)  # bottom of the worst list by total


def test_explanation_lines_add_up_to_the_total() -> None:
    for unit in "ABCD":
        exp = explain(RB, every_kind_facts(), unit)
        assert exp.total_check() == Fraction(exp.total)


def test_scoring_leaves_no_reference_cycles() -> None:
    # A cycle inside work() would keep every fact of a 100,000-entry campaign alive
    # until a full collection of the heap (half a second in `pingyi verify BUNDLE`).
    facts = every_kind_facts()
    gc.collect()
    gc.disable()
    try:
        work(RB, facts)
        unreachable = gc.collect()
    finally:
        gc.enable()
    assert unreachable == 0


def _respelled(value: Any) -> Any:
    """Every decimal string written with extra zeros ("10" -> "10.000", "0.5" -> "0.500")."""
    if isinstance(value, dict):
        return {k: _respelled(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_respelled(v) for v in value]
    if isinstance(value, str) and re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", value):
        return value + ("00" if "." in value else ".000")
    return value


def test_the_ranking_depends_on_the_rulebook_hash_not_on_its_spelling() -> None:
    data = rulebook_document(RB)
    data["bands"][0]["effects"] = {"bonus": "1.5"}
    written = rulebook_from_data(data)
    respelled = _respelled(data)
    assert respelled["components"][0]["max"] == "10.000"
    other = rulebook_from_data(respelled)
    assert rulebook_hash(other) == rulebook_hash(written)
    facts = every_kind_facts()
    assert ranking_document(score(other, facts)) == ranking_document(score(written, facts))
