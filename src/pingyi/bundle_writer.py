"""Writing a campaign bundle (format ``pingyi.bundle/1``) from a log's entries and checkpoints.

Used by ``pingyi export`` (from a store) and by ``tests/vectors/bundles/generate.py``
(from a log built in memory). The layout and every check a verifier makes are in
docs/verification.md §8; the verifier is :mod:`verifier.bundle`.

The bundle is a directory, or the same files in a ``.zip`` / ``.tar.gz`` (``.tgz``,
``.tar``) archive, members sorted by name with fixed times so that the same log
gives the same archive bytes.
"""

from __future__ import annotations

import base64
import gzip
import io
import itertools
import json
import shutil
import tarfile
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from ledger import canonical, merkle
from ledger.entry import Entry
from ledger.note import format_tlog_proof, open_checkpoint, parse_verifier_key
from projections.publication import PUBLISH, publication_document
from projections.rulebook import rulebook_bytes, rulebook_from_data
from verifier.bundle_files import ARCHIVE_SUFFIXES
from verifier.bundle_format import BUNDLE_FORMAT, MANIFEST, Layout

_RULEBOOK_TYPES = ("rulebook.adopt", "rulebook.revise")
# Exact in canonical entry bytes: these byte strings occur only as a real "type" member.
_WANTED = tuple(f'"type":"{t}"'.encode() for t in (*_RULEBOOK_TYPES, PUBLISH))
_ARCHIVE_TIME = (2000, 1, 1, 0, 0, 0)

README = """\
评议 pingyi 核验包 — verification bundle
========================================

日志 Log:        {origin}
活动 Campaign:   {campaign}
条目 Entries:    {count} (indices 0..{last}), up to the last signed checkpoint
检查点 Checkpoints: {checkpoints}
公示 Publications: {publications}
日志公钥 Log verifier key (C2SP vkey):
    {vkey}

这是什么 What this is
--------------------
A self-contained copy of the log up to a signed checkpoint: every entry the
campaign's ranking depends on, with the key and role entries that authorise
their signers, the signed checkpoints, the rulebook(s) the campaign adopted and
the rankings the office published. Anyone can check it offline, without
trusting the office, its server or its database.

如何核验 How to verify
---------------------
1. Get the log's verifier key from a source you trust (the office's website,
   a newspaper, a printed publication) and compare it with the key above.
2. Run (no network, no database):

       pingyi verify THIS-BUNDLE --vkey '{vkey}'

   It checks every signature, role, hash-chain link, Merkle root, checkpoint
   signature and consistency proof, re-runs the campaign rules (including
   random draws), recomputes every published ranking from the rulebook at its
   checkpoint and compares it with the published digest. Exit status 0 means
   everything passed; otherwise the first failure is named.
3. Without pingyi: docs/verification.md in the pingyi source specifies every
   byte, so a second implementation can be written from this bundle alone. A
   few checks need only standard tools, e.g.
       sha256sum rulebooks/*.json     (each file is named by its SHA-256)
       sed -n 5p entries.ndjson | tr -d '\\n' | sha256sum
                                      (= the "prev" of line 6: the hash chain)

文件 Files
---------
bundle.json         manifest (format {format}): where every file is
entries.ndjson      the exact entry bytes, one entry per line, index order
checkpoints/*.note  signed checkpoints (C2SP tlog-checkpoint / signed-note)
consistency/*.proof RFC 9162 consistency proofs between consecutive checkpoints
                    (one base64 hash per line)
rulebooks/*.json    the rulebook documents (RFC 8785 canonical JSON)
publications/*.json the published documents (pingyi.publication/1); the digest is
                    SHA-256 of the canonical bytes of their "ranking" member
publications/*.tlog-proof  C2SP tlog-proof of each publication entry against the
                    last checkpoint; its "extra" line is the entry's bytes (base64)
log.vkey            the log's verifier key (C2SP vkey)
"""


class BundleWriteError(Exception):
    """The log cannot be written as a bundle (e.g. a checkpoint that does not match its entries)."""


def write_bundle(
    out: Path,
    *,
    origin: str,
    campaign: str,
    log_key: str,
    entries: Iterable[bytes],
    checkpoints: Sequence[str],
    progress: Callable[[int], None] | None = None,
    generator: str = "pingyi",
) -> dict[str, Any]:
    """Write the bundle for ``campaign`` to ``out`` (a new directory, or an archive name).

    ``checkpoints`` are signed notes by increasing size; the bundle holds the
    entries up to the last one. Returns the manifest written.
    """
    if not checkpoints:
        raise BundleWriteError("the log has no signed checkpoint yet; sign one first")
    if out.name.lower().endswith(ARCHIVE_SUFFIXES):
        with tempfile.TemporaryDirectory(prefix="pingyi-bundle-") as tmp:
            manifest = write_bundle(
                Path(tmp) / "bundle",
                origin=origin,
                campaign=campaign,
                log_key=log_key,
                entries=entries,
                checkpoints=checkpoints,
                progress=progress,
                generator=generator,
            )
            pack(Path(tmp) / "bundle", out)
            return manifest
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise BundleWriteError(f"{out} exists and is not an empty directory; choose a new one")
    try:
        return _write_directory(
            out,
            origin=origin,
            campaign=campaign,
            log_key=log_key,
            entries=entries,
            checkpoints=checkpoints,
            progress=progress,
            generator=generator,
        )
    except BaseException:
        shutil.rmtree(out, ignore_errors=True)  # never leave half a bundle behind
        raise


def _write_directory(
    out: Path,
    *,
    origin: str,
    campaign: str,
    log_key: str,
    entries: Iterable[bytes],
    checkpoints: Sequence[str],
    progress: Callable[[int], None] | None,
    generator: str,
) -> dict[str, Any]:
    verifier = parse_verifier_key(log_key)
    opened = [open_checkpoint(note, [verifier], origin=origin) for note in checkpoints]
    sizes = [c.size for c in opened]
    if sizes != sorted(set(sizes)):
        raise BundleWriteError(f"checkpoint sizes must increase, got {sizes}")
    layout = Layout()
    out.mkdir(parents=True, exist_ok=True)
    tree, found = _write_entries(out / layout.entries, entries, sizes[-1], progress)
    for checkpoint, note in zip(opened, checkpoints, strict=True):
        if tree.root(checkpoint.size) != checkpoint.root:
            raise BundleWriteError(
                f"the checkpoint at size {checkpoint.size} does not match the log's entries; "
                "run `pingyi verify`"
            )
        _write(out, layout.checkpoint(checkpoint.size), note.encode())
    consistency = []
    for size1, size2 in itertools.pairwise(sizes):
        proof = tree.consistency_proof(size1, size2)
        name = layout.consistency(size1, size2)
        _write(out, name, "".join(base64.b64encode(h).decode() + "\n" for h in proof).encode())
        consistency.append({"size1": size1, "size2": size2, "file": name})
    rulebooks, publications = [], []
    for entry in found:
        if entry.payload.get("campaign") != campaign:
            continue
        if entry.type in _RULEBOOK_TYPES:
            name = layout.rulebook(str(entry.payload["hash"]))
            _write(out, name, rulebook_bytes(rulebook_from_data(entry.payload["rulebook"])))
            rulebooks.append({"hash": entry.payload["hash"], "index": entry.index, "file": name})
        else:
            document, proof_name = layout.publication(entry.index)
            _write(out, document, _publication_bytes(origin, entry))
            receipt = format_tlog_proof(
                entry.index,
                tree.inclusion_proof(entry.index, sizes[-1]),
                checkpoints[-1],
                extra=entry.raw,
            )
            _write(out, proof_name, receipt.encode())
            publications.append(
                {"index": entry.index, "entry": entry.id, "document": document, "proof": proof_name}
            )
    if not rulebooks:
        raise BundleWriteError(
            f"campaign {campaign!r} adopted no rulebook in the first {sizes[-1]} entries of the log"
        )
    _write(out, layout.log_key, (log_key + "\n").encode())
    manifest: dict[str, Any] = {
        "format": BUNDLE_FORMAT,
        "generator": generator,
        "log": origin,
        "campaign": campaign,
        "log_key": layout.log_key,
        "readme": layout.readme,
        "entries": {"file": layout.entries, "count": sizes[-1]},
        "checkpoints": [{"size": s, "file": layout.checkpoint(s)} for s in sizes],
        "consistency": consistency,
        "rulebooks": rulebooks,
        "publications": publications,
    }
    readme = README.format(
        origin=origin,
        campaign=campaign,
        count=sizes[-1],
        last=sizes[-1] - 1,
        checkpoints=", ".join(str(s) for s in sizes),
        publications=", ".join(f"entry {p['index']}" for p in publications) or "none",
        vkey=log_key,
        format=BUNDLE_FORMAT,
    )
    _write(out, layout.readme, readme.encode())
    text = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    _write(out, MANIFEST, text.encode())
    return manifest


def _publication_bytes(origin: str, entry: Entry) -> bytes:
    return canonical.canonical(
        publication_document(
            origin=origin, index=entry.index, entry_hash=entry.hash, statement=entry.statement
        )
    )


def _write_entries(
    path: Path, entries: Iterable[bytes], size: int, progress: Callable[[int], None] | None
) -> tuple[merkle.MerkleTree, list[Entry]]:
    tree = merkle.MerkleTree()
    found: list[Entry] = []
    with path.open("wb") as out:
        for raw in entries:
            if tree.size == size:
                break
            if b"\n" in raw:
                raise BundleWriteError(f"entry {tree.size} holds a newline: not canonical bytes")
            out.write(raw + b"\n")
            if any(marker in raw for marker in _WANTED):
                entry = Entry.from_bytes(raw)
                if entry.type in (*_RULEBOOK_TYPES, PUBLISH):
                    found.append(entry)
            tree.append(merkle.leaf_hash(raw))
            if progress is not None and tree.size % 1000 == 0:
                progress(tree.size)
    if tree.size < size:
        raise BundleWriteError(
            f"the log has {tree.size} entries, fewer than its checkpoint ({size})"
        )
    if progress is not None:
        progress(tree.size)
    return tree, found


def _write(root: Path, name: str, data: bytes) -> None:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def pack(directory: Path, out: Path) -> None:
    """Archive a bundle directory reproducibly: sorted members at the root, fixed times."""
    names = sorted(p.relative_to(directory).as_posix() for p in directory.rglob("*") if p.is_file())
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.name.lower().endswith(".zip"):
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name in names:
                info = zipfile.ZipInfo(name, date_time=_ARCHIVE_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                archive.writestr(info, (directory / name).read_bytes())
        return
    with out.open("wb") as raw:
        if out.name.lower().endswith(".tar"):
            _tar(directory, names, raw)
        else:
            with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as zipped:
                _tar(directory, names, zipped)


def _tar(directory: Path, names: Sequence[str], target: Any) -> None:
    with tarfile.open(fileobj=target, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for name in names:
            data = (directory / name).read_bytes()
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = len(data), 946684800, 0o644
            archive.addfile(info, io.BytesIO(data))


__all__ = ["README", "BundleWriteError", "pack", "write_bundle"]
