"""The pure diff of two rankings and the causes read from explanations."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from projections.diff import causes, compare_rankings
from projections.render import ranking_document
from projections.replay import replay
from projections.rulebook import rulebook_document, rulebook_hash
from tests.vectors.bundles.generate import rulebook


def entry(index: int, type_: str, payload: dict[str, Any]) -> SimpleNamespace:
    return SimpleNamespace(index=index, id=f"e{index:04d}-0000", type=type_, payload=payload)


def log() -> list[SimpleNamespace]:
    book = rulebook()
    adopt = {"campaign": "c1", "rulebook": rulebook_document(book), "hash": rulebook_hash(book)}
    finding = {
        "campaign": "c1",
        "unit": "B",
        "rule": "findings",
        "level": "county",
        "serious": False,
        "summary": "问题",
    }
    return [
        entry(0, "rulebook.adopt", {**adopt, "reason": "x"}),
        entry(1, "campaign.open", {"campaign": "c1", "title": "t"}),
        entry(
            2,
            "survey.response",
            {"campaign": "c1", "unit": "A", "component": "survey", "level": "dissatisfied"},
        ),
        entry(3, "finding.record", finding),
        entry(
            4,
            "survey.response",
            {"campaign": "c1", "unit": "C", "component": "survey", "level": "dissatisfied"},
        ),
        entry(
            5,
            "finding.withdraw",
            {"campaign": "c1", "finding": "e0003-0000", "reason": "误记 error"},
        ),
    ]


def test_changes_and_their_causes() -> None:
    entries = log()
    before, after = replay(entries, "c1", as_of=3), replay(entries, "c1", as_of=5)
    doc_a, doc_b = ranking_document(before.result()), ranking_document(after.result())
    assert compare_rankings(doc_a, doc_a) == []
    changes = {c.unit: c for c in compare_rankings(doc_a, doc_b)}
    assert set(changes) >= {"B", "C"}
    assert changes["C"].components == (("survey", "10.00", "8.00"),)
    c = causes(changes["C"], before.explain("C"), after.explain("C"), (4, 6))
    assert [(x.kind, x.index, x.component) for x in c.causes] == [("counts", 4, "survey")]
    b = causes(changes["B"], before.explain("B"), after.explain("B"), (4, 6))
    gone = [x for x in b.causes if x.kind == "no longer counts"]
    assert [(x.index, x.component) for x in gone] == [(3, "findings")]
    assert gone[0].note.endswith("withdrawn by entry e0005-0000: 误记 error")
    assert changes["B"].to_json()["components"] == [{"key": "findings", "a": "8.00", "b": "10.00"}]
