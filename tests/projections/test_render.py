"""Readable output: bilingual ranking tables and explanations, as text and JSON."""

from __future__ import annotations

import json

from projections import (
    explain,
    explanation_text,
    explanation_to_json,
    load_preset,
    ranking_text,
    ranking_to_json,
    rulebook_hash,
    score,
)
from tests.projections.builders import Log
from tests.projections.scenarios import every_kind, every_kind_facts

RB = every_kind()


def test_ranking_text_has_one_table_per_category_in_chinese_and_english() -> None:
    text = ranking_text(score(RB, every_kind_facts()))
    for label in (
        "北区 / North",
        "南区 / South",
        "排名",
        "Rank",
        "总分",
        "Total",
        "基础分",
        "Core",
        "附加分",
        "Bonus",
    ):
        assert label in text
    assert rulebook_hash(RB) in text
    assert "类别第一 First in category" in text
    assert "无效票 Invalid ballots" in text


def test_forfeited_units_are_shown_as_such() -> None:
    from projections.facts import Submission

    rb = load_preset("004")
    facts = [Submission(entry="s", index=1, unit="B01", deadline="materials", on_time=False)]
    assert "放弃考核 forfeited" in ranking_text(score(rb, facts))


def test_explanation_text_lists_entries_and_effects() -> None:
    text = explanation_text(explain(RB, every_kind_facts(), "A"))
    assert "甲单位 / Unit A" in text
    assert "[findings]" in text and "serious x2: -4" in text
    assert "不计分 Not counted:" in text and "invalid ballot" in text
    assert "+6.6667 (= 20/3)" in text  # a task's share, 10 x 1 / 1.5, shown with its exact value


def test_json_outputs_are_canonical_and_parse() -> None:
    result = score(RB, every_kind_facts())
    data = json.loads(ranking_to_json(result))
    assert data["rulebook"]["hash"] == rulebook_hash(RB)
    north = data["tables"][0]
    assert [row["unit"] for row in north["rows"]] == ["A", "B"]
    assert north["rows"][0]["total"] == "61.3"
    exp = json.loads(explanation_to_json(explain(RB, every_kind_facts(), "A")))
    assert exp["unit"]["code"] == "A" and exp["total"] == "61.3"
    tasks = next(c for c in exp["components"] if c["key"] == "tasks")
    assert tasks["lines"][1]["delta"] == {"shown": "2.6667", "exact": "8/3"}


def test_a_large_preset_renders() -> None:
    log = Log()
    log.ratings("assembly", "TW01", ["satisfied"])
    text = ranking_text(score(load_preset("000"), log.facts))
    assert (
        text.count("乡镇区01（示例）") == 1
        and "县直部门管理单位 / Units managed by county departments" in text
    )
