"""Verify a campaign bundle offline: the log prefix, its checkpoints, rulebooks and publications.

Pure apart from reading the bundle's files through :class:`BundleFiles`: no
database, no network, no clock. The steps (docs/verification.md §8.3):

1. the manifest is JSON of a known format version, and names files the bundle has;
2. the log's verifier key is the trusted one (given by the caller, or the bundle's
   own ``log.vkey``, which must be the key genesis names);
3. the entries and checkpoints pass :func:`verifier.log.verify_log` with the
   domain policies (signatures, roles, chain, Merkle roots, checkpoint signatures,
   consistency, campaign and publication rules, draws) re-run;
4. every consistency proof file verifies between its two signed checkpoints;
5. every rulebook file is the document an adopt/revise entry of the campaign hashes;
6. every publication of the campaign is the ranking recomputed from the rulebook
   in force at its checkpoint (digest, rulebook, root), and its document and
   inclusion-proof files match the signed entry.

Any failure is recorded in the report with the entry index when there is one;
nothing raises out of :func:`verify_bundle`.
"""

from __future__ import annotations

import base64
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ledger import canonical, merkle
from ledger.errors import LedgerError
from ledger.note import (
    Checkpoint,
    NoteVerifier,
    open_checkpoint,
    parse_checkpoint,
    parse_tlog_proof,
    parse_verifier_key,
    verify_tlog_proof,
)
from projections.policy import default_policies
from projections.publication import publication_document
from projections.rulebook import rulebook_from_data, rulebook_hash
from verifier.bundle_files import BundleFiles
from verifier.bundle_format import BundleError, Manifest, parse_manifest
from verifier.log import Progress, rare_collections, verify_log
from verifier.recount import PublicationVerdict, Recount, check_publications
from verifier.report import Report


@dataclass
class BundleResult:
    """The report and what a reader needs besides it: the key trusted and the publications."""

    report: Report
    format: str | None = None
    log: str | None = None
    campaign: str | None = None
    trusted_key: str | None = None
    key_source: str | None = None
    publications: list[PublicationVerdict] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        out = self.report.to_json()
        out.update(
            {
                "bundle_format": self.format,
                "log": self.log,
                "campaign": self.campaign,
                "trusted_log_key": self.trusted_key,
                "log_key_source": self.key_source,
                "publications": [p.to_json() for p in self.publications],
            }
        )
        return out


def verify_bundle(
    files: BundleFiles,
    *,
    log_key: str | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
) -> BundleResult:
    """Check everything in a bundle; the result's report says what passed and what failed."""
    result = BundleResult(Report(subject=files.label))
    try:
        with rare_collections():
            _verify(files, result, log_key, workers, progress)
    except BundleError as exc:
        result.report.fail(result.log or "?", None, exc.check, str(exc))
    except Exception as exc:  # never a traceback, never a pass
        result.report.fail(
            result.log or "?",
            None,
            "internal",
            f"verification stopped on an unexpected {type(exc).__name__}: {exc}; "
            "the bundle is NOT verified (please report this)",
        )
    return result


def _verify(
    files: BundleFiles,
    result: BundleResult,
    log_key: str | None,
    workers: int | None,
    progress: Progress | None,
) -> None:
    report = result.report
    manifest = parse_manifest(files.read("bundle.json"))
    result.format, result.log, result.campaign = manifest.format, manifest.log, manifest.campaign
    log = manifest.log
    report.count("manifest")
    files.read(manifest.readme)  # named, so it must be there (no one's trust depends on it)
    verifier = _trusted_key(files, manifest, result, log_key)
    entries = _entries(files, manifest, report)
    _diagnose_order(entries, report, log)
    notes = [_text(files.read(c.file), c.file) for c in manifest.checkpoints]
    for ref, note in zip(manifest.checkpoints, notes, strict=True):
        _check_claimed_size(ref.file, ref.size, note)
    recount = Recount(manifest.campaign, (c.size for c in manifest.checkpoints))
    tree = verify_log(
        entries,
        notes,
        report=report,
        origin=log,
        log_key=result.trusted_key,
        workers=workers,
        progress=progress,
        policies=[*default_policies(), recount],
    )
    recount.finish(tree.size)
    checkpoints = _open_all(notes, verifier, log)
    _check_consistency_files(files, manifest, checkpoints, report)
    if not recount.rulebooks:
        report.fail(
            log, None, "campaign", f"the bundle's log has no rulebook for {manifest.campaign!r}"
        )
    _check_rulebook_files(files, manifest, recount, report)
    result.publications = check_publications(
        recount, tree, [c.size for c in manifest.checkpoints], report, log
    )
    failed = {note for note in notes if note not in {c.note for c in checkpoints.values()}}
    _check_publication_files(files, manifest, recount, verifier, failed, report)


# -- step helpers ------------------------------------------------------------------------


def _text(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BundleError("files", f"{name} is not UTF-8 text (byte {exc.start})") from None


def _trusted_key(
    files: BundleFiles, manifest: Manifest, result: BundleResult, given: str | None
) -> NoteVerifier:
    bundled = _text(files.read(manifest.log_key), manifest.log_key).strip()
    if given is None:
        try:
            own = parse_verifier_key(bundled)
        except LedgerError as exc:
            raise BundleError("log key", f"{manifest.log_key}: {exc}") from None
        result.trusted_key, result.key_source = bundled, f"the bundle's {manifest.log_key}"
        return own
    try:
        trusted = parse_verifier_key(given)
    except LedgerError as exc:
        raise BundleError("log key", f"the trusted log key given is malformed: {exc}") from None
    result.trusted_key, result.key_source = given, "given by the caller"
    if bundled != given:
        result.report.fail(
            manifest.log,
            None,
            "log key",
            f"the bundle's {manifest.log_key} ({bundled}) is not the trusted key ({given})",
        )
    return trusted


def _entries(files: BundleFiles, manifest: Manifest, report: Report) -> list[bytes]:
    name = manifest.entries.file
    data = files.read(name)
    lines = data.split(b"\n")
    if lines[-1] == b"":
        lines.pop()
    elif data:
        report.fail(
            manifest.log,
            len(lines) - 1,
            "entries",
            f"{name} ends in the middle of entry {len(lines) - 1} (no final newline): "
            "the file was cut short",
        )
    if len(lines) != manifest.entries.count:
        report.fail(
            manifest.log,
            min(len(lines), manifest.entries.count),
            "entries",
            f"{name} holds {len(lines)} entries, the manifest and the last checkpoint say "
            f"{manifest.entries.count}"
            + (": the bundle is truncated" if len(lines) < manifest.entries.count else ""),
        )
    return lines


_INDEX = re.compile(rb'\{"index":(0|[1-9][0-9]{0,15}),')
_HASH_LINE = re.compile(r"[A-Za-z0-9+/]{43}=")


def _diagnose_order(lines: Sequence[bytes], report: Report, log: str) -> None:
    """Name the first entry out of place precisely: missing, swapped, moved or repeated.

    ``verify_log`` reports every position whose entry has the wrong index; this
    says what happened at the first one, reading only the index of each line.
    """
    indices = []
    for line in lines:
        match = _INDEX.match(line)
        indices.append(int(match.group(1)) if match else None)
    first = next((p for p, q in enumerate(indices) if q is not None and q != p), None)
    if first is None:
        return
    held = indices[first]
    assert held is not None
    found = {q: p for p, q in reversed(list(enumerate(indices))) if q is not None}
    at = found.get(first)
    if at is None and held > first:
        gap = (
            f"entry {first} is missing"
            if held == first + 1
            else f"entries {first}..{held - 1} are missing"
        )
        message = f"{gap}: position {first} holds entry {held}"
    elif at is not None and at == held and indices[held] == first:
        message = f"entries {first} and {held} are swapped: each is at the other's position"
    elif at is not None:
        message = (
            f"entry {first} is at position {at}; position {first} holds entry {held} (out of order)"
        )
    else:
        message = f"position {first} holds entry {held} a second time (duplicated)"
    report.fail(log, first, "index", message)


def _check_claimed_size(name: str, size: int, note: str) -> None:
    try:
        claimed = parse_checkpoint(note[: note.rfind("\n\n") + 1]).size
    except LedgerError as exc:
        raise BundleError("checkpoint", f"{name}: {exc}") from None
    if claimed != size:
        raise BundleError(
            "manifest", f"{name} holds a checkpoint of size {claimed}, the manifest says {size}"
        )


@dataclass(frozen=True)
class _Opened:
    note: str
    checkpoint: Checkpoint

    @property
    def root(self) -> bytes:
        return self.checkpoint.root


def _open_all(notes: Sequence[str], verifier: NoteVerifier, log: str) -> dict[int, _Opened]:
    opened = {}
    for note in notes:
        try:
            checkpoint = open_checkpoint(note, [verifier], origin=log)
        except LedgerError:
            continue  # verify_log has reported it
        opened[checkpoint.size] = _Opened(note, checkpoint)
    return opened


def _check_consistency_files(
    files: BundleFiles, manifest: Manifest, opened: dict[int, _Opened], report: Report
) -> None:
    sizes = [c.size for c in manifest.checkpoints]
    wanted = set(itertools.pairwise(sizes))
    given = {(c.size1, c.size2): c.file for c in manifest.consistency}
    for pair in sorted(wanted - set(given)):
        report.fail(
            manifest.log,
            None,
            "consistency file",
            f"no consistency proof from {pair[0]} to {pair[1]}",
        )
    for (size1, size2), name in sorted(given.items()):
        first, second = opened.get(size1), opened.get(size2)
        if first is None or second is None:
            if size1 not in sizes or size2 not in sizes:
                report.fail(
                    manifest.log,
                    None,
                    "consistency file",
                    f"{name}: the bundle has no checkpoint at size "
                    f"{size1 if size1 not in sizes else size2}",
                )
            continue  # otherwise that checkpoint did not verify, which is already reported
        try:
            proof = _proof_hashes(_text(files.read(name), name))
            merkle.verify_consistency(size1, size2, proof, first.root, second.root)
        except (LedgerError, ValueError) as exc:
            report.fail(manifest.log, None, "consistency file", f"{name}: {exc}")
            continue
        report.count("consistency proof files")


def _proof_hashes(text: str) -> list[bytes]:
    """A proof file: one standard base64 SHA-256 hash per line, each line ending in "\n"."""
    if text and not text.endswith("\n"):
        raise ValueError("the last line does not end in a newline")
    hashes = []
    for number, line in enumerate(text.split("\n")[:-1], start=1):
        if not _HASH_LINE.fullmatch(line) or base64.b64encode(base64.b64decode(line)) != (
            line.encode()
        ):
            raise ValueError(f"line {number} is not one base64 SHA-256 hash")
        hashes.append(base64.b64decode(line))
    return hashes


def _check_rulebook_files(
    files: BundleFiles, manifest: Manifest, recount: Recount, report: Report
) -> None:
    in_log = {e.index: e for e in recount.rulebooks}
    listed = {r.index for r in manifest.rulebooks}
    for index in sorted(set(in_log) - listed):
        report.fail(
            manifest.log,
            index,
            "rulebook",
            f"{manifest.campaign}'s rulebook entry is not in the bundle's list",
        )
    for ref in manifest.rulebooks:
        entry = in_log.get(ref.index)
        if entry is None:
            report.fail(
                manifest.log,
                ref.index,
                "rulebook",
                f"{ref.file}: entry {ref.index} is no rulebook entry of campaign {manifest.campaign!r}",
            )
            continue
        data = files.read(ref.file)
        digest = "sha256:" + canonical.sha256_hex(data)
        problem = None
        if entry.payload.get("hash") != ref.hash:
            problem = f"the manifest says {ref.hash}, entry {ref.index} adopts {entry.payload.get('hash')}"
        elif digest != ref.hash:
            problem = (
                f"the file hashes to {digest}, not {ref.hash} (adopted by entry {ref.index}): "
                "it is not the rulebook the campaign adopted"
            )
        else:
            try:
                parsed = rulebook_from_data(canonical.parse_json(data, ref.file))
                if rulebook_hash(parsed) != ref.hash:
                    problem = "the file is not the canonical form of the adopted rulebook"
            except Exception as exc:
                problem = f"the file is not a valid rulebook: {exc}"
        if problem is None:
            report.count("rulebook documents")
        else:
            report.fail(manifest.log, ref.index, "rulebook", f"{ref.file}: {problem}")


def _check_publication_files(
    files: BundleFiles,
    manifest: Manifest,
    recount: Recount,
    verifier: NoteVerifier,
    failed_notes: set[str],
    report: Report,
) -> None:
    in_log = {e.index: e for e in recount.publications}
    listed = {p.index for p in manifest.publications}
    for index in sorted(set(in_log) - listed):
        report.fail(
            manifest.log, index, "publication files", "this publication is not in the bundle's list"
        )
    for ref in manifest.publications:
        entry = in_log.get(ref.index)
        if entry is None or entry.id != ref.entry:
            report.fail(
                manifest.log,
                ref.index,
                "publication files",
                f"the manifest lists publication {ref.entry} at entry {ref.index}; "
                f"the log has no such publication of campaign {manifest.campaign!r}",
            )
            continue
        expected = canonical.canonical(
            publication_document(
                origin=manifest.log,
                index=entry.index,
                entry_hash=entry.hash,
                statement=entry.statement,
            )
        )
        if files.read(ref.document) != expected:
            report.fail(
                manifest.log,
                ref.index,
                "publication files",
                f"{ref.document} is not the canonical document of the signed publication",
            )
            continue
        try:
            text = _text(files.read(ref.proof), ref.proof)
            proof = parse_tlog_proof(text)
            if proof.index != entry.index:
                raise BundleError("", f"it proves entry {proof.index}, not {entry.index}")
            if proof.extra is not None and proof.extra != entry.raw:
                raise BundleError("", "its extra data is not the entry's bytes")
            if proof.checkpoint in failed_notes:
                continue  # the checkpoint it uses did not verify: already reported
            verify_tlog_proof(text, merkle.leaf_hash(entry.raw), [verifier], origin=manifest.log)
        except (LedgerError, BundleError) as exc:
            report.fail(manifest.log, ref.index, "inclusion proof", f"{ref.proof}: {exc}")
            continue
        report.count("inclusion proofs")


__all__ = ["BundleResult", "verify_bundle"]
