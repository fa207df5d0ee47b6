"""The Ledger: an eventsourcing Application holding one signed, hash-chained Merkle log.

Each entry is stored as one eventsourcing stored event: originator id = the
log id (UUIDv5 of the origin), originator version = the entry index, state =
the canonical entry bytes. The (originator id, version) primary key means two
writers can never both record an entry at the same index: the chain cannot
fork, whatever happens above the database.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from eventsourcing.application import Application

from ledger import merkle
from ledger.entry import Entry, Submission
from ledger.errors import NoteError, StoreError
from ledger.keys import Signer
from ledger.note import Checkpoint, NoteSigner, open_checkpoint, parse_verifier_key
from ledger.state import DEFAULT_MAX_SKEW, LogState, Policy
from ledger.store import eventsourcing_env, store_url
from ledger.store.sequencer import Receipt, SequencingRecorder, StoredCheckpoint

Clock = Callable[[], datetime]


def log_id_for(origin: str) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"pingyi:{origin}")


def system_clock() -> datetime:
    return datetime.now(UTC)


class Store(Application[uuid.UUID]):
    """The eventsourcing application over one store; may hold several logs."""

    name = "Ledger"

    def __init__(self, url: str | None = None) -> None:
        self.url = store_url(url)
        super().__init__(env=eventsourcing_env(self.url))
        if not isinstance(self.recorder, SequencingRecorder):
            raise StoreError("the store's recorder is not a pingyi sequencing recorder")
        self.log_recorder: SequencingRecorder = self.recorder

    def origins(self) -> list[str]:
        origins = []
        for log_id in self.log_recorder.log_ids():
            first = self.log_recorder.read_entries(log_id, -1, 1)
            origins.append(str(Entry.from_bytes(first[0]).statement["log"]))
        return origins


class Ledger:
    """One log: append signed submissions, read entries, sign checkpoints, prove."""

    def __init__(
        self,
        store: Store,
        origin: str,
        *,
        log_signer: NoteSigner | None = None,
        clock: Clock = system_clock,
        max_skew: timedelta = DEFAULT_MAX_SKEW,
        policies: Sequence[Policy] = (),
    ) -> None:
        self.store = store
        self.recorder = store.log_recorder
        self.origin = origin
        self.log_id = log_id_for(origin)
        self.state = LogState(origin, policies)
        self.log_signer = log_signer
        self.clock = clock
        self.max_skew = max_skew
        self.refresh()
        if log_signer is not None and self.state.log_key not in (None, log_signer.verifier_key):
            raise StoreError(
                f"the log key given does not match the one genesis names ({self.state.log_key})"
            )

    # -- opening ----------------------------------------------------------------------------

    @classmethod
    def open(cls, url: str | None = None, origin: str | None = None, **kwargs: Any) -> Ledger:
        store = Store(url)
        if origin is None:
            origins = store.origins()
            if not origins:
                raise StoreError(
                    f"the store {store.url!r} holds no log yet; create one with `pingyi init`"
                )
            if len(origins) > 1:
                raise StoreError(f"the store holds several logs ({origins}); name one with --log")
            origin = origins[0]
        return cls(store, origin, **kwargs)

    @classmethod
    def create(
        cls,
        url: str | None,
        origin: str,
        *,
        deployment: str,
        root: Signer,
        log_signer: NoteSigner,
        **kwargs: Any,
    ) -> Ledger:
        """Open a new log and append its genesis (signed by the office root key)."""
        if log_signer.name != origin:
            raise StoreError("the checkpoint key's name must be the log's origin")
        ledger = cls(Store(url), origin, log_signer=log_signer, **kwargs)
        if ledger.size:
            raise StoreError(f"log {origin!r} already exists ({ledger.size} entries)")
        genesis = Submission.new(
            root,
            log=origin,
            type="genesis",
            payload={
                "deployment": deployment,
                "root_key": root.public_b64,
                "log_key": log_signer.verifier_key,
            },
            time=ledger.clock(),
        )
        ledger.append([genesis])
        ledger.checkpoint()
        return ledger

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing ----------------------------------------------------------------------------

    def append(
        self, submissions: Sequence[Submission], now: datetime | None = None
    ) -> list[Receipt]:
        """Append atomically: every submission is recorded, or none is."""
        if not submissions:
            return []
        moment = now or self.clock()
        # No refresh here: sequence() catches up inside the write lock and checks
        # there any signature whose key this process had not seen yet.
        verified = set()
        for submission in submissions:
            self.state.check_envelope(submission, now=moment, max_skew=self.max_skew)
            if submission.type == "genesis" or self.state.registry.public_key(submission.signer):
                submission.check_signature(self.state.public_key_for(submission))
                verified.add(submission.id)
        return self.recorder.sequence(self.log_id, self.state, submissions, frozenset(verified))

    # -- reading ----------------------------------------------------------------------------

    def refresh(self) -> None:
        """Catch up with entries other processes appended."""
        self.recorder.catch_up(self.log_id, self.state)

    @property
    def size(self) -> int:
        return self.state.size

    def entries(self, after: int = -1) -> Iterator[Entry]:
        for raw in self.recorder.iter_entries(self.log_id, after):
            yield Entry.from_bytes(raw)

    def raw_entries(self, after: int = -1) -> Iterator[bytes]:
        return self.recorder.iter_entries(self.log_id, after)

    def index_of(self, entry_id: str) -> int | None:
        """The index of the entry with this id, if the log holds it."""
        return self.recorder.find_claims(self.log_id, [f"entry:{entry_id}"]).get(
            f"entry:{entry_id}"
        )

    def entry(self, index: int) -> Entry:
        rows = self.recorder.read_entries(self.log_id, index - 1, 1)
        if not rows or index < 0:
            raise StoreError(f"log {self.origin!r} has no entry {index} (size {self.size})")
        return Entry.from_bytes(rows[0])

    # -- checkpoints and proofs ---------------------------------------------------------------

    def checkpoints(self) -> list[StoredCheckpoint]:
        return self.recorder.checkpoints(self.log_id)

    def checkpoint(self) -> StoredCheckpoint:
        """Sign (once) and store a checkpoint at the current size; return the latest one.

        Refuses to sign a root inconsistent with any checkpoint already stored:
        a log never signs two inconsistent checkpoints.
        """
        self.refresh()
        stored = self.checkpoints()
        if stored and stored[-1].size == self.size:
            return stored[-1]
        for earlier in stored:
            if earlier.size > self.size or self.state.tree.root(earlier.size) != earlier.root:
                raise NoteError(
                    f"refusing to sign: the stored checkpoint at size {earlier.size} does not "
                    "match this log's entries; run `pingyi verify`"
                )
        note = self.sign_checkpoint(self.size)
        saved = self.recorder.add_checkpoint(
            self.log_id, StoredCheckpoint(self.size, self.state.tree.root(self.size), note)
        )
        if saved.note != note:
            raise NoteError(f"another checkpoint at size {self.size} was stored concurrently")
        return saved

    def sign_checkpoint(self, size: int) -> str:
        if self.log_signer is None:
            raise NoteError("this process has no checkpoint key; open the ledger with --log-key")
        body = Checkpoint(self.origin, size, self.state.tree.root(size)).body()
        return self.log_signer.sign(body)

    def verify_checkpoint(self, note: str) -> Checkpoint:
        if self.state.log_key is None:
            raise NoteError("the log has no genesis yet")
        return open_checkpoint(note, [parse_verifier_key(self.state.log_key)], origin=self.origin)

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        return self.state.tree.inclusion_proof(index, self.size if size is None else size)

    def consistency_proof(self, size1: int, size2: int | None = None) -> list[bytes]:
        return self.state.tree.consistency_proof(size1, self.size if size2 is None else size2)

    def root(self, size: int | None = None) -> bytes:
        return self.state.tree.root(size)

    def leaf_hash(self, index: int) -> bytes:
        return self.state.tree.leaf(index)


__all__ = ["Ledger", "Receipt", "Store", "log_id_for", "merkle"]
