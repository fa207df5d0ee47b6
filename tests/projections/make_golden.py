"""Regenerate vectors/golden/ (expected canonical JSON of the every-kind scenario).

Run from the repository root:  /tmp/venv/bin/python -m tests.projections.make_golden
"""

from __future__ import annotations

from projections import explain, explanation_to_json, ranking_to_json, score
from tests.projections.scenarios import VECTORS, every_kind, every_kind_facts

GOLDEN = VECTORS / "golden"


def outputs() -> dict[str, bytes]:
    """File name -> expected bytes."""
    rb, facts = every_kind(), every_kind_facts()
    return {
        "every-kind.ranking.json": ranking_to_json(score(rb, facts)),
        "every-kind.explain-A.json": explanation_to_json(explain(rb, facts, "A")),
    }


def main() -> None:
    GOLDEN.mkdir(exist_ok=True)
    for name, data in outputs().items():
        (GOLDEN / name).write_bytes(data)


if __name__ == "__main__":
    main()
