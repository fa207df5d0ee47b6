"""Receipts: one entry, its C2SP tlog-proof and the log's key, checked offline.

A pingyi receipt is a ``c2sp.org/tlog-proof@v1`` text whose ``extra`` line is
base64 of the exact entry bytes (the extra data is unauthenticated by itself:
it is authenticated here by hashing it into the leaf the inclusion proof
proves). A tlog-proof without extra data is checked against entry bytes given
separately.

What a verified receipt proves: the log whose checkpoint key is the one given
signed a checkpoint whose tree holds exactly these entry bytes at this index.
It does not show that later checkpoints extend this one (use ``pingyi verify
--url`` or a bundle).

A ballot's receipt (:func:`verify_ballot`) also checks the ballot's own
Ed25519 signature with its credential key, which comes from the voter's slip
(and then the ballot is tied to the voter) or from the ``credential.issue``
entry that registered it, carried by a second receipt of that entry
(``<name>.credential.tlog-proof``) and proved in the same log. Other entries'
author signatures need the key registry, i.e. the log prefix: use a bundle.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any

from ledger import merkle
from ledger.entry import Entry, validate_statement
from ledger.errors import EncodingError, LedgerError, ProofError, SignatureError
from ledger.keys import key_id
from ledger.note import Checkpoint, parse_tlog_proof, parse_verifier_key, verify_tlog_proof

BALLOT = "ballot.cast"
CREDENTIAL = "credential.issue"


class ReceiptError(LedgerError):
    """The receipt does not show what it claims (a forged, altered or someone else's ballot)."""

    code = "bad-receipt"


class MissingEvidence(LedgerError):
    """The receipt cannot be checked with what was given; the message says what to add."""

    code = "missing-evidence"


@dataclass(frozen=True)
class VerifiedReceipt:
    """An entry proved to be in a log at a signed checkpoint."""

    entry: Entry
    checkpoint: Checkpoint
    log_key: str


@dataclass(frozen=True)
class VerifiedBallot:
    """A ballot proved to be in the log, its signature checked with its credential key.

    ``yours`` is True when the key was derived from the voter's slip; False means
    nothing here ties the ballot's author to the person checking. ``credential``
    is the ``credential.issue`` entry that registered the key, proved in the same
    log, when the receipt carried it.
    """

    receipt: VerifiedReceipt
    public_key: bytes
    yours: bool
    credential: VerifiedReceipt | None

    @property
    def entry(self) -> Entry:
        return self.receipt.entry

    @property
    def ratings(self) -> dict[str, str]:
        return {str(k): str(v) for k, v in self.entry.payload["ratings"].items()}


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
    validate_statement(entry.statement)
    origin = str(entry.statement["log"])
    checkpoint = verify_tlog_proof(
        proof_text, merkle.leaf_hash(raw), [parse_verifier_key(log_key)], origin=origin
    )
    return VerifiedReceipt(entry, checkpoint, log_key)


def verify_ballot(
    receipt: VerifiedReceipt,
    *,
    voter_key: bytes | None = None,
    credential_proof: str | bytes | None = None,
) -> VerifiedBallot:
    """Check a verified receipt's ballot: its signature, and whose credential signed it.

    ``voter_key`` is the public key derived from the voter's slip: the ballot must
    be signed by it. ``credential_proof`` is the receipt of the ``credential.issue``
    entry that registered the ballot's key; it is checked with the same log key.
    Raises ReceiptError when the ballot is not what it claims, MissingEvidence when
    neither gives the key to check the signature with.
    """
    ballot = receipt.entry
    if ballot.type != BALLOT:
        raise ReceiptError(f"entry #{ballot.index} is a {ballot.type} entry, not a ballot")
    issued = None
    credential = None
    if credential_proof is not None:
        credential = verify_receipt(credential_proof, receipt.log_key)
        issued = issued_key(credential, receipt)
    if voter_key is not None and key_id(voter_key) != ballot.signer:
        raise ReceiptError(
            f"this ballot is not yours: it was signed by credential {ballot.signer}, and your "
            f"slip's credential is {key_id(voter_key)}; find your own ballot with "
            "`pingyi ballot receipt --slip YOUR-SLIP`"
        )
    public = voter_key if voter_key is not None else issued
    if public is None:
        raise MissingEvidence(
            "cannot check the ballot's signature: give your slip with --slip, or the "
            "credential's receipt (the .credential.tlog-proof `pingyi ballot receipt` writes "
            "beside the receipt) with --credential"
        )
    try:
        ballot.submission.check_signature(public)
    except SignatureError:
        raise ReceiptError(
            f"the ballot's signature does not verify with its credential key {ballot.signer}: "
            "these are not the ratings the credential signed (the ballot was forged or altered "
            "after it was cast); keep this receipt and report it to the evaluation office and "
            "the discipline inspectors"
        ) from None
    return VerifiedBallot(receipt, public, voter_key is not None, credential)


def issued_key(credential: VerifiedReceipt, ballot: VerifiedReceipt) -> bytes:
    """The public key the credential.issue entry registered for the ballot's signer."""
    issue, cast = credential.entry, ballot.entry
    where = f"the credential's receipt (entry #{issue.index})"
    if issue.type != CREDENTIAL:
        raise ReceiptError(f"{where} holds a {issue.type} entry, not a {CREDENTIAL}")
    if credential.checkpoint.origin != ballot.checkpoint.origin:
        raise ReceiptError(
            f"{where} is from log {credential.checkpoint.origin}, "
            f"the ballot from log {ballot.checkpoint.origin}"
        )
    if issue.index >= cast.index:
        raise ReceiptError(f"{where} comes after the ballot (#{cast.index}) in the log")
    for field in ("campaign", "window", "group"):
        if issue.payload.get(field) != cast.payload.get(field):
            raise ReceiptError(
                f"{where} issued credentials for {field} {issue.payload.get(field)!r}; "
                f"the ballot is for {field} {cast.payload.get(field)!r}"
            )
    for text in issue.payload["keys"]:
        public = _public_key(text)
        if key_id(public) == cast.signer:
            return public
    raise ReceiptError(
        f"{where} does not issue the credential {cast.signer} that signed the ballot"
    )


def _public_key(text: Any) -> bytes:
    try:
        return base64.b64decode(str(text), validate=True)
    except (binascii.Error, ValueError):
        raise EncodingError(f"credential key {text!r} is not base64") from None


__all__ = [
    "MissingEvidence",
    "ReceiptError",
    "VerifiedBallot",
    "VerifiedReceipt",
    "issued_key",
    "verify_ballot",
    "verify_receipt",
]
