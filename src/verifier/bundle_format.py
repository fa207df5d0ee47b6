"""The bundle manifest (``bundle.json``, format ``pingyi.bundle/1``): parse it strictly.

A bundle is a set of files named by its manifest (docs/verification.md §8 is
the normative text)::

    {"format": "pingyi.bundle/1", "log": ORIGIN, "campaign": CODE,
     "log_key": "log.vkey", "readme": "README.txt",
     "entries": {"file": "entries.ndjson", "count": N},
     "checkpoints": [{"size": n, "file": "checkpoints/<n>.note"}, ...],
     "consistency": [{"size1": a, "size2": b, "file": "consistency/<a>-<b>.proof"}, ...],
     "rulebooks": [{"hash": "sha256:...", "index": i, "file": "rulebooks/<hex>.json"}, ...],
     "publications": [{"index": i, "entry": ID, "document": "publications/<i>.json",
                       "proof": "publications/<i>.tlog-proof"}, ...]}

The manifest is not signed: it only says where the files are. Everything it
claims is checked against the signed entries and checkpoints.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from ledger.canonical import parse_json
from ledger.entry import describe
from ledger.errors import LedgerError

BUNDLE_FORMAT = "pingyi.bundle/1"
MANIFEST = "bundle.json"

#: A relative path inside the bundle: up to 4 segments, none starting with a dot.
FileName = Annotated[
    str,
    StringConstraints(
        pattern=r"^[A-Za-z0-9_-][A-Za-z0-9._-]{0,119}(/[A-Za-z0-9_-][A-Za-z0-9._-]{0,119}){0,3}$"
    ),
]
Size = Annotated[int, Field(ge=1, le=2**53 - 1)]
Index = Annotated[int, Field(ge=0, le=2**53 - 1)]


class BundleError(Exception):
    """A bundle that cannot be read as one: ``check`` names the check, ``str()`` says what to do."""

    def __init__(self, check: str, message: str) -> None:
        super().__init__(message)
        self.check = check


class _Model(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class EntriesFile(_Model):
    file: FileName
    count: Size


class CheckpointFile(_Model):
    size: Size
    file: FileName


class ConsistencyFile(_Model):
    size1: Size
    size2: Size
    file: FileName


class RulebookFile(_Model):
    hash: Annotated[str, StringConstraints(pattern=r"^sha256:[0-9a-f]{64}$")]
    index: Index
    file: FileName


class PublicationFiles(_Model):
    index: Index
    entry: Annotated[str, StringConstraints(pattern=r"^[0-9a-f-]{36}$")]
    document: FileName
    proof: FileName


class Manifest(_Model):
    """What ``bundle.json`` says; see the module docstring."""

    format: str
    log: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    campaign: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    log_key: FileName
    readme: FileName
    entries: EntriesFile
    checkpoints: Annotated[list[CheckpointFile], Field(min_length=1)]
    consistency: list[ConsistencyFile]
    rulebooks: list[RulebookFile]
    publications: list[PublicationFiles]
    generator: str | None = None


@dataclass(frozen=True)
class Layout:
    """Where the writer puts each file (the verifier follows the manifest, not this)."""

    entries: str = "entries.ndjson"
    log_key: str = "log.vkey"
    readme: str = "README.txt"

    @staticmethod
    def checkpoint(size: int) -> str:
        return f"checkpoints/{size:012d}.note"

    @staticmethod
    def consistency(size1: int, size2: int) -> str:
        return f"consistency/{size1:012d}-{size2:012d}.proof"

    @staticmethod
    def rulebook(digest: str) -> str:
        return f"rulebooks/{digest.removeprefix('sha256:')}.json"

    @staticmethod
    def publication(index: int) -> tuple[str, str]:
        return f"publications/{index:012d}.json", f"publications/{index:012d}.tlog-proof"


def parse_manifest(data: bytes) -> Manifest:
    """Parse ``bundle.json``: strict JSON, a known format version, the fields above."""
    try:
        value: Any = parse_json(data, MANIFEST)
    except LedgerError as exc:
        raise BundleError("manifest", str(exc)) from None
    if not isinstance(value, dict):
        raise BundleError("manifest", f"{MANIFEST} must hold a JSON object")
    version = value.get("format")
    if version != BUNDLE_FORMAT:
        raise BundleError(
            "format",
            f"{MANIFEST} says format {version!r}; this verifier reads {BUNDLE_FORMAT!r} only "
            "(a newer pingyi may read it, or the file is not a pingyi bundle)",
        )
    try:
        manifest = Manifest.model_validate(value)
    except ValidationError as exc:
        raise BundleError("manifest", describe(exc, MANIFEST)) from None
    pairs = [(c.size1, c.size2) for c in manifest.consistency]
    if len(pairs) != len(set(pairs)):
        twice = next(p for p in pairs if pairs.count(p) > 1)
        raise BundleError(
            "manifest",
            f"{MANIFEST} lists the consistency proof from {twice[0]} to {twice[1]} twice",
        )
    sizes = [c.size for c in manifest.checkpoints]
    if sizes != sorted(set(sizes)):
        raise BundleError("manifest", f"{MANIFEST}: checkpoint sizes must increase, got {sizes}")
    if sizes[-1] != manifest.entries.count:
        raise BundleError(
            "manifest",
            f"{MANIFEST}: the bundle must end at its last checkpoint (size {sizes[-1]}), "
            f"but it lists {manifest.entries.count} entries",
        )
    return manifest


__all__ = ["BUNDLE_FORMAT", "MANIFEST", "BundleError", "Layout", "Manifest", "parse_manifest"]
