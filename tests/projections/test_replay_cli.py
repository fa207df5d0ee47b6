"""`pingyi replay` and `pingyi explain` against real stores (SQLite and PostgreSQL)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from pingyi.cli import app
from projections import explanation_to_json, ranking_to_json
from projections.replay import replay
from tests.projections.ledger_world import ScoringWorld
from tests.projections.scenarios import every_kind

runner = CliRunner()


def populate(world: ScoringWorld) -> tuple[int, str]:
    """A campaign with a finding that is later withdrawn; returns (position before, its id)."""
    world.adopt("c1", every_kind())
    world.open("c1")
    for level in ("dissatisfied", "dissatisfied", "basically_satisfied"):
        world.record(
            "survey.response",
            {"campaign": "c1", "unit": "A", "component": "survey", "level": level},
        )
    finding = world.record(
        "finding.record",
        {
            "campaign": "c1",
            "unit": "A",
            "rule": "findings",
            "level": "county",
            "serious": True,
            "summary": "乱收费 improper fees",
        },
    )
    before = world.ledger.size - 1
    world.record(
        "finding.withdraw", {"campaign": "c1", "finding": finding.id, "reason": "误记 mistake"}
    )
    return before, finding.id


def test_replay_prints_rankings_naming_the_rulebook_and_the_position(scoring: ScoringWorld) -> None:
    populate(scoring)
    out = runner.invoke(app, ["replay", "c1", "--store", scoring.url])
    assert out.exit_code == 0, out.output
    state = replay(scoring.ledger.entries(), "c1")
    assert f"as of log position {scoring.ledger.size - 1}" in out.stdout
    assert state.hash in out.stdout
    for label in ("北区 / North", "南区 / South", "总分", "Total", "甲单位"):
        assert label in out.stdout


def test_replay_json_as_of_and_from_the_read_model(scoring: ScoringWorld) -> None:
    before, _ = populate(scoring)
    ranked = {}
    for args in (
        [],
        ["--read-model"],
        ["--as-of", str(before)],
        ["--as-of", str(before), "--read-model"],
    ):
        out = runner.invoke(app, ["replay", "c1", "--json", "--store", scoring.url, *args])
        assert out.exit_code == 0, out.output
        ranked[tuple(args)] = json.loads(out.stdout)
    now = replay(scoring.ledger.entries(), "c1")
    then = replay(scoring.ledger.entries(), "c1", as_of=before)
    assert ranked[()] == ranked[("--read-model",)]
    assert ranked[()]["as_of"] == scoring.ledger.size - 1
    assert ranked[()]["ranking"] == json.loads(ranking_to_json(now.result()))
    assert ranked[()]["rulebook_versions"][0]["hash"] == now.hash
    at = ranked[("--as-of", str(before))]
    assert at == ranked[("--as-of", str(before), "--read-model")]
    assert at["as_of"] == before
    assert at["ranking"] == json.loads(ranking_to_json(then.result()))
    assert at["ranking"] != ranked[()]["ranking"]  # the withdrawal came after `before`


def test_explain_lists_every_entry_that_moved_the_score(scoring: ScoringWorld) -> None:
    before, finding = populate(scoring)
    out = runner.invoke(app, ["explain", "c1", "A", "--store", scoring.url])
    assert out.exit_code == 0, out.output
    assert "[survey]" in out.stdout and "不计分 Not counted" in out.stdout
    assert f"entry {finding}" in out.stdout and "withdrawn by entry" in out.stdout
    out = runner.invoke(
        app, ["explain", "c1", "A", "--json", "--as-of", str(before), "--store", scoring.url]
    )
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    expected = replay(scoring.ledger.entries(), "c1", as_of=before).explain("A")
    assert data["explanation"] == json.loads(explanation_to_json(expected))
    moved = {ln["entry"] for c in data["explanation"]["components"] for ln in c["lines"]}
    assert finding in moved


def test_replay_and_explain_say_what_is_wrong(scoring: ScoringWorld) -> None:
    populate(scoring)
    out = runner.invoke(app, ["replay", "c9", "--store", scoring.url])
    assert out.exit_code == 2
    assert "campaign 'c9' has no rulebook adopted" in out.stderr
    out = runner.invoke(app, ["explain", "c1", "Z", "--store", scoring.url])
    assert out.exit_code == 2
    assert "has no unit 'Z'" in out.stderr
