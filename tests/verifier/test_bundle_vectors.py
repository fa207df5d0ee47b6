"""The bundle vectors (tests/vectors/bundles/): the valid one passes, each broken one fails first
with the reason it is named after, as files, as archives and through `pingyi verify`."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ledger.note import NoteSigner
from pingyi.bundle_writer import pack
from pingyi.cli import app
from tests.support import labelled_key
from tests.vectors.bundles import generate
from verifier.bundle import verify_bundle
from verifier.bundle_files import BundleFiles

VECTORS = Path(__file__).parents[1] / "vectors" / "bundles"
EXPECTED: dict[str, dict[str, object]] = json.loads((VECTORS / "expected.json").read_text())
BROKEN = sorted(name for name in EXPECTED if name != "valid")


def test_the_committed_bundles_are_what_the_generator_makes(tmp_path: Path) -> None:
    generate.generate(tmp_path)
    for name in [*EXPECTED, "expected.json"]:
        if name.endswith(".json"):
            assert (tmp_path / name).read_bytes() == (VECTORS / name).read_bytes()
        else:
            assert generate._same(tmp_path / name, VECTORS / name), (
                f"{name} is stale: run tests/vectors/bundles/generate.py"
            )
    assert set(EXPECTED) == set(generate.NAMES)


def test_the_valid_bundle_passes_every_check() -> None:
    result = verify_bundle(BundleFiles.open(VECTORS / "valid"), workers=1)
    assert result.report.ok, result.report.failures
    counts = result.report.counts
    assert counts["entries"] == 14 and counts["signatures"] == 14
    assert counts["checkpoints"] == 5 and counts["consistency proof files"] == 4
    assert counts["rankings recomputed"] == 2 and counts["inclusion proofs"] == 2
    assert counts["rulebook documents"] == 1
    assert [p.ok for p in result.publications] == [True, True]
    assert result.publications[1].replaces == result.publications[0].entry
    assert result.key_source == "the bundle's log.vkey"


@pytest.mark.parametrize("name", BROKEN)
def test_each_broken_bundle_fails_first_for_its_defect(name: str) -> None:
    want = EXPECTED[name]
    result = verify_bundle(BundleFiles.open(VECTORS / name), workers=1)
    first = result.report.first_failure
    assert first is not None, f"{name} passed"
    assert (first.check, first.index) == (want["check"], want["index"]), str(first)
    assert str(want["message"]) in first.message, str(first)


@pytest.mark.parametrize("suffix", [".zip", ".tar.gz", ".tar"])
def test_archives_verify_like_directories(tmp_path: Path, suffix: str) -> None:
    for name in ("valid", "digest-mismatch"):
        archive = tmp_path / f"{name}{suffix}"
        pack(VECTORS / name, archive)
        result = verify_bundle(BundleFiles.open(archive), workers=1)
        assert result.report.ok == (name == "valid")
    nested = tmp_path / "nested"
    shutil.copytree(VECTORS / "valid", nested / "bundle")
    pack(nested, tmp_path / "nested.zip")  # files under one top-level directory
    assert verify_bundle(BundleFiles.open(tmp_path / "nested.zip"), workers=1).report.ok


def test_a_trusted_key_that_is_not_the_bundles_fails() -> None:
    foreign = generate.FOREIGN.verifier_key
    result = verify_bundle(BundleFiles.open(VECTORS / "valid"), log_key=foreign, workers=1)
    assert not result.report.ok
    assert {f.check for f in result.report.failures} >= {"log key", "genesis"}
    good = generate.LOG.verifier_key
    assert verify_bundle(BundleFiles.open(VECTORS / "valid"), log_key=good, workers=1).report.ok


def _mutations(data: bytes) -> list[bytes]:
    half = len(data) // 2
    flipped = bytearray(data)
    flipped[half] ^= 0x01
    return [data[:half], bytes(flipped), b"", data + b"x"]


def test_damaged_files_never_pass_and_never_raise(tmp_path: Path) -> None:
    valid = VECTORS / "valid"
    files = {
        p.relative_to(valid).as_posix(): p.read_bytes() for p in valid.rglob("*") if p.is_file()
    }
    checked = [n for n in files if n not in ("README.txt", "bundle.json")]  # README is not verified
    for name in checked:
        for damaged in _mutations(files[name]):
            result = verify_bundle(BundleFiles.of({**files, name: damaged}, name), workers=1)
            assert not result.report.ok, f"a damaged {name} passed"
            assert "internal" not in {f.check for f in result.report.failures}, (
                result.report.failures
            )
    for damaged in (b"", b"{", b"[]", b'{"format": "pingyi.bundle/1"}', b"\xff\xfe"):
        result = verify_bundle(BundleFiles.of({**files, "bundle.json": damaged}), workers=1)
        assert not result.report.ok and result.report.first_failure is not None
    assert not verify_bundle(BundleFiles.of({}), workers=1).report.ok


def test_pingyi_verify_bundle_reports_and_exits(tmp_path: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(app, ["verify", str(VECTORS / "valid")])
    assert ok.exit_code == 0, ok.output
    for label in ("核验报告", "签名 signatures", "公示排名重算 rankings recomputed", "通过 PASS"):
        assert label in ok.output
    report = json.loads(runner.invoke(app, ["verify", str(VECTORS / "valid"), "--json"]).stdout)
    assert report["verdict"] == "pass" and len(report["publications"]) == 2
    bad = runner.invoke(app, ["verify", str(VECTORS / "digest-mismatch"), "--json"])
    assert bad.exit_code == 1
    failed = json.loads(bad.stdout)
    assert failed["verdict"] == "fail" and failed["first_failure"]["check"] == "publication"
    assert failed["publications"][0]["verdict"] == "fail"
    text = runner.invoke(app, ["verify", str(VECTORS / "swapped-pair")])
    assert text.exit_code == 1 and "未通过 FAIL" in text.output and "swapped" in text.output
    missing = runner.invoke(app, ["verify", str(tmp_path / "nothing-here"), "--json"])
    assert (
        missing.exit_code == 1 and json.loads(missing.stdout)["first_failure"]["check"] == "files"
    )
    vkey = (VECTORS / "valid" / "log.vkey").read_text().strip()
    pinned = runner.invoke(app, ["verify", str(VECTORS / "valid"), "--vkey", vkey, "--json"])
    assert json.loads(pinned.stdout)["log_key_source"] == "given by the caller"


def test_the_bundle_verifier_imports_no_database_or_web_code() -> None:
    code = (
        "import sys; from pathlib import Path;"
        "from verifier.bundle import verify_bundle; from verifier.bundle_files import BundleFiles;"
        "import verifier.receipt, verifier.watch, verifier.recount;"
        f"assert verify_bundle(BundleFiles.open(Path({str(VECTORS / 'valid')!r}))).report.ok;"
        "bad = [m for m in ('psycopg', 'fastapi', 'starlette', 'eventsourcing', 'uvicorn', "
        "'sqlite3', 'httpx', 'urllib.request') if m in sys.modules];"
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_malformed_bundled_key_does_not_stop_a_verifier_holding_the_trusted_key(
    tmp_path: Path,
) -> None:
    bundle = tmp_path / "bundle"
    shutil.copytree(VECTORS / "valid", bundle)
    trusted = (bundle / "log.vkey").read_text().strip()
    (bundle / "log.vkey").write_text("not a key\n")
    result = verify_bundle(BundleFiles.open(bundle), log_key=trusted, workers=1)
    assert [f.check for f in result.report.failures] == ["log key"]
    assert result.report.counts["signatures"] == 14  # everything else was still checked
    assert [p.ok for p in result.publications] == [True, True]


def test_a_genesis_naming_another_key_than_the_trusted_one_names_both() -> None:
    other = NoteSigner("other.example/log", labelled_key("other log").private_key).verifier_key
    result = verify_bundle(BundleFiles.open(VECTORS / "valid"), log_key=other, workers=1)
    genesis = [f for f in result.report.failures if f.check == "genesis"]
    assert len(genesis) == 1 and other in genesis[0].message
    assert "genesis names the checkpoint key bundles.pingyi.example/test-log+" in genesis[0].message
