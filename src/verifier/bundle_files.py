"""Reading a bundle's files: from a directory, a ``.zip`` or a ``.tar`` (``.tar.gz``, ``.tgz``).

This is the verifier's only file I/O: it hands bytes to the pure checks in
:mod:`verifier.bundle` and never writes. A directory is read file by file. An
archive's index is read when it is opened, and a member is decompressed only
when it is asked for (the manifest and the files it names), each bounded by
:data:`MAX_FILE_BYTES` while it is decompressed and all of them together by
four times that: an unrelated member, however large, is never unpacked. A
damaged or unsupported archive (corrupt data, a bad checksum, a cut-off stream,
an unknown compression method, encryption) is a ``files`` failure, never an
exception of the archive libraries. Names are the manifest's relative paths; a
name that climbs out of the bundle, a symbolic link, or a member that is not a
regular file is refused. An archive may hold the files at its root or under one
top-level directory. An open archive is closed by :meth:`BundleFiles.close`
(or ``with``), else when the :class:`BundleFiles` is garbage-collected.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import tarfile
import threading
import weakref
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path
from types import TracebackType
from typing import IO

from verifier.bundle_format import MANIFEST, BundleError

MAX_FILE_BYTES = 2 << 30  # no file of a bundle is read if it is larger than 2 GiB

ARCHIVE_SUFFIXES = (".zip", ".tar", ".tar.gz", ".tgz")

_CHUNK = 1 << 20  # an archive member is decompressed this much at a time
_SKIP = 1 << 18  # a compressed tar stream is skipped over this much at a time
_MAX_TAR_READ = 16 << 20  # tarfile reads a pax or GNU long-name header whole: no larger than this


class BundleFiles:
    """The files of one bundle by relative name."""

    def __init__(
        self,
        label: str,
        read: Callable[[str], bytes | None],
        close: Callable[[], None] | None = None,
    ) -> None:
        self.label = label
        self._read = read
        self._closer = None if close is None else weakref.finalize(self, close)

    def read(self, name: str) -> bytes:
        """The bytes of file ``name``; BundleError("files") if the bundle has no such file."""
        if self._closer is not None and not self._closer.alive:
            raise BundleError("files", f"{self.label} was closed before {name!r} was read")
        data = self._read(name)
        if data is None:
            raise BundleError("files", f"the bundle has no file {name!r} (named in {MANIFEST})")
        return data

    def close(self) -> None:
        """Close the archive (nothing to do for a directory or files in memory)."""
        if self._closer is not None:
            self._closer()

    def __enter__(self) -> BundleFiles:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

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
        except BundleError:
            raise
        except Exception as exc:  # whatever the archive libraries raise on bytes they refuse
            raise BundleError(
                "files", f"{path} is not a readable archive: {_reason(exc)}"
            ) from None
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
        archive = zipfile.ZipFile(path)
        try:
            infos = {i.filename: i for i in archive.infolist() if not i.is_dir()}
            sizes = {name: info.file_size for name, info in infos.items()}
            _check_sizes(sizes, path)
            return cls._archive(path, sizes, lambda key: archive.open(infos[key]), archive.close)
        except BaseException:
            archive.close()
            raise

    @classmethod
    def _tar(cls, path: Path) -> BundleFiles:
        raw = path.open("rb")
        stream: io.BufferedIOBase = raw
        archive: tarfile.TarFile | None = None

        def close() -> None:
            for closing in (archive, stream, raw):
                if closing is not None:
                    closing.close()

        try:
            stream = _decompressing(raw)
            archive = tarfile.TarFile(fileobj=_Capped(stream, path, stream is not raw), mode="r")
            try:
                members = archive.getmembers()
                if stream is not raw:  # the rest of the stream: its checksum and its end
                    while stream.read(_CHUNK):
                        pass
            except BundleError:
                raise
            except Exception as exc:  # corrupt data, a bad checksum, a cut-off stream
                raise BundleError("files", f"the archive is damaged: {_reason(exc)}") from None
            _check_sizes({m.name: m.size for m in members}, path)
            infos: dict[str, tarfile.TarInfo] = {}
            for member in members:
                if member.isdir():
                    continue
                name = member.name.removeprefix("./")
                if not member.isfile():
                    raise BundleError("files", f"{name!r} in {path} is not a regular file")
                infos[name] = member
            sizes = {name: info.size for name, info in infos.items()}
            tar = archive

            def open_member(key: str) -> IO[bytes]:
                return tar.extractfile(infos[key]) or io.BytesIO()

            return cls._archive(path, sizes, open_member, close)
        except BaseException:
            close()
            raise

    @classmethod
    def _archive(
        cls,
        path: Path,
        sizes: Mapping[str, int],
        open_member: Callable[[str], IO[bytes]],
        close: Callable[[], None],
    ) -> BundleFiles:
        """Files read from the archive's members when asked for, within the size limits."""
        prefix = _prefix(sizes, path)
        lock = threading.Lock()  # one member at a time: a decompressing stream is not shared
        counted: dict[str, int] = {}  # bytes read per member, for the limit on the total
        total = 0

        def read(name: str) -> bytes | None:
            nonlocal total
            key = prefix + name
            if key not in sizes:
                return None
            with lock:
                others = total - counted.get(key, 0)
                data = _read_member(path, key, sizes[key], open_member, 4 * MAX_FILE_BYTES - others)
                counted[key] = len(data)
                total = others + len(data)
            return data

        return cls(str(path), read, close)


def _read_member(
    path: Path, key: str, declared: int, open_member: Callable[[str], IO[bytes]], budget: int
) -> bytes:
    """Member ``key`` decompressed, stopping as soon as it exceeds a limit (whatever it declares)."""
    if declared > MAX_FILE_BYTES:
        raise BundleError("files", f"{key!r} in {path} is larger than {MAX_FILE_BYTES} bytes")
    out = io.BytesIO()
    try:
        with open_member(key) as stream:
            while chunk := stream.read(_CHUNK):
                out.write(chunk)
                if out.tell() > MAX_FILE_BYTES:
                    raise BundleError(
                        "files", f"{key!r} in {path} is larger than {MAX_FILE_BYTES} bytes"
                    )
                if out.tell() > budget:
                    raise BundleError(
                        "files", f"{path} unpacks to more than {4 * MAX_FILE_BYTES} bytes"
                    )
    except BundleError:
        raise
    except Exception as exc:  # corrupt data, a bad CRC, an unsupported method, encryption, ...
        raise BundleError(
            "files", f"the archive is damaged: {key!r} in {path} cannot be read: {_reason(exc)}"
        ) from None
    return out.getvalue()


def _decompressing(raw: io.BufferedReader) -> io.BufferedIOBase:
    """``raw`` decompressed by what its first bytes say (gzip, bzip2, xz), or ``raw`` itself."""
    magic = raw.read(6)
    raw.seek(0)
    if magic.startswith(b"\x1f\x8b"):
        return gzip.GzipFile(fileobj=raw, mode="rb")
    if magic.startswith(b"BZh"):
        return bz2.BZ2File(raw)
    if magic.startswith(b"\xfd7zXZ\x00"):
        return lzma.LZMAFile(raw)
    return raw


class _Capped:
    """A tar stream no single read of which is larger than :data:`_MAX_TAR_READ`.

    tarfile reads an extended header whole; a huge one of zeros compresses to almost nothing.
    Members are read :data:`_CHUNK` at a time, well below the cap. A compressed stream is
    skipped by decompressing :data:`_SKIP` at a time (a backward seek starts again from the
    beginning), which is what its own ``seek`` does, only in far fewer steps.
    """

    def __init__(self, stream: io.BufferedIOBase, path: Path, compressed: bool) -> None:
        self._stream = stream
        self._path = path
        self._compressed = compressed

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0 or size > _MAX_TAR_READ:
            raise BundleError(
                "files", f"{self._path} holds a tar header larger than {_MAX_TAR_READ} bytes"
            )
        return self._stream.read(size)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if not self._compressed or whence != io.SEEK_SET:
            return self._stream.seek(offset, whence)
        here = self._stream.tell()
        if offset < here:
            here = self._stream.seek(0)
        while here < offset:
            skipped = len(self._stream.read(min(_SKIP, offset - here)))
            if not skipped:
                break  # the end of the stream: the position stays there
            here += skipped
        return here

    def tell(self) -> int:
        return self._stream.tell()

    def write(self, data: bytes) -> int:
        raise io.UnsupportedOperation("a bundle is read, never written")

    def close(self) -> None:
        """Nothing: the stream is closed with the bundle."""


def _reason(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__


def _check_sizes(sizes: Mapping[str, int], path: Path) -> None:
    """The sizes the archive's index declares (no member is decompressed to learn them)."""
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
