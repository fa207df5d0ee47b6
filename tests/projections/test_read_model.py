"""The persisted read model against pure replay, on SQLite and PostgreSQL (hypothesis).

For random event sequences appended to a real log (with the campaign policy) in
random batches: the read model updated incrementally, the read model rebuilt from
scratch and pure replay of the log give byte-identical rankings; and the ranking
as of position N equals the ranking observed when the log ended at N, whatever
was appended after (revisions, withdrawals and rulings on earlier entries).
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.errors import PayloadError
from projections import explanation_to_json, ranking_to_json
from projections.replay import Replay, replay
from projections.view import ScoringView
from tests.projections.builders import edit
from tests.projections.ledger_world import ScoringWorld
from tests.projections.scenarios import every_kind

RB = every_kind()
REVISED = edit(RB, ["components", 1, "rule", "levels", "dissatisfied", "points"], "3")
UNITS = "ABCD"
campaigns = itertools.count()

# (kind, unit, pick, flag, batch break after it)
Op = tuple[int, int, int, bool, bool]
OPS = st.lists(
    st.tuples(
        st.integers(0, 9), st.integers(0, 3), st.integers(0, 11), st.booleans(), st.booleans()
    ),
    min_size=1,
    max_size=14,
)


def payload_for(
    op: Op, campaign: str, earlier: list[tuple[str, str]]
) -> tuple[str, dict[str, Any]]:
    kind, u, pick, flag, _ = op
    unit = UNITS[u]
    base: dict[str, Any] = {"campaign": campaign}
    if kind == 0:
        level = ["satisfied", "basically_satisfied", "dissatisfied"][pick % 3]
        return "survey.response", {**base, "unit": unit, "component": "survey", "level": level}
    if kind == 1:
        level = ["bureau", "county"][pick % 2]
        body = {"unit": unit, "rule": "findings", "level": level, "serious": flag}
        return "finding.record", {**base, **body, "summary": f"finding {pick}"}
    if kind == 2:
        tier, value = [("high", "7"), ("high", "10"), ("low", "1"), ("low", "6")][pick % 4]
        body = {"unit": unit, "component": "tiers", "tier": tier, "value": value}
        return "tier.rate", {**base, **body}
    if kind == 3:
        order = UNITS[u:] + UNITS[:u]
        levels = (
            ["top", "middle", "middle", "bottom"] if flag else ["top", "top", "middle", "bottom"]
        )
        return "ballot.record", {
            **base,
            "component": "peers",
            "ratings": dict(zip(order, levels, strict=True)),
            **({"voter": f"v{pick % 3}"} if pick % 2 else {}),
        }
    if kind == 4:
        level = ["good", "fair", "dont_know"][pick % 3]
        return "ballot.record", {**base, "component": "ratings", "ratings": {unit: level}}
    if kind == 5:
        item = ["plan", "meetings", "report"][pick % 3]
        body = {"unit": unit, "component": "checklist", "item": item, "present": flag}
        return "checklist.record", {**base, **body}
    if kind == 6:
        body = {"unit": unit, "component": "learning", "item": "visit", "count": 1 + pick % 3}
        return "item.count", {**base, **body}
    findings = [e for e in earlier if e[1] == "finding.record"]
    if kind == 7 and findings:
        target = findings[pick % len(findings)][0]
        return "finding.withdraw", {**base, "finding": target, "reason": "recorded twice"}
    facts = [e for e in earlier if e[1] not in ("finding.withdraw", "appeal.rule")]
    if kind == 8 and facts:
        target = facts[pick % len(facts)][0]
        outcome = ["upheld", "partly_upheld", "rejected"][pick % 3]
        adjusted = {"adjusted": "1"} if outcome == "partly_upheld" else {}
        body = {"target": target, "outcome": outcome, **adjusted, "reason": "ruled"}
        return "appeal.rule", {**base, **body}
    if kind == 9 and flag:  # a fact naming an unknown unit: refused, nothing recorded
        return "survey.response", {
            **base,
            "unit": "Z",
            "component": "survey",
            "level": "dissatisfied",
        }
    return "survey.response", {**base, "unit": unit, "component": "survey", "level": "satisfied"}


def document(state: Replay) -> tuple[int, str, bytes, bytes]:
    result = state.result()
    return (
        state.position,
        state.hash,
        ranking_to_json(result),
        explanation_to_json(state.explain("A")),
    )


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=OPS, revise_at=st.integers(0, 20))
def test_incremental_rebuild_and_pure_replay_agree(
    scoring: ScoringWorld, ops: list[Op], revise_at: int
) -> None:
    campaign = f"c{next(campaigns)}"
    ledger = scoring.ledger
    source = ledger.store.recorder
    with ScoringView(scoring.url) as view:
        view.catch_up(source)
        scoring.adopt(campaign, RB)
        scoring.open(campaign)
        seen: dict[int, tuple[int, str, bytes, bytes]] = {}
        earlier: list[tuple[str, str]] = []
        batch = []
        for n, op in enumerate(ops):
            if n == revise_at:
                scoring.adopt(campaign, REVISED, revise=True)
            type_, payload = payload_for(op, campaign, earlier)
            sub = scoring.sign(type_, payload)
            if payload.get("unit") == "Z":
                with pytest.raises(PayloadError, match="unknown unit 'Z'"):
                    ledger.append([sub])
            else:
                batch.append(sub)
                ledger.append([sub])
                earlier.append((sub.id, type_))
            if op[4] or n == len(ops) - 1:  # the read model catches up at random boundaries
                view.catch_up(source)
                state = view.replay(ledger.log_id, campaign)
                seen[state.position] = document(state)
        assert view.log_size(ledger.log_id) == ledger.size
        incremental = document(view.replay(ledger.log_id, campaign))
        pure = document(replay(ledger.entries(), campaign))
        assert incremental == pure
        for position, observed in seen.items():  # as of N ignores everything after N
            assert document(replay(ledger.entries(), campaign, as_of=position)) == observed
            assert document(view.replay(ledger.log_id, campaign, as_of=position)) == observed
        view.rebuild(source)
        assert document(view.replay(ledger.log_id, campaign)) == pure
        for position, observed in seen.items():
            assert document(view.replay(ledger.log_id, campaign, as_of=position)) == observed


def test_the_read_model_keeps_its_position_across_processes(scoring: ScoringWorld) -> None:
    scoring.adopt("c1", RB)
    scoring.open("c1")
    source = scoring.ledger.store.recorder
    with ScoringView(scoring.url) as view:
        assert view.catch_up(source) == scoring.ledger.size
    scoring.record(
        "survey.response",
        {"campaign": "c1", "unit": "B", "component": "survey", "level": "dissatisfied"},
    )
    with ScoringView(scoring.url) as view:  # a new process resumes from the stored position
        assert view.catch_up(source) == 1
        assert view.campaigns(scoring.ledger.log_id) == ["c1"]
        state = view.replay(scoring.ledger.log_id, "c1")
    assert state.position == scoring.ledger.size - 1
    assert state.result().unit("B").score("survey") == 8
