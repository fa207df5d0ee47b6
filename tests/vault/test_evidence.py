"""Evidence files stored by content hash, checked on every read."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

import pytest

from vault.errors import EvidenceError, VaultError
from vault.evidence import DEFAULT_EVIDENCE_DIR, EVIDENCE_ENV, Evidence, EvidenceStore

PHOTO = b"\x89PNG fictional photo of an unstaffed service window, 2026-03-01 09:12"
PHOTO_HASH = hashlib.sha256(PHOTO).hexdigest()


@pytest.fixture
def store(tmp_path: Path) -> EvidenceStore:
    return EvidenceStore(tmp_path / "evidence")


def _stored_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def test_round_trip(store: EvidenceStore) -> None:
    evidence = store.put(PHOTO)
    assert evidence == Evidence(sha256=PHOTO_HASH, size=len(PHOTO))
    assert store.has(PHOTO_HASH)
    assert store.get(PHOTO_HASH) == PHOTO
    store.check(PHOTO_HASH)
    store.check(PHOTO_HASH, size=len(PHOTO))


def test_layout_is_two_hex_digits_then_the_hash_read_only(store: EvidenceStore) -> None:
    store.put(PHOTO)
    path = store.root / PHOTO_HASH[:2] / PHOTO_HASH
    assert store.path(PHOTO_HASH) == path
    assert _stored_files(store.root) == [path]  # no temporary file left behind
    assert stat.S_IMODE(path.stat().st_mode) == 0o444


def test_putting_the_same_bytes_again_is_harmless(store: EvidenceStore) -> None:
    assert store.put(PHOTO) == store.put(PHOTO)
    assert len(_stored_files(store.root)) == 1


def test_put_file_streams_a_file(store: EvidenceStore, tmp_path: Path) -> None:
    source = tmp_path / "scan.pdf"
    data = os.urandom(3 << 20) + b"end of a fictional scan"
    source.write_bytes(data)
    evidence = store.put_file(source)
    assert evidence == Evidence(hashlib.sha256(data).hexdigest(), len(data))
    assert store.get(evidence.sha256) == data
    assert store.put(data) == evidence


def test_put_file_of_a_missing_file_is_an_evidence_error(
    store: EvidenceStore, tmp_path: Path
) -> None:
    with pytest.raises(EvidenceError, match=r"cannot read .*absent\.jpg"):
        store.put_file(tmp_path / "absent.jpg")


def test_the_empty_file_is_evidence_too(store: EvidenceStore) -> None:
    evidence = store.put(b"")
    assert evidence.size == 0
    assert store.get(evidence.sha256) == b""


def _tamper(store: EvidenceStore, sha256: str, data: bytes) -> None:
    path = store.path(sha256)
    path.chmod(0o644)
    path.write_bytes(data)


def test_a_corrupted_file_is_detected(store: EvidenceStore) -> None:
    store.put(PHOTO)
    altered = PHOTO.replace(b"unstaffed", b"staffed!!")
    _tamper(store, PHOTO_HASH, altered)
    message = (
        f"evidence file {PHOTO_HASH} is corrupt: its content hashes to "
        f"{hashlib.sha256(altered).hexdigest()}"
    )
    with pytest.raises(EvidenceError, match=message):
        store.get(PHOTO_HASH)
    with pytest.raises(EvidenceError, match=message):
        store.check(PHOTO_HASH)
    assert store.has(PHOTO_HASH)  # present, but not intact


def test_putting_over_a_corrupted_file_keeps_it_for_inspection(store: EvidenceStore) -> None:
    store.put(PHOTO)
    _tamper(store, PHOTO_HASH, b"tampered")
    with pytest.raises(EvidenceError, match=r"is corrupt.*move it aside for inspection"):
        store.put(PHOTO)
    assert store.path(PHOTO_HASH).read_bytes() == b"tampered"


def test_a_missing_file_is_detected(store: EvidenceStore) -> None:
    assert not store.has(PHOTO_HASH)
    with pytest.raises(EvidenceError, match=f"evidence file {PHOTO_HASH} is missing"):
        store.get(PHOTO_HASH)
    with pytest.raises(EvidenceError, match=f"evidence file {PHOTO_HASH} is missing"):
        store.check(PHOTO_HASH)
    store.put(PHOTO)
    store.path(PHOTO_HASH).unlink()
    with pytest.raises(EvidenceError, match="is missing"):
        store.check(PHOTO_HASH, size=len(PHOTO))


def test_a_size_that_disagrees_with_the_log_is_detected(store: EvidenceStore) -> None:
    store.put(PHOTO)
    with pytest.raises(EvidenceError, match=f"has {len(PHOTO)} bytes but the log records 1"):
        store.check(PHOTO_HASH, size=1)


@pytest.mark.parametrize(
    "bad",
    [
        "../../etc/passwd",
        "../" + "a" * 61,
        PHOTO_HASH.upper(),
        PHOTO_HASH[:-1],
        PHOTO_HASH + "0",
        PHOTO_HASH[:-1] + "g",
        "/" + PHOTO_HASH[1:],
        "",
        f" {PHOTO_HASH}",
        f"{PHOTO_HASH}\n",
    ],
)
def test_hashes_that_are_not_64_lowercase_hex_are_refused(store: EvidenceStore, bad: str) -> None:
    store.put(PHOTO)
    for call in (store.get, store.check, store.has, store.path):
        with pytest.raises(EvidenceError, match="is not an evidence hash; give the SHA-256"):
            call(bad)


def test_the_directory_defaults_to_the_environment_then_evidence(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(EVIDENCE_ENV, raising=False)
    assert DEFAULT_EVIDENCE_DIR == "evidence"
    EvidenceStore().put(PHOTO)
    assert (tmp_path / "evidence" / PHOTO_HASH[:2] / PHOTO_HASH).is_file()
    monkeypatch.setenv(EVIDENCE_ENV, str(tmp_path / "elsewhere"))
    assert EvidenceStore().root == tmp_path / "elsewhere"
    assert EvidenceStore(tmp_path / "given").root == tmp_path / "given"


def test_an_unwritable_directory_is_an_evidence_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_bytes(b"")
    with pytest.raises(EvidenceError, match="cannot write to the evidence directory"):
        EvidenceStore(blocker / "evidence").put(PHOTO)


def test_evidence_errors_are_vault_errors() -> None:
    assert issubclass(EvidenceError, VaultError)
