"""Errors of the projections layer.

Every error carries a message a person can act on. The tree::

    ProjectionError         base of every error raised by ``projections``
    ├── RulebookError       a rulebook document that does not validate; lists each
    │                       problem with the path of the offending field
    ├── FactError           a fact that names an unknown unit, component, level, ...;
    │                       raised by ``check_fact`` before an entry is appended
    ├── PresetError         an unknown preset name
    └── ReplayError         a campaign with no rulebook adopted as of the position asked
"""

from __future__ import annotations

from dataclasses import dataclass


class ProjectionError(Exception):
    """Base of every projections error; ``str(err)`` is the message for a person."""

    code = "projection-error"


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with a document: where (a field path) and what."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class RulebookError(ProjectionError):
    """A rulebook that does not validate. ``problems`` lists every defect found."""

    code = "bad-rulebook"

    def __init__(self, problems: list[Problem] | tuple[Problem, ...]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        count = len(self.problems)
        head = f"rulebook rejected: {count} problem{'s' if count != 1 else ''}"
        super().__init__("\n".join([head, *(f"  - {p}" for p in self.problems)]))

    def paths(self) -> tuple[str, ...]:
        """The field paths of the problems, in order."""
        return tuple(p.path for p in self.problems)


class FactError(ProjectionError):
    """A fact that cannot be scored under the rulebook; append nothing."""

    code = "bad-fact"

    def __init__(self, message: str, *, entry: str | None = None) -> None:
        self.entry = entry
        self.detail = message
        super().__init__(f"entry {entry!r}: {message}" if entry else message)


class PresetError(ProjectionError):
    """An unknown preset name."""

    code = "unknown-preset"


class ReplayError(ProjectionError):
    """A campaign that cannot be replayed: unknown, or no rulebook adopted yet."""

    code = "cannot-replay"
