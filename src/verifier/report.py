"""Verification reports: what was checked, counts, the first failure, the verdict."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

MAX_FAILURES = 100


@dataclass(frozen=True)
class Failure:
    log: str
    index: int | None  # entry index, or None for a failure not tied to one entry
    check: str  # which check failed, e.g. "signature", "chain", "checkpoint"
    message: str

    def __str__(self) -> str:
        where = f"log {self.log!r}" + (f", entry {self.index}" if self.index is not None else "")
        return f"{where}: {self.check}: {self.message}"


@dataclass
class Report:
    """Counts per check and the failures found (the first MAX_FAILURES)."""

    subject: str
    counts: dict[str, int] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    truncated_failures: int = 0
    _first: Failure | None = field(default=None, repr=False)

    def count(self, check: str, n: int = 1) -> None:
        self.counts[check] = self.counts.get(check, 0) + n

    def fail(self, log: str, index: int | None, check: str, message: str) -> None:
        failure = Failure(log, index, check, message)
        if len(self.failures) < MAX_FAILURES:
            self.failures.append(failure)
        else:
            self.truncated_failures += 1
        if self._first is None or _position(failure) < _position(self._first):
            self._first = failure

    @property
    def ok(self) -> bool:
        return not self.failures

    @property
    def first_failure(self) -> Failure | None:
        """The failure at the lowest entry index (at one index a ``signature`` failure, else
        the earliest recorded; failures tied to no entry last), also when it was recorded
        after the first MAX_FAILURES."""
        return self._first

    def to_json(self) -> dict[str, Any]:
        first = self.first_failure
        return {
            "subject": self.subject,
            "verdict": "pass" if self.ok else "fail",
            "counts": dict(sorted(self.counts.items())),
            "first_failure": None if first is None else first.__dict__,
            "failures": [f.__dict__ for f in self.failures],
            "more_failures": self.truncated_failures,
        }


def _position(failure: Failure) -> tuple[bool, int, bool]:
    # at one index a bad signature comes first: the bytes are not what the author signed,
    # so whatever else is wrong with them says nothing about the author
    return failure.index is None, failure.index or 0, failure.check != "signature"
