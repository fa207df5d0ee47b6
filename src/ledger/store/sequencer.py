"""Sequencing: turning verified submissions into linked entries inside the write lock.

Both storage adapters inherit :class:`SequencingRecorder`; each supplies only
its SQL (``_locked``, ``_c_*``). The algorithm, run while the adapter holds the
log's write lock (PostgreSQL: eventsourcing's ``LOCK TABLE … IN EXCLUSIVE MODE``
taken through a function; SQLite: ``BEGIN IMMEDIATE``):

1. catch up: read entries other writers committed since this process last looked;
2. idempotency: an entry id already in the log returns its original index when the
   signed bytes are identical, and is a conflict otherwise;
3. check role, revocation and the author's optional ``prev`` against the head;
4. link each new entry to the head, insert entries and their claims in the same
   transaction, commit; only then grow the in-memory Merkle tree.

When this process was the last to write (its previous careful append found
nothing new), it first tries the *fast path*: steps 2–4 against what it already
knows, then one transaction with the lock and the inserts alone (one round trip
on PostgreSQL instead of three). It cannot record anything the careful path
would not: if another writer took the next index or any claim meanwhile, the
database's unique keys refuse the insert (:class:`RaceLost`) and the whole
transaction rolls back; if the fast path finds any problem, or loses a race,
it is undone and the careful path decides, after catching up.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from ledger.entry import Entry, Submission
from ledger.errors import ConflictError, StoreError
from ledger.state import LogState

ENTRY_TOPIC = "ledger.entry:Entry"
READ_PAGE = 1000


@dataclass(frozen=True)
class Receipt:
    """What the log answers for an accepted submission."""

    index: int
    entry_hash: str
    duplicate: bool = False


class RaceLost(StoreError):
    """An insert met a unique key: another writer took that index or entry id first."""

    def __init__(self, detail: object) -> None:
        super().__init__(
            "another writer appended to the log at the same time (an index or entry id "
            f"was taken: {detail}); catch up and try again"
        )


@dataclass(frozen=True)
class StoredCheckpoint:
    size: int
    root: bytes
    note: str


class SequencingRecorder:
    """Mixin for eventsourcing application recorders that sequence pingyi entries."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Logs this process wrote last, as far as it knows: where the fast path is tried.
        self._last_writer: set[UUID] = set()

    # -- backend hooks --------------------------------------------------------------------

    @abstractmethod
    def _locked(self) -> AbstractContextManager[Any]:
        """A transaction holding the log's write lock; commits on normal exit."""

    @abstractmethod
    def _reading(self) -> AbstractContextManager[Any]:
        """A read-only transaction (no lock)."""

    @abstractmethod
    def _c_read(self, curs: Any, log_id: UUID, after: int, limit: int) -> list[bytes]: ...

    @abstractmethod
    def _c_claims(self, curs: Any, log_id: UUID, claims: Sequence[str]) -> dict[str, int]: ...

    @abstractmethod
    def _c_insert(
        self, curs: Any, log_id: UUID, entries: Sequence[Entry], claims: Sequence[tuple[str, int]]
    ) -> None: ...

    @abstractmethod
    def read_entries(self, log_id: UUID, after: int, limit: int) -> list[bytes]:
        """Entry bytes with index > after, in index order (no lock)."""

    @abstractmethod
    def log_ids(self) -> list[UUID]: ...

    @abstractmethod
    def checkpoints(self, log_id: UUID) -> list[StoredCheckpoint]: ...

    @abstractmethod
    def add_checkpoint(self, log_id: UUID, checkpoint: StoredCheckpoint) -> StoredCheckpoint:
        """Insert unless a checkpoint of that size exists; return the stored one."""

    # -- shared algorithm -----------------------------------------------------------------

    def iter_entries(self, log_id: UUID, after: int = -1) -> Iterator[bytes]:
        while True:
            page = self.read_entries(log_id, after, READ_PAGE)
            yield from page
            if len(page) < READ_PAGE:
                return
            after += len(page)

    @staticmethod
    def _follow(state: LogState, raw: bytes) -> Entry:
        entry = Entry.from_bytes(raw)
        if entry.index != state.size or entry.prev != state.head:
            raise StoreError(
                f"the store is inconsistent at entry {state.size} of {state.origin!r}: "
                "run `pingyi verify` to see what is wrong"
            )
        state.advance(entry)
        state.grow_tree([entry])
        return entry

    def find_claims(self, log_id: UUID, claims: Sequence[str]) -> dict[str, int]:
        """Which of ``claims`` (e.g. ``entry:<id>``) are taken, and at which index."""
        with self._reading() as curs:
            return self._c_claims(curs, log_id, claims)

    def catch_up(self, log_id: UUID, state: LogState) -> list[Entry]:
        return [self._follow(state, raw) for raw in self.iter_entries(log_id, state.size - 1)]

    def _c_catch_up(self, curs: Any, log_id: UUID, state: LogState) -> None:
        while page := self._c_read(curs, log_id, state.size - 1, READ_PAGE):
            for raw in page:
                self._follow(state, raw)

    def sequence(
        self,
        log_id: UUID,
        state: LogState,
        submissions: Sequence[Submission],
        verified: frozenset[str],
    ) -> list[Receipt]:
        """Append ``submissions`` atomically; ``verified`` holds ids whose signature was checked."""
        if log_id in self._last_writer:
            receipts = self._sequence_fast(log_id, state, submissions, verified)
            if receipts is not None:
                return receipts
        return self._sequence_careful(log_id, state, submissions, verified)

    def _sequence_fast(
        self,
        log_id: UUID,
        state: LogState,
        submissions: Sequence[Submission],
        verified: frozenset[str],
    ) -> list[Receipt] | None:
        """Steps 2–4 against what this process knows; None when the careful path must decide."""
        undo = state.undo_point()
        new: list[Entry] = []
        try:
            receipts = self._link(None, log_id, state, submissions, verified, {}, new)
            if new:
                with self._locked() as curs:
                    self._c_insert(curs, log_id, new, [(f"entry:{e.id}", e.index) for e in new])
        except Exception:
            state.undo(undo)
            self._last_writer.discard(log_id)
            return None
        except BaseException:
            state.undo(undo)
            raise
        state.grow_tree(new)
        return receipts

    def _sequence_careful(
        self,
        log_id: UUID,
        state: LogState,
        submissions: Sequence[Submission],
        verified: frozenset[str],
    ) -> list[Receipt]:
        undo = None
        new: list[Entry] = []
        try:
            with self._locked() as curs:
                before = state.size
                self._c_catch_up(curs, log_id, state)
                others_wrote = state.size != before
                undo = state.undo_point()
                known = self._c_claims(curs, log_id, [f"entry:{s.id}" for s in submissions])
                receipts = self._link(curs, log_id, state, submissions, verified, known, new)
                if new:
                    self._c_insert(curs, log_id, new, [(f"entry:{e.id}", e.index) for e in new])
        except BaseException:
            if undo is not None:
                state.undo(undo)
            raise
        state.grow_tree(new)
        if new and not others_wrote:
            self._last_writer.add(log_id)
        else:
            self._last_writer.discard(log_id)
        return receipts

    def _link(
        self,
        curs: Any,
        log_id: UUID,
        state: LogState,
        submissions: Sequence[Submission],
        verified: frozenset[str],
        known: dict[str, int],
        new: list[Entry],
    ) -> list[Receipt]:
        """Steps 2–4 for each submission: answer duplicates, check, link and advance ``state``."""
        receipts: list[Receipt] = []
        batch: dict[str, Entry] = {}
        for submission in submissions:
            earlier = batch.get(submission.id)
            if earlier is None and f"entry:{submission.id}" in known:
                index = known[f"entry:{submission.id}"]
                earlier = Entry.from_bytes(self._c_read(curs, log_id, index - 1, 1)[0])
            if earlier is not None:
                if not submission.same_as(earlier):
                    raise ConflictError(
                        f"entry id {submission.id} is already in the log at index "
                        f"{earlier.index} with different content; use a new id"
                    )
                receipts.append(Receipt(earlier.index, earlier.hash, duplicate=True))
                continue
            state.check_next(submission)
            if submission.id not in verified:
                submission.check_signature(state.public_key_for(submission))
            entry = Entry.sequence(submission, state.size, state.head)
            state.advance(entry)
            batch[submission.id] = entry
            new.append(entry)
            receipts.append(Receipt(entry.index, entry.hash))
        return receipts
