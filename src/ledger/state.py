"""The state of one log as its entries are replayed: head, key registry, Merkle tree.

Pure: the append path and the verifier both drive a :class:`LogState`, so the
rules checked on append are exactly the rules a verifier re-checks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from ledger import merkle
from ledger.canonical import GENESIS_PREV
from ledger.entry import Entry, Submission
from ledger.errors import ClockSkewError, PayloadError, StaleHeadError, UnknownKeyError
from ledger.registry import KeyRegistry

DEFAULT_MAX_SKEW = timedelta(minutes=10)


class Policy(Protocol):
    """Domain rules beyond keys and roles (e.g. "a finding must name a unit of its campaign").

    A policy is replayed from the log like the key registry: ``apply`` sees every
    accepted entry in order; ``check`` decides whether a submission may become
    entry ``index``, raising an :class:`~ledger.errors.EntryRejected` that names
    the field. Policies must be pure (no I/O, no clock) so that the append path
    and every verifier reach the same decision.
    """

    def check(self, submission: Submission, index: int) -> None: ...

    def apply(self, entry: Entry) -> None: ...

    def copy(self) -> Policy: ...


@dataclass(frozen=True)
class Undo:
    size: int
    head: str
    registry: KeyRegistry
    log_key: str | None
    policies: tuple[Policy, ...]


class LogState:
    def __init__(self, origin: str, policies: Sequence[Policy] = ()) -> None:
        self.origin = origin
        self.policies = tuple(policies)
        self.size = 0
        self.head = GENESIS_PREV
        self.registry = KeyRegistry()
        self.log_key: str | None = None  # C2SP verifier key named by genesis
        self.tree = merkle.MerkleTree()

    # -- checks ---------------------------------------------------------------------

    def check_envelope(self, submission: Submission, *, now: datetime, max_skew: timedelta) -> None:
        """Checks that need no registry: the log, the claimed time."""
        if submission.statement["log"] != self.origin:
            raise PayloadError(
                f"statement.log: this log is {self.origin!r}, the statement names "
                f"{submission.statement['log']!r}"
            )
        skew = abs(submission.time - now)
        if skew > max_skew:
            raise ClockSkewError(
                f"statement.time {submission.statement['time']} is {int(skew.total_seconds())} s "
                f"from the server's clock (allowed: {int(max_skew.total_seconds())} s); "
                "check the signing machine's clock and sign again"
            )

    def public_key_for(self, submission: Submission) -> bytes:
        if submission.type == "genesis":
            import base64

            return base64.b64decode(submission.payload["root_key"])
        public = self.registry.public_key(submission.signer)
        if public is None:
            raise UnknownKeyError(
                f"signer {submission.signer} is not a registered key of this log; register it first"
            )
        return public

    def check_next(self, submission: Submission) -> None:
        """Checks against the head: role, revocation, the author's optional ``prev``."""
        pinned = submission.statement.get("prev")
        if pinned is not None and pinned != self.head:
            raise StaleHeadError(
                f"statement.prev {pinned[:16]}… is not the current head {self.head[:16]}… "
                f"(log size {self.size}); fetch the head and sign again"
            )
        self.registry.authorize(submission.type, submission.signer, submission.payload, self.size)
        for policy in self.policies:
            policy.check(submission, self.size)

    # -- advancing ------------------------------------------------------------------

    def undo_point(self) -> Undo:
        return Undo(
            self.size,
            self.head,
            self.registry.copy(),
            self.log_key,
            tuple(p.copy() for p in self.policies),
        )

    def undo(self, point: Undo) -> None:
        self.size, self.head, self.registry, self.log_key, self.policies = (
            point.size,
            point.head,
            point.registry,
            point.log_key,
            point.policies,
        )

    def advance(self, entry: Entry) -> None:
        """Apply an entry already checked to belong at the head (no tree update)."""
        self.registry.apply(entry.type, entry.payload, entry.index, entry.signer)
        for policy in self.policies:
            policy.apply(entry)
        if entry.type == "genesis":
            self.log_key = str(entry.payload["log_key"])
        self.size = entry.index + 1
        self.head = entry.hash

    def grow_tree(self, entries: list[Entry]) -> None:
        for entry in entries:
            if entry.index != self.tree.size:
                raise AssertionError(f"tree at {self.tree.size}, entry {entry.index}")
            self.tree.append(merkle.leaf_hash(entry.raw))
