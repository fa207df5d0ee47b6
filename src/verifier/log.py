"""Verify one log from its entry bytes and signed checkpoints alone.

No database, no network, no clock. The steps (docs/verification.md):

1. entry i has the canonical layout, says index i, and links to the hash of entry i-1;
2. its statement is canonical JSON of a known type with a valid payload, for this log,
   with an id no earlier entry used, and follows the entry its author pinned (``prev``);
3. its signer was registered, not revoked and allowed that type at index i
   (the key registry is replayed from the log itself; entry 0 is genesis), and
   the domain policies given (e.g. campaign rules) accept it;
4. its Ed25519 signature verifies (checked by worker processes while the entries
   after it are read, see :mod:`verifier.signatures`);
5. every checkpoint is signed by the log key genesis names, covers no more entries
   than there are, has the Merkle root of that prefix, and is consistent with the
   checkpoint before it (RFC 9162 consistency proof, verified).
"""

from __future__ import annotations

import base64
import gc
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager

from ledger import canonical, merkle
from ledger.entry import Entry, validate_statement
from ledger.errors import LedgerError
from ledger.note import NoteVerifier, open_checkpoint, parse_verifier_key
from ledger.registry import KeyRegistry
from ledger.state import Policy
from verifier import signatures
from verifier.report import Report

Progress = Callable[[int], None]


def verify_log(
    entries: Iterable[bytes],
    checkpoints: Sequence[str],
    *,
    report: Report,
    origin: str | None = None,
    log_key: str | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
    policies: Sequence[Policy] = (),
) -> merkle.MerkleTree:
    """Check a log; record counts and failures in ``report``; return its Merkle tree.

    ``origin`` and ``log_key`` pin what the caller already trusts; without them
    the log's own genesis is taken as the trust anchor.
    """
    with rare_collections(), signatures.Checks(workers) as checks:
        return _verify(
            entries, checkpoints, report, origin, log_key, checks, progress, tuple(policies)
        )


@contextmanager
def rare_collections() -> Iterator[None]:
    """Run the cycle collector ~70 times less often during the pass, then as before.

    A pass keeps most of what it allocates (the registry, the tree, the policies'
    facts), and with the default thresholds the collector walks that growing heap
    again and again: about 15% of the main process's time on a 100,000-entry
    bundle. The pass makes few reference cycles, so memory does not grow by it.
    Recomputing rankings afterwards allocates a fact wrapper per fact over that
    heap: :func:`verifier.bundle.verify_bundle` runs under it too (nesting is fine).
    """
    before = gc.get_threshold()
    gc.set_threshold(50_000, 20, 100)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def _verify(
    entries: Iterable[bytes],
    checkpoints: Sequence[str],
    report: Report,
    origin: str | None,
    log_key: str | None,
    checks: signatures.Checks,
    progress: Progress | None,
    policies: tuple[Policy, ...],
) -> merkle.MerkleTree:
    name = origin or "?"
    registry = KeyRegistry()
    tree = merkle.MerkleTree()
    head = canonical.GENESIS_PREV
    size = links = roles = 0
    ids: dict[str, int] = {}  # statement id -> the entry that used it first
    for position, raw in enumerate(entries):
        size = position + 1
        tree.append(merkle.leaf_hash(raw))
        if progress is not None and position % 1000 == 0:
            progress(position)
        try:
            index, prev, signature, statement_bytes = canonical.split_entry(raw)
        except LedgerError as exc:
            report.fail(name, position, "encoding", str(exc))
            head = canonical.sha256_hex(raw)
            continue
        if index != position:
            what = "missing" if index > position else "out of order or duplicated"
            report.fail(
                name,
                position,
                "index",
                f"the entry at position {position} says index {index}: entries are {what}",
            )
        if prev != head:
            report.fail(
                name,
                position,
                "chain",
                f"prev is {prev[:16]}… but entry {position - 1} hashes to {head[:16]}…",
            )
        head = canonical.sha256_hex(raw)
        links += 1
        try:
            statement = canonical.check_canonical(statement_bytes)
            validate_statement(statement)
        except LedgerError as exc:
            report.fail(name, position, "statement", str(exc))
            continue
        if position == 0:
            if statement["type"] != "genesis":
                report.fail(name, 0, "genesis", "entry 0 is not a genesis entry")
                continue
            if origin is not None and statement["log"] != origin:
                report.fail(name, 0, "genesis", f"genesis is for log {statement['log']!r}")
            name = origin = str(statement["log"])
            if log_key is not None and statement["payload"]["log_key"] != log_key:
                report.fail(
                    name,
                    0,
                    "genesis",
                    f"genesis names the checkpoint key {statement['payload']['log_key']}, not "
                    f"the trusted key {log_key}",
                )
            log_key = log_key or str(statement["payload"]["log_key"])
        elif statement["log"] != origin:
            report.fail(name, position, "statement", f"statement is for log {statement['log']!r}")
            continue
        pinned = statement.get("prev")
        if pinned is not None and pinned != prev:
            report.fail(
                name,
                position,
                "statement",
                f"its author signed it to follow the entry hashing to {pinned[:16]}…, but it "
                f"follows {prev[:16]}…: it was placed where its author did not sign it",
            )
            continue
        earlier = ids.setdefault(statement["id"], position)
        if earlier != position:
            report.fail(
                name,
                position,
                "statement",
                f"entry id {statement['id']} is already entry {earlier}: an id is used once",
            )
            continue
        refused = False
        try:
            registry.authorize(
                statement["type"], statement["signer"], statement["payload"], position
            )
        except LedgerError as exc:
            report.fail(name, position, "authority", str(exc))
            refused = True
        if policies and not refused:
            entry = Entry(position, prev, signature, statement, statement_bytes, raw)
            try:
                for policy in policies:
                    policy.check(entry.submission, position)
            except LedgerError as exc:
                report.fail(name, position, "policy", str(exc))
                refused = True
            else:
                for policy in policies:
                    policy.apply(entry)
        public = (
            base64.b64decode(statement["payload"]["root_key"])
            if statement["type"] == "genesis"
            else registry.public_key(statement["signer"])
        )
        if public is not None:  # a refused entry is checked too: changed bytes are named so
            message = canonical.statement_message_from_bytes(statement_bytes)
            checks.add(position, public, base64.b64decode(signature), message)
        if refused:
            continue
        registry.apply(statement["type"], statement["payload"], position, statement["signer"])
        roles += 1
    if links:
        report.count("chain links", links)
    if roles:
        report.count("roles", roles)
    report.count("entries", size)
    for bad in checks.failing():
        report.fail(name, bad, "signature", "the author's Ed25519 signature does not verify")
    report.count("signatures", checks.count)
    if size == 0:
        report.fail(name, None, "genesis", "the log is empty")
        return tree
    _verify_checkpoints(name, tree, checkpoints, log_key, report)
    return tree


def _verify_checkpoints(
    name: str, tree: merkle.MerkleTree, notes: Sequence[str], log_key: str | None, report: Report
) -> None:
    if log_key is None:
        report.fail(name, None, "checkpoint", "no checkpoint key: the log has no valid genesis")
        return
    try:
        verifier: NoteVerifier = parse_verifier_key(log_key)
    except LedgerError as exc:
        report.fail(name, 0, "genesis", f"the checkpoint key in genesis is malformed: {exc}")
        return
    previous: tuple[int, bytes] | None = None
    for note in notes:
        try:
            checkpoint = open_checkpoint(note, [verifier], origin=name)
        except LedgerError as exc:
            report.fail(name, None, "checkpoint", f"a checkpoint does not verify: {exc}")
            continue
        label = f"checkpoint at size {checkpoint.size}"
        if checkpoint.size > tree.size:
            report.fail(
                name,
                tree.size,
                "checkpoint",
                f"{label} but the log has only {tree.size} entries: entries "
                f"{tree.size}..{checkpoint.size - 1} are missing (truncated tail)",
            )
            continue
        if tree.root(checkpoint.size) != checkpoint.root:
            report.fail(
                name,
                None,
                "checkpoint",
                f"{label}: the Merkle root of the first {checkpoint.size} entries is not the "
                "signed root (entries were changed after it was signed)",
            )
            continue
        if previous is not None and previous[0] <= checkpoint.size:
            proof = tree.consistency_proof(previous[0], checkpoint.size)
            try:
                merkle.verify_consistency(
                    previous[0], checkpoint.size, proof, previous[1], checkpoint.root
                )
            except LedgerError as exc:
                report.fail(name, None, "consistency", f"{label}: {exc}")
                continue
            report.count("consistency proofs")
        previous = (checkpoint.size, checkpoint.root)
        report.count("checkpoints")
