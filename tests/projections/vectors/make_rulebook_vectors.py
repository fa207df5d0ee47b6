"""Regenerate tests/projections/vectors/rulebooks/invalid/ from valid/every-kind.yaml.

Each invalid vector is the valid rulebook with one defect, named after it. Its
first lines say the defect and the problem expected (field path :: message
fragment). Run from the repository root:

    /tmp/venv/bin/python tests/projections/vectors/make_rulebook_vectors.py
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).parent / "rulebooks"
BASE = HERE / "valid" / "every-kind.yaml"

Patch = Callable[[dict[str, Any]], None]


def _comp(data: dict[str, Any], key: str) -> dict[str, Any]:
    return next(c for c in data["components"] if c["key"] == key)


def _set(path: list[str | int], value: Any) -> Patch:
    def patch(data: dict[str, Any]) -> None:
        node: Any = data
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value

    return patch


def _delete(path: list[str | int]) -> Patch:
    def patch(data: dict[str, Any]) -> None:
        node: Any = data
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]

    return patch


def _scale_of_zero(component: int, levels: tuple[str, ...]) -> Patch:
    def patch(data: dict[str, Any]) -> None:
        rule = data["components"][component]["rule"]
        rule.pop("scale_max", None)
        for level in levels:
            rule["levels"][level]["points"] = 0

    return patch


# name -> (defect, expected path, expected message fragment, patch)
VECTORS: dict[str, tuple[str, str, str, Patch]] = {
    "weights-do-not-add-up": (
        "total.of weighs learning 0.5: 70 + 5 is not total.max 80",
        "total.of",
        "weights do not add up: 1 x 70 + 0.5 x 10 = 75, but total.max is 80",
        _set(["total", "of", "learning"], "0.5"),
    ),
    "weighted-sum-does-not-add-up": (
        "the core weighted sum declares max 60 but its parts add up to 70",
        "components[7].rule.of",
        "weights do not add up",
        _set(["components", 7, "max"], 60),
    ),
    "unknown-rule-kind": (
        "a rule kind no one implements",
        "components[0].rule.kind",
        "unknown rule kind 'median'",
        _set(["components", 0, "rule", "kind"], "median"),
    ),
    "missing-rule-kind": (
        "a rule without a kind",
        "components[0].rule",
        "missing kind",
        _delete(["components", 0, "rule", "kind"]),
    ),
    "level-missing-points": (
        "the dissatisfied level of a deduction rule has no points",
        "components[1].rule.levels.dissatisfied",
        "missing points",
        _delete(["components", 1, "rule", "levels", "dissatisfied", "points"]),
    ),
    "rating-level-missing-points": (
        "a rating level that is neither scored nor an abstention",
        "components[0].rule.levels.fair",
        "missing points (give points, or abstain: true)",
        _delete(["components", 0, "rule", "levels", "fair", "points"]),
    ),
    "abstain-level-with-points": (
        "an abstain level that also carries points",
        "components[0].rule.levels.dont_know",
        "an abstain level takes no points",
        _set(["components", 0, "rule", "levels", "dont_know", "points"], 0),
    ),
    "forced-level-missing-quota": (
        "a forced-distribution level without its quota",
        "components[4].rule.levels.top",
        "missing quota",
        _delete(["components", 4, "rule", "levels", "top", "quota"]),
    ),
    "unit-in-no-category": (
        "unit B names a category that is not declared",
        "units[1].category",
        "unit 'B' is in no declared category: 'east'",
        _set(["units", 1, "category"], "east"),
    ),
    "unit-without-category": (
        "unit A has no category at all",
        "units[0]",
        "missing category",
        _delete(["units", 0, "category"]),
    ),
    "duplicate-unit-code": (
        "two units with the code A",
        "units[1].code",
        "duplicate code 'A'",
        _set(["units", 1, "code"], "A"),
    ),
    "band-beyond-category": (
        "a band down to rank 3 in categories of 2 units",
        "bands[0].ranks",
        "rank 3 is beyond the 2 units of category 'north'",
        _set(["bands", 0, "ranks"], [1, 3]),
    ),
    "band-beyond-all-units": (
        "a band down to rank 5 of 4 units",
        "bands[1].ranks",
        "rank 5 is beyond the 4 units",
        _set(["bands", 1, "ranks"], [1, 5]),
    ),
    "band-beyond-candidate-list": (
        "a band down to rank 3 of a list of at most 2",
        "bands[2].ranks",
        "rank 3 is beyond the 2 units of candidate list 'worst'",
        _set(["bands", 2, "ranks"], [1, 3]),
    ),
    "band-among-unknown-list": (
        "a band among a list that is not declared",
        "bands[2].among",
        "unknown candidate list 'nobody'",
        _set(["bands", 2, "among"], "nobody"),
    ),
    "candidates-beyond-units": (
        "candidate lists that need more units than there are",
        "candidates[1].count",
        "need 5 units, but the rulebook has 4",
        _set(["candidates", 1, "count"], 3),
    ),
    "tier-above-component-max": (
        "a tier reaching 12 in a 10-point component",
        "components[3].rule.tiers.high.max",
        "12 is above the component's max 10",
        _set(["components", 3, "rule", "tiers", "high", "max"], 12),
    ),
    "checklist-requires-unknown-item": (
        "a checklist item requiring an item that does not exist",
        "components[5].rule.items.meetings.requires[0]",
        "unknown item 'budget'",
        _set(["components", 5, "rule", "items", "meetings", "requires"], ["budget"]),
    ),
    "task-assigned-to-unknown-unit": (
        "a task assigned to a unit that does not exist",
        "components[6].rule.tasks[0].assigned.Z",
        "unknown unit",
        _set(["components", 6, "rule", "tasks", 0, "assigned", "Z"], "lead"),
    ),
    "component-used-nowhere": (
        "the bonus component is not named by the total",
        "components[9]",
        "component 'bonus' is used nowhere",
        _set(["total", "outside"], []),
    ),
    "tie-break-unknown-component": (
        "a tie-breaker naming no component",
        "ranking.tie_break[0]",
        "unknown component 'speed'",
        _set(["ranking", "tie_break"], ["speed", "unit_code"]),
    ),
    "unit-code-not-last-tie-breaker": (
        "unit_code before a component in the tie-breakers",
        "ranking.tie_break[0]",
        "unit_code must come last",
        _set(["ranking", "tie_break"], ["unit_code", "core"]),
    ),
    "unknown-field": (
        "a misspelt field",
        "components[0].wieght",
        "unknown field",
        _set(["components", 0, "wieght"], 1),
    ),
    "not-a-decimal": (
        "a weight written with a decimal comma",
        "total.of.core",
        "'1,0' is not a decimal number",
        _set(["total", "of", "core"], "1,0"),
    ),
    "places-as-text": (
        'rounding places written as text ("2"), not an integer',
        "rounding.component.places",
        "Input should be a valid integer",
        _set(["rounding", "component", "places"], "2"),
    ),
    "abstain-as-text": (
        'abstain written as text ("yes"), not true or false',
        "components[0].rule.levels.dont_know.abstain",
        "Input should be a valid boolean",
        _set(["components", 0, "rule", "levels", "dont_know", "abstain"], "yes"),
    ),
    "quota-as-boolean": (
        "a forced-distribution quota written as a boolean",
        "components[4].rule.levels.top.quota",
        "Input should be a valid integer",
        _set(["components", 4, "rule", "levels", "top", "quota"], True),
    ),
    "rating-scale-of-zero": (
        "a rating rule whose levels all give 0 points, with no scale_max",
        "components[0].rule.levels",
        "every level has 0 points",
        _scale_of_zero(0, ("good", "fair")),
    ),
    "forced-scale-of-zero": (
        "a forced distribution whose levels all give 0 points, with no scale_max",
        "components[4].rule.levels",
        "every level has 0 points",
        _scale_of_zero(4, ("top", "middle", "bottom")),
    ),
    "unknown-rounding-mode": (
        "a rounding mode that does not exist",
        "rounding.total.mode",
        "got 'bankers'",
        _set(["rounding", "total", "mode"], "bankers"),
    ),
}


def render(name: str) -> str:
    """The text of one invalid vector."""
    defect, path, fragment, patch = VECTORS[name]
    data = yaml.safe_load(
        BASE.read_text(encoding="utf-8").replace("due: 2025-01-14", "due: '2025-01-14'")
    )
    data = copy.deepcopy(data)
    patch(data)
    body = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
    return f"# defect: {defect}\n# expect: {path} :: {fragment}\n{body}"


def main() -> None:
    out = HERE / "invalid"
    out.mkdir(exist_ok=True)
    for old in out.glob("*.yaml"):
        old.unlink()
    for name in VECTORS:
        (out / f"{name}.yaml").write_text(render(name), encoding="utf-8")
    (out / "duplicate-yaml-key.yaml").write_text(
        "# defect: the key 'max' appears twice in one mapping\n"
        "# expect:  :: duplicate key 'max'\n"
        + BASE.read_text(encoding="utf-8").replace(
            "    max: 10\n", "    max: 10\n    max: 20\n", 1
        ),
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
