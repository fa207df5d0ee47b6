"""Rulebook documents: exact numbers, YAML and JSON alike, the hash, the published schema."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from projections import load_preset, rulebook_hash
from projections.documents import parse_document
from projections.errors import RulebookError
from projections.presets import PRESETS
from projections.rulebook import (
    load_rulebook,
    rulebook_document,
    rulebook_from_data,
    rulebook_schema_text,
)
from tests.projections.scenarios import VECTORS, every_kind
from tests.projections.vectors import make_rulebook_vectors

ROOT = Path(__file__).resolve().parents[2]

YAML = """
format: pingyi.rulebook/1
key: tiny
title: 小
categories: [{key: all, label: 全部}]
units: [{code: A, name: 甲, category: all}]
components:
  - {key: x, label: 甲项, max: 50, rule: {kind: counted, items: {i: {points: 0.5}}}}
  - {key: y, label: 乙项, max: 100, rule: {kind: counted, items: {i: {points: 1}}}}
total: {max: 80, of: {x: 0.6, y: 0.5}}
"""

JSON = """{"format": "pingyi.rulebook/1", "key": "tiny", "title": "小",
 "categories": [{"key": "all", "label": "全部"}],
 "units": [{"code": "A", "name": "甲", "category": "all"}],
 "components": [
  {"key": "x", "label": "甲项", "max": 50, "rule": {"kind": "counted", "items": {"i": {"points": 0.50}}}},
  {"key": "y", "label": "乙项", "max": "100", "rule": {"kind": "counted", "items": {"i": {"points": 1}}}}],
 "total": {"max": 80, "of": {"x": "0.60", "y": 0.5}}}"""


def test_yaml_and_json_give_the_same_rulebook_and_hash() -> None:
    from_yaml, from_json = load_rulebook(YAML), load_rulebook(JSON)
    assert from_yaml == from_json
    assert rulebook_hash(from_yaml) == rulebook_hash(from_json)
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", rulebook_hash(from_yaml))


def test_yaml_decimals_are_read_exactly_never_as_floats() -> None:
    rb = load_rulebook(YAML)
    assert str(rb.total.of["x"]) == "0.6"
    assert rulebook_document(rb)["total"]["of"] == {"x": "0.6", "y": "0.5"}


def test_python_floats_are_refused_with_the_path() -> None:
    data = parse_document(JSON, "json")
    data["total"]["of"]["x"] = 0.6
    with pytest.raises(RulebookError) as err:
        rulebook_from_data(data)
    assert err.value.paths() == ("total.of.x",)
    assert "float" in str(err.value) and 'decimal string such as "0.6"' in str(err.value)


def test_the_message_is_for_a_person_not_a_pydantic_traceback() -> None:
    with pytest.raises(RulebookError) as err:
        load_rulebook(YAML.replace("max: 50", "max: fifty"))
    text = str(err.value)
    assert text.startswith("rulebook rejected: 1 problem\n")
    assert "components[0].max" in text and "validation error" not in text and "pydantic" not in text


@pytest.mark.parametrize("name", list(PRESETS))
def test_each_preset_has_the_same_hash_through_json(name: str) -> None:
    rb = load_preset(name)
    again = load_rulebook(json.dumps(rulebook_document(rb), ensure_ascii=False), format="json")
    assert rulebook_hash(again) == rulebook_hash(rb)


def test_a_change_gives_a_new_hash() -> None:
    assert rulebook_hash(load_rulebook(YAML)) != rulebook_hash(
        load_rulebook(YAML.replace("0.5}}}}", "0.25}}}}"))
    )


def test_committed_schema_matches_the_generator() -> None:
    committed = (ROOT / "docs" / "rulebook.schema.json").read_text(encoding="utf-8")
    assert committed == rulebook_schema_text(), (
        "regenerate docs/rulebook.schema.json (see docs/rulebooks.md)"
    )


def test_schema_accepts_the_documented_numbers() -> None:
    schema = json.loads(rulebook_schema_text())
    assert schema["$schema"].endswith("2020-12/schema")
    kinds = {
        ref.rsplit("/", 1)[-1]
        for ref in schema["$defs"]["Component"]["properties"]["rule"]["discriminator"][
            "mapping"
        ].values()
    }
    assert len(kinds) == 9


def test_committed_invalid_vectors_match_their_generator() -> None:
    folder = VECTORS / "rulebooks" / "invalid"
    names = sorted(p.stem for p in folder.glob("*.yaml"))
    assert names == sorted([*make_rulebook_vectors.VECTORS, "duplicate-yaml-key"])
    for name in make_rulebook_vectors.VECTORS:
        assert (folder / f"{name}.yaml").read_text(
            encoding="utf-8"
        ) == make_rulebook_vectors.render(name)


def test_valid_vector_loads() -> None:
    assert every_kind().key == "every-kind"
