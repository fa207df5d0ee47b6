"""Errors of the ledger layer.

Every error carries a message a person can act on: what is wrong, where, and
what to do about it. The tree::

    LedgerError
    ├── EncodingError        bytes that are not canonical, or JSON that is malformed
    ├── SignatureError       missing, malformed or wrong Ed25519 signature
    ├── ProofError           an inclusion or consistency proof that does not verify
    ├── NoteError            a signed note or checkpoint that is malformed or unsigned
    ├── EntryRejected        an entry the log refuses (bad payload, role, key, time, prev)
    │   ├── UnknownKeyError
    │   ├── RevokedKeyError
    │   ├── RoleError
    │   ├── PayloadError
    │   ├── StaleHeadError
    │   └── ClockSkewError
    ├── ConflictError        same entry id, different content
    ├── StoreError           the store cannot be opened or is misconfigured
    └── VerificationError    a stored log that fails verification (names log and index)
"""

from __future__ import annotations


class LedgerError(Exception):
    """Base of every ledger error; ``str(err)`` is the message for a person."""

    code = "ledger-error"


class EncodingError(LedgerError):
    code = "encoding"


class SignatureError(LedgerError):
    code = "bad-signature"


class ProofError(LedgerError):
    code = "bad-proof"


class NoteError(LedgerError):
    code = "bad-note"


class EntryRejected(LedgerError):
    code = "entry-rejected"


class UnknownKeyError(EntryRejected):
    code = "unknown-key"


class RevokedKeyError(EntryRejected):
    code = "revoked-key"


class RoleError(EntryRejected):
    code = "wrong-role"


class PayloadError(EntryRejected):
    code = "bad-payload"


class StaleHeadError(EntryRejected):
    code = "stale-head"


class ClockSkewError(EntryRejected):
    code = "clock-skew"


class ConflictError(LedgerError):
    code = "conflict"


class StoreError(LedgerError):
    code = "store"


class VerificationError(LedgerError):
    """A stored log fails a check. ``log`` and ``index`` say where."""

    code = "verification-failed"

    def __init__(self, message: str, *, log: str = "", index: int | None = None) -> None:
        where = f"log {log!r}" if log else "log"
        if index is not None:
            where += f", entry {index}"
        super().__init__(f"{where}: {message}")
        self.log = log
        self.index = index
        self.detail = message
