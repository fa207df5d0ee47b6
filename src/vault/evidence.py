"""Evidence files of inspection findings, stored by content hash.

The log holds only an evidence file's SHA-256 (and size); the file itself
lives here, as ``<dir>/<first two hex digits>/<full hash>``, written
atomically (temporary file, fsync, rename) and left read-only. Every read
re-hashes the content, so a file changed on disk is reported, never served.
The directory is ``PINGYI_EVIDENCE_DIR``, else ``./evidence``.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from vault.errors import EvidenceError

__all__ = ["DEFAULT_EVIDENCE_DIR", "EVIDENCE_ENV", "Evidence", "EvidenceStore"]

EVIDENCE_ENV = "PINGYI_EVIDENCE_DIR"
DEFAULT_EVIDENCE_DIR = "evidence"
_HASH = re.compile(r"[0-9a-f]{64}")
_CHUNK = 1 << 20
_TEMP_PREFIX = ".incoming-"


@dataclass(frozen=True)
class Evidence:
    """A stored evidence file: what the log records of it."""

    sha256: str
    size: int


def _checked(sha256: object) -> str:
    if not isinstance(sha256, str) or not _HASH.fullmatch(sha256):
        raise EvidenceError(
            f"{sha256!r} is not an evidence hash; give the SHA-256 as 64 lowercase hex digits"
        )
    return sha256


def _chunks(stream: BinaryIO) -> Iterator[bytes]:
    while chunk := stream.read(_CHUNK):
        yield chunk


class EvidenceStore:
    """Content-addressed evidence files in one directory."""

    def __init__(self, directory: str | os.PathLike[str] | None = None) -> None:
        self.root = Path(directory or os.environ.get(EVIDENCE_ENV) or DEFAULT_EVIDENCE_DIR)

    def path(self, sha256: str) -> Path:
        """Where the file with this hash is (or would be) stored."""
        digest = _checked(sha256)
        return self.root / digest[:2] / digest

    def put(self, data: bytes) -> Evidence:
        """Store bytes; storing the same bytes again is harmless."""
        return self._store([bytes(data)])

    def put_file(self, path: str | os.PathLike[str]) -> Evidence:
        """Store a file's content, read in chunks."""
        try:
            with open(path, "rb") as source:
                return self._store(_chunks(source))
        except OSError as exc:
            raise EvidenceError(f"cannot read {os.fspath(path)!r}: {exc.strerror or exc}") from exc

    def get(self, sha256: str) -> bytes:
        """The file's bytes, after checking that they still hash to ``sha256``."""
        target = self.path(sha256)
        try:
            data = target.read_bytes()
        except FileNotFoundError:
            raise self._missing(sha256) from None
        except OSError as exc:
            raise EvidenceError(f"cannot read evidence file {sha256}: {exc.strerror}") from exc
        actual = hashlib.sha256(data).hexdigest()
        if actual != sha256:
            raise self._corrupt(sha256, actual)
        return data

    def check(self, sha256: str, size: int | None = None) -> None:
        """Return if the file is present with this hash (and size); raise EvidenceError otherwise."""
        target = self.path(sha256)
        digest = hashlib.sha256()
        length = 0
        try:
            with target.open("rb") as stream:
                for chunk in _chunks(stream):
                    digest.update(chunk)
                    length += len(chunk)
        except FileNotFoundError:
            raise self._missing(sha256) from None
        except OSError as exc:
            raise EvidenceError(f"cannot read evidence file {sha256}: {exc.strerror}") from exc
        if digest.hexdigest() != sha256:
            raise self._corrupt(sha256, digest.hexdigest())
        if size is not None and length != size:
            raise EvidenceError(
                f"evidence file {sha256} has {length} bytes but the log records {size}; "
                "the log entry is wrong: correct it with a new entry"
            )

    def has(self, sha256: str) -> bool:
        """Whether a file with this hash is present (not whether it is intact: see check)."""
        return self.path(sha256).is_file()

    def _missing(self, sha256: str) -> EvidenceError:
        return EvidenceError(
            f"evidence file {sha256} is missing from {self.root}; "
            "restore it from a backup or ask the inspector who recorded it"
        )

    def _corrupt(self, sha256: str, actual: str) -> EvidenceError:
        return EvidenceError(
            f"evidence file {sha256} is corrupt: its content hashes to {actual}; "
            "move it aside for inspection and restore the original from a backup"
        )

    def _store(self, chunks: Iterator[bytes] | list[bytes]) -> Evidence:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(prefix=_TEMP_PREFIX, dir=self.root)
        except OSError as exc:
            raise EvidenceError(
                f"cannot write to the evidence directory {self.root}: {exc.strerror or exc}; "
                f"check it exists and is writable (or set {EVIDENCE_ENV})"
            ) from exc
        try:
            digest = hashlib.sha256()
            size = 0
            with os.fdopen(fd, "wb") as out:
                for chunk in chunks:
                    digest.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            evidence = Evidence(digest.hexdigest(), size)
            target = self.path(evidence.sha256)
            if target.exists():
                self.check(evidence.sha256, size)  # already stored: it must be intact
                return evidence
            target.parent.mkdir(exist_ok=True)
            os.chmod(temp, 0o444)
            os.replace(temp, target)
            _sync_directory(target.parent)
            return evidence
        except OSError as exc:
            raise EvidenceError(
                f"cannot store evidence in {self.root}: {exc.strerror or exc}; "
                "check the directory is writable and the disk is not full"
            ) from exc
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp)


def _sync_directory(directory: Path) -> None:
    """Make a rename durable (POSIX); a no-op where directories cannot be opened."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def check_submission_evidence(type_: str, payload: Mapping[str, Any], store: EvidenceStore) -> None:
    """Refuse an entry naming evidence the store does not hold with exactly that hash and size.

    Called on the append path (CLI and API) before an entry that carries ``evidence``
    reaches the log, so the log never names a file nobody can produce.
    """
    for n, item in enumerate(payload.get("evidence") or ()):
        try:
            store.check(str(item["sha256"]), int(item["size"]))
        except EvidenceError as err:
            raise EvidenceError(
                f"{type_} statement.payload.evidence[{n}] ({item.get('name')}): {err}; "
                "upload the file to the evidence store before submitting the entry"
            ) from None
