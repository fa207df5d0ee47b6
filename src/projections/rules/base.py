"""What every rule kind shares: the facts it is given and the outcome it returns.

A rule is a pure function ``evaluate(rule, scope, facts) -> Evaluation``. It
returns, for every unit, an exact score and the lines that explain it: each
line names the entry that moved the score (or none, for a start value, a floor
or a cap) and by how much; the lines of a unit add up to its score exactly.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from projections.decimals import exact_str
from projections.errors import Problem
from projections.facts import Fact, Ruling, fact_units

KeyOf = Callable[[Fact], tuple[str, ...] | None]


@dataclass(frozen=True)
class Applied:
    """A fact that counts, with the appeal ruling that bears on it, if any.

    ``adjusted`` is set by a partly-upheld ruling: it replaces the fact's points.
    """

    fact: Fact
    adjusted: Decimal | None = None
    ruling: Ruling | None = None

    def ruling_note(self) -> str:
        """Text that says how a ruling changed (or did not change) the fact."""
        if self.ruling is None:
            return ""
        if self.ruling.outcome == "rejected":
            return f"; objection rejected by ruling {self.ruling.entry}"
        if self.adjusted is not None:
            return f"; adjusted to {self.adjusted} by ruling {self.ruling.entry}"
        return f"; ruling {self.ruling.entry} cannot adjust it: counts unchanged"


@dataclass(frozen=True)
class Line:
    """One move of a unit's component score: ``delta`` points, and why."""

    delta: Fraction
    note: str
    entry: str | None = None
    index: int | None = None
    summary: bool = False  # restates other components' lines (a weighted sum's parts)


@dataclass(frozen=True)
class Excluded:
    """A fact that does not count, for whom and why."""

    entry: str
    index: int
    kind: str
    reason: str
    units: tuple[str, ...] = ()
    component: str | None = None


@dataclass(frozen=True)
class InvalidBallot:
    """A ballot recorded but excluded from the score, with the reason."""

    entry: str
    index: int
    component: str
    reason: str
    units: tuple[str, ...]


Lines = tuple[Line, ...]


@dataclass(frozen=True)
class Outcome:
    """A unit's exact score on one component, the lines that add up to it.

    ``line_source`` is the lines, or a function that builds them: ranking needs
    only the score, so rules that score many facts compute it from aggregates
    and build the lines (one per fact) only when an explanation asks for them.
    Either way the lines add up to ``score`` exactly.
    """

    score: Fraction
    assessed: bool
    line_source: Lines | Callable[[], Lines] = ()

    @property
    def lines(self) -> Lines:
        """The lines that add up to the score (built on first use, then kept)."""
        source = self.line_source
        if callable(source):
            source = source()
            object.__setattr__(self, "line_source", source)
        return source


@dataclass(frozen=True)
class Scope:
    """What a rule may know besides its own facts."""

    component: str
    max: Fraction | None
    units: tuple[str, ...]
    unit_set: frozenset[str]


@dataclass(frozen=True)
class Evaluation:
    """A rule's result over all units."""

    outcomes: Mapping[str, Outcome]
    excluded: tuple[Excluded, ...] = ()
    invalid_ballots: tuple[InvalidBallot, ...] = ()
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class SpecContext:
    """What rule validation may know about the rest of the rulebook."""

    path: str
    component_max: Decimal | None
    units: frozenset[str]


#: Why a ballot rule with no scale_max and only zero-point levels is invalid.
ZERO_SCALE = (
    "every level has 0 points, so there is no scale to score against: give a level points "
    "or set scale_max"
)


def problem(ctx: SpecContext, field: str, message: str) -> Problem:
    """A problem at ``<rule path>.<field>``."""
    return Problem(f"{ctx.path}.{field}" if field else ctx.path, message)


def excluded(applied: Applied | Fact, reason: str, component: str | None) -> Excluded:
    """An Excluded record for a fact."""
    fact = applied.fact if isinstance(applied, Applied) else applied
    return Excluded(fact.entry, fact.index, fact.kind, reason, fact_units(fact), component)


def clamp(
    score: Fraction, lines: list[Line], floor: Fraction | None, cap: Fraction | None
) -> Fraction:
    """Hold ``score`` within [floor, cap], adding a line for the amount held back."""
    if floor is not None and score < floor:
        lines.append(Line(floor - score, f"floor: the score stops at {exact_str(floor)}"))
        return floor
    if cap is not None and score > cap:
        lines.append(Line(cap - score, f"cap: the score stops at {exact_str(cap)}"))
        return cap
    return score


def supersede(
    facts: Sequence[Applied], key_of: KeyOf, component: str
) -> tuple[list[Applied], list[Excluded]]:
    """Keep the latest fact per key; earlier ones are excluded as superseded.

    ``facts`` are in log order, so "latest" is the one with the highest index.
    """
    latest: dict[tuple[str, ...], Applied] = {}
    for applied in facts:
        key = key_of(applied.fact)
        if key is not None:
            latest[key] = applied
    kept: list[Applied] = []
    dropped: list[Excluded] = []
    for applied in facts:
        key = key_of(applied.fact)
        winner = latest[key] if key is not None else applied
        if winner is applied:
            kept.append(applied)
        else:
            dropped.append(excluded(applied, f"superseded by entry {winner.fact.entry}", component))
    return kept, dropped
