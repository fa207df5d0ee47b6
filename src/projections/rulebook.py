"""Rulebooks: the declarative scoring scheme of one campaign.

A rulebook names the units and their categories, the components with their
rule kinds, how components add up to the total, rounding, tie-breaking,
candidate lists and result bands. It is read from YAML or JSON
(:func:`load_rulebook`), validated by pydantic plus cross-reference checks
(:mod:`projections.validation`), and identified by :func:`rulebook_hash`.
Every problem is reported in one :class:`~projections.errors.RulebookError`
with the path of the offending field.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from functools import cached_property
from typing import Annotated, Any, Literal

import rfc8785
from pydantic import Field, StrictInt, ValidationError

from projections.decimals import RoundingMode
from projections.documents import parse_document
from projections.errors import Problem, RulebookError
from projections.fields import Key, Label, Num, StrictModel
from projections.rules import KINDS, Rule

FORMAT = "pingyi.rulebook/1"
SCHEMA_ID = "urn:pingyi:rulebook:1"


class Note(StrictModel):
    """A documented choice: which setting (field path) and why it has its value."""

    about: str
    text: str


class Category(StrictModel):
    """A category: units are ranked within their category."""

    key: Key
    label: Label


class Unit(StrictModel):
    """A unit that is scored and ranked, and its category."""

    code: Key
    name: Label
    category: Key


class NotAssessed(StrictModel):
    """What a unit scores on a component when no fact assesses it."""

    use: Literal["zero", "average", "full"] = "zero"
    over: Literal["all", "category"] = "all"


class Component(StrictModel):
    """A scored part of the scheme: its full marks and its rule."""

    key: Key
    label: Label
    max: Num | None = None
    rule: Rule
    not_assessed: NotAssessed = NotAssessed()


class Total(StrictModel):
    """How components make the total.

    ``of``: component -> weight; sum(weight x max) must equal ``max``.
    ``adjustments``: components added to the total as they are (bonuses and
    deductions inside the total). ``outside``: components reported beside the
    total (bonus points that do not count in it).
    """

    max: Num
    of: dict[Key, Num]
    adjustments: tuple[Key, ...] = ()
    outside: tuple[Key, ...] = ()


class RoundingStep(StrictModel):
    """Round to ``places`` decimals with ``mode``."""

    places: Annotated[StrictInt, Field(ge=0, le=12)] = 2
    mode: RoundingMode = "half_up"


class Rounding(StrictModel):
    """Where rounding happens: each component score, and the total."""

    component: RoundingStep = RoundingStep()
    total: RoundingStep = RoundingStep()
    display_places: Annotated[StrictInt, Field(ge=0, le=12)] = 4


class Ranking(StrictModel):
    """Ranking scope and tie-breaking.

    ``tie_break`` lists component keys compared in turn (higher first) when
    totals are equal; ``unit_code`` (last) orders still-equal units by code.
    Without it, still-equal units share a rank. Either way they are flagged tied.
    """

    scope: Literal["category", "all"] = "category"
    tie_break: tuple[Key, ...] = ()


class Forced(StrictModel):
    """Units named on a previous campaign's list join this candidate list first."""

    previous_list: Key
    max: Annotated[StrictInt, Field(ge=1)]


class CandidateList(StrictModel):
    """Candidates taken from the top or bottom of a ranking by ``by``."""

    key: Key
    label: Label
    by: Key = "total"
    take: Literal["top", "bottom"]
    count: Annotated[StrictInt, Field(ge=1)]
    forced: Forced | None = None


class Band(StrictModel):
    """A result band: ranks ``ranks[0]``..``ranks[1]`` from the top or bottom of a scope."""

    key: Key
    label: Label
    scope: Literal["category", "all", "list"] = "category"
    among: Key | None = None
    take: Literal["top", "bottom"] = "top"
    ranks: tuple[StrictInt, StrictInt]
    effects: dict[Key, Num] = Field(default_factory=dict)


class Deadline(StrictModel):
    """Materials due by a deadline; a late or missing submission forfeits the appraisal."""

    key: Key
    label: Label
    due: str | None = None


class Sampling(StrictModel):
    """All if the population is at most ``max``, else ``max`` drawn."""

    max: Annotated[StrictInt, Field(ge=1)]
    label: Label | None = None


class Rulebook(StrictModel):
    """A complete, validated scoring scheme."""

    format: Literal["pingyi.rulebook/1"]
    key: Key
    title: Label
    source: str | None = None
    notes: tuple[Note, ...] = ()
    categories: tuple[Category, ...]
    units: tuple[Unit, ...]
    components: tuple[Component, ...]
    total: Total
    rounding: Rounding = Rounding()
    ranking: Ranking = Ranking()
    candidates: tuple[CandidateList, ...] = ()
    bands: tuple[Band, ...] = ()
    deadlines: tuple[Deadline, ...] = ()
    sampling: Sampling | None = None

    @cached_property
    def unit_codes(self) -> frozenset[str]:
        """The codes of the rated units (built once: every appended entry is checked against it)."""
        return frozenset(u.code for u in self.units)

    @cached_property
    def _components(self) -> dict[str, Component]:
        return {c.key: c for c in self.components}

    def component(self, key: str) -> Component | None:
        """The component with this key."""
        return self._components.get(key)

    def unit(self, code: str) -> Unit | None:
        """The unit with this code."""
        return next((u for u in self.units if u.code == code), None)

    def category(self, key: str) -> Category | None:
        """The category with this key."""
        return next((c for c in self.categories if c.key == key), None)


# -- loading -----------------------------------------------------------------------------


def rulebook_from_data(data: Any) -> Rulebook:
    """Validate parsed data (mappings, lists, ints, strings, Decimals) into a Rulebook."""
    from projections.validation import rulebook_problems

    if not isinstance(data, Mapping):
        raise RulebookError([Problem("", "a rulebook is a mapping (YAML or JSON object)")])
    try:
        rulebook = Rulebook.model_validate(dict(data))
    except ValidationError as err:
        raise RulebookError(_problems_of(err)) from None
    problems = rulebook_problems(rulebook)
    if problems:
        raise RulebookError(problems)
    return rulebook


def load_rulebook(text: str | bytes, *, format: Literal["yaml", "json"] | None = None) -> Rulebook:
    """Parse and validate a rulebook from YAML or JSON text; numbers stay exact."""
    try:
        data = parse_document(text, format)
    except ValueError as err:
        raise RulebookError([Problem("", str(err))]) from None
    return rulebook_from_data(data)


def revise(rulebook: Rulebook, changes: Mapping[str, object]) -> Rulebook:
    """A new validated rulebook with top-level fields replaced (e.g. ``units``)."""
    data = rulebook.model_dump(mode="json")
    data.update(changes)
    return rulebook_from_data(data)


# -- identity ----------------------------------------------------------------------------


def rulebook_document(rulebook: Rulebook) -> dict[str, Any]:
    """The validated rulebook as JSON data, every number a canonical decimal string."""
    data: dict[str, Any] = rulebook.model_dump(mode="json")
    return data


def rulebook_bytes(rulebook: Rulebook) -> bytes:
    """RFC 8785 canonical JSON of the validated rulebook."""
    out: bytes = rfc8785.dumps(rulebook_document(rulebook))
    return out


def rulebook_hash(rulebook: Rulebook) -> str:
    """``sha256:<hex>`` of the canonical JSON: the rulebook version's identity."""
    return "sha256:" + hashlib.sha256(rulebook_bytes(rulebook)).hexdigest()


# -- JSON Schema -------------------------------------------------------------------------


def rulebook_json_schema() -> dict[str, Any]:
    """The published JSON Schema of rulebook documents."""
    schema = Rulebook.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = SCHEMA_ID
    schema["title"] = "pingyi rulebook"
    schema["description"] = (
        "A declarative scoring scheme for a pingyi campaign. Numbers are integers or "
        "decimal strings (never floats). See docs/rulebooks.md."
    )
    return schema


def rulebook_schema_text() -> str:
    """The JSON Schema as committed in docs/rulebook.schema.json."""
    return json.dumps(rulebook_json_schema(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


# -- pydantic errors -> field paths ------------------------------------------------------


def _path(loc: tuple[int | str, ...]) -> str:
    parts: list[str] = []
    previous: int | str | None = None
    for item in loc:
        if previous == "rule" and item in KINDS:
            previous = item
            continue
        if isinstance(item, int):
            parts.append(f"[{item}]")
        else:
            parts.append(f".{item}" if parts else str(item))
        previous = item
    return "".join(parts)


def _problems_of(err: ValidationError) -> list[Problem]:
    problems: list[Problem] = []
    for detail in err.errors(include_url=False):
        loc = tuple(detail["loc"])
        kind = detail["type"]
        message = str(detail["msg"])
        if kind == "missing" and loc:
            problems.append(Problem(_path(loc[:-1]), f"missing {loc[-1]}"))
            continue
        if kind == "union_tag_invalid":
            tag = (detail.get("ctx") or {}).get("tag")
            message = f"unknown rule kind {tag!r}; known kinds: {', '.join(KINDS)}"
            problems.append(Problem(_path((*loc, "kind")), message))
            continue
        if kind == "union_tag_not_found":
            problems.append(Problem(_path(loc), f"missing kind (one of: {', '.join(KINDS)})"))
            continue
        if kind == "extra_forbidden":
            message = "unknown field (check the spelling against docs/rulebooks.md)"
        elif kind == "literal_error":
            message = f"{message}, got {detail.get('input')!r}"
        message = message.removeprefix("Value error, ")
        problems.append(Problem(_path(loc), message))
    return problems


__all__ = [
    "FORMAT",
    "Band",
    "CandidateList",
    "Category",
    "Component",
    "Deadline",
    "Forced",
    "NotAssessed",
    "Note",
    "Ranking",
    "Rounding",
    "RoundingStep",
    "Rulebook",
    "Sampling",
    "Total",
    "Unit",
    "load_rulebook",
    "revise",
    "rulebook_bytes",
    "rulebook_document",
    "rulebook_from_data",
    "rulebook_hash",
    "rulebook_json_schema",
    "rulebook_schema_text",
]
