"""Reading a bundle's files: from a directory, a ``.zip`` or a ``.tar`` (``.tar.gz``, ``.tgz``).

This is the verifier's only file I/O: it hands bytes to the pure checks in
:mod:`verifier.bundle` and never writes. An archive is read into memory when
opened (and closed at once); a directory is read file by file. Names are the manifest's relative
paths; a name that climbs out of the bundle, a symbolic link, or a member that
is not a regular file is refused. An archive may hold the files at its root or
under one top-level directory.
"""

from __future__ import annotations

import tarfile
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path

from verifier.bundle_format import MANIFEST, BundleError

MAX_FILE_BYTES = 2 << 30  # no file of a bundle is read if it is larger than 2 GiB

ARCHIVE_SUFFIXES = (".zip", ".tar", ".tar.gz", ".tgz")


class BundleFiles:
    """The files of one bundle by relative name."""

    def __init__(self, label: str, read: Callable[[str], bytes | None]) -> None:
        self.label = label
        self._read = read

    def read(self, name: str) -> bytes:
        """The bytes of file ``name``; BundleError("files") if the bundle has no such file."""
        data = self._read(name)
        if data is None:
            raise BundleError("files", f"the bundle has no file {name!r} (named in {MANIFEST})")
        return data

    @classmethod
    def of(cls, files: Mapping[str, bytes], label: str = "bundle") -> BundleFiles:
        """A bundle held in memory (tests, or files already fetched)."""
        return cls(label, files.get)

    @classmethod
    def open(cls, path: Path) -> BundleFiles:
        """Open a bundle directory or archive; BundleError("files") if it cannot be read."""
        if path.is_dir():
            return cls._directory(path)
        if not path.exists():
            raise BundleError("files", f"{path} does not exist")
        name = path.name.lower()
        try:
            if name.endswith(".zip"):
                return cls._zip(path)
            if name.endswith((".tar", ".tar.gz", ".tgz")):
                return cls._tar(path)
        except (OSError, zipfile.BadZipFile, tarfile.TarError, EOFError) as exc:
            raise BundleError("files", f"{path} is not a readable archive: {exc}") from None
        raise BundleError(
            "files",
            f"{path} is neither a bundle directory nor an archive ({', '.join(ARCHIVE_SUFFIXES)})",
        )

    @classmethod
    def _directory(cls, root: Path) -> BundleFiles:
        base = root.resolve()

        def read(name: str) -> bytes | None:
            path = root / name
            if path.is_symlink() or not path.resolve().is_relative_to(base):
                raise BundleError("files", f"{name!r} is a link or leaves the bundle directory")
            if not path.is_file():
                return None
            if path.stat().st_size > MAX_FILE_BYTES:
                raise BundleError("files", f"{name!r} is larger than {MAX_FILE_BYTES} bytes")
            return path.read_bytes()

        return cls(str(root), read)

    @classmethod
    def _zip(cls, path: Path) -> BundleFiles:
        with zipfile.ZipFile(path) as archive:
            infos = [i for i in archive.infolist() if not i.is_dir()]
            _check_sizes({i.filename: i.file_size for i in infos}, path)
            files = {i.filename: archive.read(i) for i in infos}
        return cls._archive(files, path)

    @classmethod
    def _tar(cls, path: Path) -> BundleFiles:
        files: dict[str, bytes] = {}
        with tarfile.open(path, "r:*") as archive:
            members = archive.getmembers()
            _check_sizes({m.name: m.size for m in members}, path)
            for member in members:
                if member.isdir():
                    continue
                name = member.name.removeprefix("./")
                if not member.isfile():
                    raise BundleError("files", f"{name!r} in {path} is not a regular file")
                stream = archive.extractfile(member)
                files[name] = b"" if stream is None else stream.read()
        return cls._archive(files, path)

    @classmethod
    def _archive(cls, files: dict[str, bytes], path: Path) -> BundleFiles:
        prefix = _prefix(files, path)
        return cls(str(path), lambda name: files.get(prefix + name))


def _check_sizes(sizes: Mapping[str, int], path: Path) -> None:
    for name, size in sizes.items():
        if size > MAX_FILE_BYTES:
            raise BundleError("files", f"{name!r} in {path} is larger than {MAX_FILE_BYTES} bytes")
    if sum(sizes.values()) > 4 * MAX_FILE_BYTES:
        raise BundleError("files", f"{path} unpacks to more than {4 * MAX_FILE_BYTES} bytes")


def _prefix(names: Mapping[str, object], path: Path) -> str:
    """'' if the manifest is at the archive's root, 'DIR/' if under one top-level directory."""
    if MANIFEST in names:
        return ""
    tops = {n.split("/", 1)[0] for n in names if "/" in n}
    if len(tops) == 1:
        top = tops.pop()
        if f"{top}/{MANIFEST}" in names:
            return f"{top}/"
    raise BundleError("files", f"{path} holds no {MANIFEST} (at its root or in one directory)")


__all__ = ["ARCHIVE_SUFFIXES", "MAX_FILE_BYTES", "BundleFiles"]
