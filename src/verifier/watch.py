"""Watching a log: remember the last checkpoint seen and insist every newer one extends it.

Pure: :func:`advance` takes the checkpoint remembered, the one just fetched and
the consistency proof between them, and raises :class:`WatchError` when the log
went back (rollback), signed two roots for one size (fork), or the proof does not
show the old tree inside the new one (history rewritten, or a different log shown
to different people). :func:`compare` does the same for a checkpoint someone else
saw (another watcher's state file, a receipt, a publication) against the server's
newest. The caller (``pingyi verify --url``) fetches and stores.

Nothing read from disk is trusted: :meth:`Seen.from_json` and :func:`read_checkpoint`
verify the signed note with the log key and raise :class:`StateError` (a local
problem with the file, never evidence against the log) when it does not verify.

The state file (format ``pingyi.watch/1``) is JSON::

    {"format": "pingyi.watch/1", "url": ..., "origin": ..., "log_key": <C2SP vkey>,
     "size": n, "root": <base64>, "checkpoint": <the signed note>}

Evidence (format ``pingyi.watch-evidence/1``, :func:`evidence`) holds the two
conflicting signed notes, and the consistency proof if one was given, so anyone
with the log key can check the accusation offline.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ledger import merkle
from ledger.canonical import parse_json
from ledger.errors import LedgerError
from ledger.note import (
    TLOG_PROOF_HEADER,
    NoteVerifier,
    open_checkpoint,
    parse_tlog_proof,
    parse_verifier_key,
)

WATCH_FORMAT = "pingyi.watch/1"
EVIDENCE_FORMAT = "pingyi.watch-evidence/1"


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


class StateError(ValueError):
    """A state or checkpoint file that cannot be trusted; the message says why."""


@dataclass(frozen=True)
class Seen:
    """A verified checkpoint a watcher remembers; ``source`` says where it came from."""

    origin: str
    log_key: str
    size: int
    root: bytes
    note: str
    source: str = field(default="", compare=False)

    @classmethod
    def open(
        cls, note: str, verifier: NoteVerifier, log_key: str, origin: str, source: str = ""
    ) -> Seen:
        """Verify a signed checkpoint note (NoteError if it does not verify)."""
        checkpoint = open_checkpoint(note, [verifier], origin=origin)
        return cls(origin, log_key, checkpoint.size, checkpoint.root, note, source)

    def to_json(self, url: str) -> dict[str, Any]:
        return {
            "format": WATCH_FORMAT,
            "url": url,
            "origin": self.origin,
            "log_key": self.log_key,
            "size": self.size,
            "root": _b64(self.root),
            "checkpoint": self.note,
        }

    @classmethod
    def from_json(cls, data: bytes, trusted: str | None = None, source: str = "") -> Seen:
        """Read and re-verify a state file; StateError saying what is wrong with it.

        Its note must verify with ``trusted`` (else with the key the file names) and
        carry the size and root the file states.
        """
        if not data.strip():
            raise StateError("it is empty")
        try:
            value = parse_json(data, "its content")
        except LedgerError as exc:
            raise StateError(str(exc)) from None
        if not isinstance(value, dict) or value.get("format") != WATCH_FORMAT:
            raise StateError(f"it is not a {WATCH_FORMAT} document")
        try:
            origin, log_key, note = (str(value[k]) for k in ("origin", "log_key", "checkpoint"))
            size = value["size"]
            if isinstance(size, bool) or not isinstance(size, int):
                raise TypeError(f"size {size!r} is not an integer")
            root = base64.b64decode(str(value["root"]), validate=True)
        except (KeyError, ValueError, TypeError) as exc:
            raise StateError(f"it is incomplete or malformed: {exc}") from None
        if trusted is not None and log_key != trusted:
            raise StateError(f"it remembers log key {log_key}, not the trusted key {trusted}")
        try:
            seen = cls.open(note, parse_verifier_key(log_key), log_key, origin, source)
        except LedgerError as exc:
            raise StateError(f"its checkpoint does not verify with the log key: {exc}") from None
        if seen.size != size or seen.root != root:
            raise StateError(
                f"it states size {size} and root {_b64(root)}, but its signed checkpoint "
                f"says size {seen.size} and root {_b64(seen.root)}: the file was altered"
            )
        return seen


def read_checkpoint(data: bytes, trusted: str, origin: str, source: str) -> Seen:
    """The checkpoint in a state file, a signed note or a C2SP tlog-proof, verified.

    StateError if the file holds none, or it does not verify with ``trusted`` for ``origin``.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise StateError("it is not UTF-8 text") from None
    if text.lstrip().startswith("{"):
        seen = Seen.from_json(data, trusted, source)
        if seen.origin != origin:
            raise StateError(f"it is for log {seen.origin!r}, not {origin!r}")
        return seen
    try:
        note = parse_tlog_proof(text).checkpoint if text.startswith(TLOG_PROOF_HEADER) else text
        return Seen.open(note, parse_verifier_key(trusted), trusted, origin, source)
    except LedgerError as exc:
        raise StateError(f"it holds no checkpoint signed by the trusted log key: {exc}") from None


class WatchError(Exception):
    """The log broke its promise; ``check`` is "rollback", "fork" or "consistency".

    ``seen`` are the conflicting signed checkpoints, ``proof`` the consistency proof
    between them if one was given: the evidence.
    """

    def __init__(
        self,
        check: str,
        message: str,
        seen: Sequence[Seen] = (),
        proof: Sequence[bytes] | None = None,
    ) -> None:
        super().__init__(message)
        self.check = check
        self.seen = tuple(seen)
        self.proof = None if proof is None else tuple(proof)


def advance(previous: Seen, current: Seen, proof: Sequence[bytes] | None) -> None:
    """Raise WatchError unless ``current`` extends ``previous`` (``proof``: size1 -> size2)."""
    pair = (previous, current)
    if current.size < previous.size:
        raise WatchError(
            "rollback",
            f"the log now shows size {current.size}, but a checkpoint of size {previous.size} "
            "was seen before: the log rolled back or rewrote its history",
            pair,
        )
    if current.size == previous.size:
        if current.root != previous.root:
            raise WatchError(
                "fork",
                f"two checkpoints of size {current.size} signed by the log key have different "
                f"roots ({previous.root.hex()[:16]}… seen before, {current.root.hex()[:16]}… now): "
                "the log forked",
                pair,
            )
        return
    if proof is None:
        raise WatchError("consistency", "the server gave no consistency proof", pair)
    try:
        merkle.verify_consistency(previous.size, current.size, proof, previous.root, current.root)
    except LedgerError as exc:
        raise WatchError(
            "fork",
            f"the checkpoint of size {current.size} does not extend the one of size "
            f"{previous.size} seen before ({exc}): the log rewrote its history or shows "
            "different logs to different people",
            pair,
            proof,
        ) from None


def compare(other: Seen, newest: Seen, proof: Sequence[bytes] | None) -> None:
    """Raise WatchError unless ``other`` (seen elsewhere) is in the server's ``newest`` tree."""
    pair, where = (other, newest), f"the checkpoint in {other.source} at size {other.size}"
    if other.size > newest.size:
        raise WatchError(
            "rollback",
            f"{where} is larger than the server's newest (size {newest.size}): the log "
            "rolled back, or shows different people different logs",
            pair,
        )
    if other.size == newest.size:
        if other.root != newest.root:
            raise WatchError(
                "fork",
                f"{where} has another root than the server's at the same size: the log "
                "forked, or shows different people different logs",
                pair,
            )
        return
    if other.size == 0:
        return  # the empty tree is in every tree
    if proof is None:
        raise WatchError("consistency", "the server gave no consistency proof", pair)
    try:
        merkle.verify_consistency(other.size, newest.size, proof, other.root, newest.root)
    except LedgerError as exc:
        raise WatchError(
            "fork",
            f"{where} is not consistent with the server's log at size {newest.size} ({exc}): "
            "the log shows different people different histories",
            pair,
            proof,
        ) from None


def evidence(error: WatchError, url: str) -> dict[str, Any] | None:
    """The conflicting signed notes (and proof) of ``error`` as a document; None if it has none."""
    if len(error.seen) < 2:
        return None
    first, second = error.seen[0], error.seen[1]
    return {
        "format": EVIDENCE_FORMAT,
        "url": url,
        "check": error.check,
        "message": str(error),
        "origin": first.origin,
        "log_key": first.log_key,
        "checkpoints": [
            {"source": s.source, "size": s.size, "root": _b64(s.root), "checkpoint": s.note}
            for s in error.seen
        ],
        "consistency_proof": None
        if error.proof is None
        else {"size1": first.size, "size2": second.size, "hashes": [_b64(h) for h in error.proof]},
    }


def sample(count: int, limit: int) -> frozenset[int]:
    """Which of ``count`` listed checkpoints to prove: all, or ``limit`` evenly spaced ending
    with the last."""
    if count <= limit:
        return frozenset(range(count))
    return frozenset(i * count // limit - 1 for i in range(1, limit + 1))


__all__ = [
    "EVIDENCE_FORMAT",
    "WATCH_FORMAT",
    "Seen",
    "StateError",
    "WatchError",
    "advance",
    "compare",
    "evidence",
    "read_checkpoint",
    "sample",
]
