"""Identical inputs give byte-identical output; the order facts are supplied in does not matter."""

from __future__ import annotations

import random

from projections import explain, explanation_to_json, ranking_to_json, score
from projections.entries import facts_of
from projections.facts import ordered
from tests.projections.make_golden import GOLDEN, outputs
from tests.projections.scenarios import every_kind, every_kind_facts

RB = every_kind()


def test_same_inputs_same_bytes() -> None:
    assert ranking_to_json(score(RB, every_kind_facts())) == ranking_to_json(
        score(RB, every_kind_facts())
    )


def test_fact_order_does_not_matter() -> None:
    facts = every_kind_facts()
    expected = ranking_to_json(score(RB, facts))
    explained = explanation_to_json(explain(RB, facts, "A"))
    rng = random.Random(7)
    for _ in range(5):
        shuffled = list(facts)
        rng.shuffle(shuffled)
        assert ranking_to_json(score(RB, shuffled)) == expected
        assert explanation_to_json(explain(RB, shuffled, "A")) == explained


def test_output_matches_the_committed_golden_bytes() -> None:
    for name, data in outputs().items():
        assert (GOLDEN / name).read_bytes() == data, (
            f"{name} changed: rerun make_golden if intended"
        )


def test_ranking_names_the_rulebook_hash() -> None:
    from projections import rulebook_hash

    assert f'"hash":"{rulebook_hash(RB)}"'.encode() in ranking_to_json(
        score(RB, every_kind_facts())
    )


def test_json_has_no_floats() -> None:
    data = ranking_to_json(score(RB, every_kind_facts()))
    assert b'"total":"61.3"' in data and b'"score"' not in data


def test_ballots_of_one_batch_keep_their_order_in_the_batch() -> None:
    """A paper batch's ballots are ordered by their place in it (docs/verification.md §8.2),
    not by anything an implementation happens to print for them."""
    payload = {
        "component": "peers",
        "ballots": [
            {"ratings": {"A": "top", "B": "top"}},  # invalid, first in the batch
            {"ratings": {"A": "bottom", "B": "bottom"}},  # invalid, second
        ],
    }
    batch = facts_of("b-1", 9, "ballot.batch", payload)
    assert [b.part for b in batch] == [0, 1]
    assert ordered(reversed(batch)) == batch
    result = score(RB, [*every_kind_facts(), *reversed(batch)])
    mine = [b for b in result.invalid_ballots if b.entry == "b-1"]
    assert [b.reason.split(";")[0] for b in mine] == [
        "breaks the forced distribution (top: 2 given, exactly 1 required",
        "breaks the forced distribution (top: 0 given, exactly 1 required",
    ]
