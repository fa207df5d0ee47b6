"""Every invalid rulebook vector is rejected with the path of the offending field.

The vectors are in vectors/rulebooks/invalid/, named after their defect; the
second line of each says the path and a fragment of the expected message.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from projections.errors import RulebookError
from projections.rulebook import load_rulebook
from tests.projections.scenarios import VECTORS

INVALID = sorted((VECTORS / "rulebooks" / "invalid").glob("*.yaml"))


def expectation(path: Path) -> tuple[str, str]:
    line = path.read_text(encoding="utf-8").splitlines()[1]
    field, fragment = line.removeprefix("# expect: ").split(" :: ")
    return field.strip(), fragment


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_rejected_with_the_field_path(path: Path) -> None:
    field, fragment = expectation(path)
    with pytest.raises(RulebookError) as err:
        load_rulebook(path.read_text(encoding="utf-8"))
    found = [str(p) for p in err.value.problems]
    assert any(p.path == field and fragment in p.message for p in err.value.problems), found
    # the message a person reads names the field and says what is wrong
    assert f"  - {field}: " in str(err.value) if field else fragment in str(err.value)


def test_there_is_a_vector_for_each_defect_of_the_issue() -> None:
    names = {p.stem for p in INVALID}
    assert {
        "weights-do-not-add-up",
        "unknown-rule-kind",
        "level-missing-points",
        "unit-in-no-category",
        "band-beyond-category",
    } <= names
