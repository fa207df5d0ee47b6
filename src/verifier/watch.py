"""Watching a log: remember the last checkpoint seen and insist every newer one extends it.

Pure: :func:`advance` takes the checkpoint remembered, the one just fetched and
the consistency proof between them, and raises :class:`WatchError` when the log
went back (rollback), signed two roots for one size (fork), or the proof does not
show the old tree inside the new one (history rewritten, or a different log shown
to different people). The caller (``pingyi verify --url``) fetches and stores.

The state file (format ``pingyi.watch/1``) is JSON::

    {"format": "pingyi.watch/1", "url": ..., "origin": ..., "log_key": <C2SP vkey>,
     "size": n, "root": <base64>, "checkpoint": <the signed note>}
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ledger import merkle
from ledger.canonical import parse_json
from ledger.errors import LedgerError
from ledger.note import NoteVerifier, open_checkpoint

WATCH_FORMAT = "pingyi.watch/1"


class WatchError(Exception):
    """The log broke its promise; ``check`` is "rollback", "fork" or "consistency"."""

    def __init__(self, check: str, message: str) -> None:
        super().__init__(message)
        self.check = check


@dataclass(frozen=True)
class Seen:
    """A verified checkpoint a watcher remembers."""

    origin: str
    log_key: str
    size: int
    root: bytes
    note: str

    @classmethod
    def open(cls, note: str, verifier: NoteVerifier, log_key: str, origin: str) -> Seen:
        """Verify a signed checkpoint note (NoteError if it does not verify)."""
        checkpoint = open_checkpoint(note, [verifier], origin=origin)
        return cls(origin, log_key, checkpoint.size, checkpoint.root, note)

    def to_json(self, url: str) -> dict[str, Any]:
        return {
            "format": WATCH_FORMAT,
            "url": url,
            "origin": self.origin,
            "log_key": self.log_key,
            "size": self.size,
            "root": base64.b64encode(self.root).decode("ascii"),
            "checkpoint": self.note,
        }

    @classmethod
    def from_json(cls, data: bytes) -> Seen:
        """Read a state file; ValueError saying what is wrong with it."""
        try:
            value = parse_json(data, "state file")
        except LedgerError as exc:
            raise ValueError(str(exc)) from None
        if not isinstance(value, dict) or value.get("format") != WATCH_FORMAT:
            raise ValueError(f"the state file is not a {WATCH_FORMAT} document")
        try:
            return cls(
                str(value["origin"]),
                str(value["log_key"]),
                int(value["size"]),
                base64.b64decode(str(value["root"]), validate=True),
                str(value["checkpoint"]),
            )
        except (KeyError, ValueError, TypeError) as exc:
            raise ValueError(f"the state file is incomplete or malformed: {exc}") from None


def advance(previous: Seen, current: Seen, proof: Sequence[bytes] | None) -> None:
    """Raise WatchError unless ``current`` extends ``previous`` (``proof``: size1 -> size2)."""
    if current.size < previous.size:
        raise WatchError(
            "rollback",
            f"the log now shows size {current.size}, but a checkpoint of size {previous.size} "
            "was seen before: the log rolled back or rewrote its history",
        )
    if current.size == previous.size:
        if current.root != previous.root:
            raise WatchError(
                "fork",
                f"two checkpoints of size {current.size} signed by the log key have different "
                f"roots ({previous.root.hex()[:16]}… seen before, {current.root.hex()[:16]}… now): "
                "the log forked",
            )
        return
    if proof is None:
        raise WatchError("consistency", "the server gave no consistency proof")
    try:
        merkle.verify_consistency(previous.size, current.size, proof, previous.root, current.root)
    except LedgerError as exc:
        raise WatchError(
            "fork",
            f"the checkpoint of size {current.size} does not extend the one of size "
            f"{previous.size} seen before ({exc}): the log rewrote its history or shows "
            "different logs to different people",
        ) from None


__all__ = ["WATCH_FORMAT", "Seen", "WatchError", "advance"]
