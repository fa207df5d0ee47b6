"""Receipts: one entry, its C2SP tlog-proof and the log's key, checked offline.

A pingyi receipt is a ``c2sp.org/tlog-proof@v1`` text whose ``extra`` line is
base64 of the exact entry bytes (the extra data is unauthenticated by itself:
it is authenticated here by hashing it into the leaf the inclusion proof
proves). A tlog-proof without extra data is checked against entry bytes given
separately.

What a verified receipt proves: the log whose checkpoint key is the one given
signed a checkpoint whose tree holds exactly these entry bytes at this index.
It does not re-check the author's signature (that needs the key registry, i.e.
the log prefix: use a bundle) nor that later checkpoints extend this one (use
``pingyi verify --url`` or a bundle).
"""

from __future__ import annotations

from dataclasses import dataclass

from ledger import merkle
from ledger.entry import Entry
from ledger.errors import EncodingError, ProofError
from ledger.note import Checkpoint, parse_tlog_proof, parse_verifier_key, verify_tlog_proof


@dataclass(frozen=True)
class VerifiedReceipt:
    """An entry proved to be in a log at a signed checkpoint."""

    entry: Entry
    checkpoint: Checkpoint
    log_key: str


def verify_receipt(
    proof_text: str | bytes, log_key: str, entry_bytes: bytes | None = None
) -> VerifiedReceipt:
    """Check a receipt; return what it proves, or raise a LedgerError saying what is wrong.

    ``entry_bytes`` is needed only when the proof carries no entry in its extra line;
    if both are present they must be the same bytes.
    """
    proof = parse_tlog_proof(proof_text)
    if proof.extra is not None and entry_bytes is not None and proof.extra != entry_bytes:
        raise EncodingError("the entry given is not the one the receipt carries in its extra line")
    raw = proof.extra if proof.extra is not None else entry_bytes
    if raw is None:
        raise EncodingError(
            "the proof carries no entry (no extra line): give the entry's bytes as well"
        )
    entry = Entry.from_bytes(raw)
    if entry.index != proof.index:
        raise ProofError(
            f"the entry says index {entry.index}, the proof is for index {proof.index}"
        )
    origin = str(entry.statement["log"])
    checkpoint = verify_tlog_proof(
        proof_text, merkle.leaf_hash(raw), [parse_verifier_key(log_key)], origin=origin
    )
    return VerifiedReceipt(entry, checkpoint, log_key)


__all__ = ["VerifiedReceipt", "verify_receipt"]
