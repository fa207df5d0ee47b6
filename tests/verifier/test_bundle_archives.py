"""Bundle archives that are damaged, unusual or padded with a huge unrelated member: a `files`
verdict (never a traceback), and only the files the manifest names are ever decompressed."""

from __future__ import annotations

import io
import json
import lzma
import struct
import tarfile
import tracemalloc
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from pingyi import verify_cli
from pingyi.bundle_writer import pack
from pingyi.cli import app
from verifier.bundle import verify_bundle
from verifier.bundle_files import BundleFiles
from verifier.bundle_format import BundleError

VALID = Path(__file__).parents[1] / "vectors" / "bundles" / "valid"
NAMES = sorted(p.relative_to(VALID).as_posix() for p in VALID.rglob("*") if p.is_file())
BIG = 256 << 20  # an unrelated member of zeros: compresses to a few hundred KB
LITTLE = 48 << 20  # what verifying the valid bundle may allocate at its peak, far below BIG


def _cli(archive: Path) -> dict[str, Any]:
    """`pingyi verify ARCHIVE --json`: it fails with exit status 1 and prints its report."""
    result = CliRunner().invoke(app, ["verify", str(archive), "--json"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 1, result.output
    report: dict[str, Any] = json.loads(result.stdout)
    assert report["verdict"] == "fail"
    return report


def _damaged(archive: Path, *words: str) -> str:
    first = _cli(archive)["first_failure"]
    assert first["check"] == "files", first
    assert "the archive is damaged" in first["message"], first
    for word in words:
        assert word in first["message"], first
    message: str = first["message"]
    return message


def _zip(tmp_path: Path) -> Path:
    archive = tmp_path / "bundle.zip"
    pack(VALID, archive)
    return archive


def _local(data: bytes, name: str) -> tuple[int, int]:
    """Offsets of member ``name``'s local header and of its compressed data."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(name)
    start = info.header_offset
    name_len, extra_len = struct.unpack("<HH", data[start + 26 : start + 30])
    return start, start + 30 + name_len + extra_len


def _central(data: bytes, name: str) -> int:
    """Offset of member ``name``'s central directory header."""
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        (name_len,) = struct.unpack("<H", data[at + 28 : at + 30])
        if data[at + 46 : at + 46 + name_len] == name.encode():
            return at
        at = data.find(b"PK\x01\x02", at + 4)
    raise AssertionError(f"no central header for {name}")


def _patch_zip(archive: Path, name: str, local: int, central: int, fmt: str, value: int) -> None:
    """Set a field of member ``name`` in both its local and its central directory header."""
    data = bytearray(archive.read_bytes())
    start, _ = _local(bytes(data), name)
    struct.pack_into(fmt, data, start + local, value)
    struct.pack_into(fmt, data, _central(bytes(data), name) + central, value)
    archive.write_bytes(bytes(data))


def test_corrupt_compressed_data_is_a_files_failure(tmp_path: Path) -> None:
    archive = _zip(tmp_path)
    data = bytearray(archive.read_bytes())
    _, at = _local(bytes(data), "entries.ndjson")
    data[at] = 0xFF  # the first deflate block's type: 3, which does not exist
    archive.write_bytes(bytes(data))
    with pytest.raises(zlib.error), zipfile.ZipFile(archive) as opened:
        opened.read("entries.ndjson")  # what zipfile raises, and the verifier must not
    _damaged(archive, "'entries.ndjson'")


def test_an_unsupported_compression_method_is_a_files_failure(tmp_path: Path) -> None:
    archive = _zip(tmp_path)
    _patch_zip(archive, "entries.ndjson", 8, 10, "<H", 99)  # AES: NotImplementedError
    _damaged(archive, "'entries.ndjson'")


def test_an_encrypted_member_is_a_files_failure(tmp_path: Path) -> None:
    archive = _zip(tmp_path)
    data = archive.read_bytes()
    start, _ = _local(data, "log.vkey")
    (flags,) = struct.unpack("<H", data[start + 6 : start + 8])
    _patch_zip(archive, "log.vkey", 6, 8, "<H", flags | 0x1)  # RuntimeError: password required
    _damaged(archive, "'log.vkey'", "encrypted")


def test_a_tar_gz_that_is_corrupt_xz_is_a_files_failure(tmp_path: Path) -> None:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w:xz") as archive:
        for name in NAMES:
            archive.add(VALID / name, arcname=name)
    data = bytearray(raw.getvalue())
    data[len(data) // 2] ^= 0xFF  # lzma.LZMAError
    bundle = tmp_path / "bundle.tar.gz"
    bundle.write_bytes(bytes(data))
    _damaged(bundle)


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[:-8] + bytes([data[-8] ^ 0xFF]) + data[-7:],  # the CRC-32 trailer
        lambda data: data[:-8],  # cut off: no trailer
        lambda data: data[:-3],  # cut off in the trailer
    ],
    ids=["crc", "cut-off", "cut-in-trailer"],
)
def test_a_gzip_stream_damaged_after_the_files_is_a_files_failure(
    tmp_path: Path, damage: Any
) -> None:
    bundle = tmp_path / "bundle.tar.gz"
    pack(VALID, bundle)
    assert verify_bundle(BundleFiles.open(bundle), workers=1).report.ok
    bundle.write_bytes(damage(bundle.read_bytes()))
    _damaged(bundle)


def test_a_damaged_unrelated_member_is_never_read(tmp_path: Path) -> None:
    archive = _zip(tmp_path)
    with zipfile.ZipFile(archive, "a", compression=zipfile.ZIP_DEFLATED) as opened:
        opened.writestr("notes/unrelated.txt", b"not part of the bundle " * 1000)
    data = bytearray(archive.read_bytes())
    with zipfile.ZipFile(archive) as opened:
        info = opened.getinfo("notes/unrelated.txt")
    _, at = _local(bytes(data), "notes/unrelated.txt")
    data[at + info.compress_size // 2 : at + info.compress_size // 2 + 8] = b"\xff" * 8
    archive.write_bytes(bytes(data))
    assert verify_bundle(BundleFiles.open(archive), workers=1).report.ok


class _Zeros(io.RawIOBase):
    def __init__(self, size: int) -> None:
        self.left = size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = min(len(buffer), self.left)
        buffer[:n] = bytes(n)
        self.left -= n
        return n


def _zip_with_zeros(tmp_path: Path) -> Path:
    archive = _zip(tmp_path)
    with zipfile.ZipFile(archive, "a", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        member = z.open("zeros.bin", "w", force_zip64=True)
        for _ in range(BIG >> 20):
            member.write(bytes(1 << 20))
        member.close()
    return archive


def _tar_gz_with_zeros(tmp_path: Path) -> Path:
    bundle = tmp_path / "bundle.tar.gz"
    with tarfile.open(bundle, "w:gz", compresslevel=1) as archive:
        info = tarfile.TarInfo("zeros.bin")  # before the bundle's files, not after
        info.size = BIG
        archive.addfile(info, _Zeros(BIG))
        for name in NAMES:
            archive.add(VALID / name, arcname=name)
    return bundle


@pytest.mark.parametrize("build", [_zip_with_zeros, _tar_gz_with_zeros], ids=["zip", "tar.gz"])
def test_a_huge_unrelated_member_is_never_held_in_memory(tmp_path: Path, build: Any) -> None:
    archive = build(tmp_path)
    assert archive.stat().st_size < 4 << 20
    tracemalloc.start()
    try:
        result = verify_bundle(BundleFiles.open(archive), workers=1)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.report.ok, result.report.failures
    assert peak < LITTLE, f"verifying allocated {peak:,} bytes at its peak"


def test_a_huge_tar_header_is_refused_unread(tmp_path: Path) -> None:
    bundle = tmp_path / "bundle.tar.gz"
    with tarfile.open(bundle, "w:gz", format=tarfile.PAX_FORMAT) as archive:
        for name in NAMES:
            archive.add(VALID / name, arcname=name)
        info = tarfile.TarInfo("notes.txt")
        info.pax_headers = {"comment": "x" * (32 << 20)}  # tarfile reads a pax header whole
        archive.addfile(info, io.BytesIO())
    tracemalloc.start()
    try:
        with pytest.raises(BundleError, match="tar header larger than") as refused:
            BundleFiles.open(bundle)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert refused.value.check == "files"
    assert peak < 24 << 20, f"opening allocated {peak:,} bytes at its peak"


@pytest.mark.parametrize("suffix", [".zip", ".tar.gz", ".tar"])
def test_an_archive_is_read_until_closed(tmp_path: Path, suffix: str) -> None:
    archive = tmp_path / f"bundle{suffix}"
    pack(VALID, archive)
    with BundleFiles.open(archive) as files:
        assert files.read("bundle.json") == (VALID / "bundle.json").read_bytes()
        assert files.read("bundle.json") == (VALID / "bundle.json").read_bytes()  # again
    with pytest.raises(BundleError, match="closed"):
        files.read("log.vkey")


def test_an_unexpected_error_opening_a_bundle_is_still_a_verdict(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(path: Path) -> BundleFiles:
        raise ValueError("an unforeseen problem")

    monkeypatch.setattr(verify_cli.BundleFiles, "open", staticmethod(explode))
    first = _cli(VALID)["first_failure"]
    assert first["check"] == "internal" and "an unforeseen problem" in first["message"]
    assert "NOT verified" in first["message"]


def test_an_xz_member_can_be_damaged_inside_a_zip(tmp_path: Path) -> None:
    archive = _zip(tmp_path)
    with zipfile.ZipFile(archive) as opened:
        files = {i.filename: opened.read(i) for i in opened.infolist()}
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_LZMA) as rewritten:
        for name, data in files.items():
            rewritten.writestr(name, data)
    data = bytearray(archive.read_bytes())
    with zipfile.ZipFile(archive) as opened:
        size = opened.getinfo("entries.ndjson").compress_size
    _, at = _local(bytes(data), "entries.ndjson")
    data[at + size // 2] ^= 0xFF
    archive.write_bytes(bytes(data))
    with pytest.raises(lzma.LZMAError), zipfile.ZipFile(archive) as opened:
        opened.read("entries.ndjson")  # what zipfile raises, and the verifier must not
    _damaged(archive, "'entries.ndjson'")
