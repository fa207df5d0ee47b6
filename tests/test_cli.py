"""The command line, as the README shows it, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pingyi.cli import app
from tests.support import admin_sql, events_table, placeholder

ORIGIN = "pingyi.county.example/2026"


@pytest.fixture
def run(store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PINGYI_KEY_PASSPHRASE", "a test passphrase")
    monkeypatch.setenv("PINGYI_STORE", store_url)
    runner = CliRunner()

    def invoke(*args: str, code: int = 0, stdin: str | None = None) -> str:
        result = runner.invoke(app, list(args), input=stdin)
        assert result.exit_code == code, (args, result.output)
        return result.output

    return invoke


def test_readme_walkthrough(run, store_url: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    for name in ("office-root", "log", "office"):
        assert "key id" in run("keygen", name, "--dir", "keys")
    assert b"ENCRYPTED" in (tmp_path / "keys" / "office.key").read_bytes()
    run(
        "init",
        "--origin",
        ORIGIN,
        "--deployment",
        "County 2026",
        "--root-key",
        "keys/office-root.key",
        "--log-key",
        "keys/log.key",
    )
    run(
        "key",
        "register",
        "keys/office.pub",
        "--holder",
        "office staff 1",
        "--role",
        "registrar",
        "--role",
        "office",
        "--signer",
        "keys/office-root.key",
    )
    assert "valid rulebook" in run("rulebook", "validate", "--preset", "003")
    run("rulebook", "adopt", "c2026", "--preset", "003", "--signer", "keys/office.key")
    signed = run(
        "sign",
        "campaign.open",
        "--payload",
        '{"campaign":"c2026","title":"2026"}',
        "--signer",
        "keys/office.key",
        "--log",
        ORIGIN,
    )
    (tmp_path / "open.json").write_text(signed)
    first = json.loads(run("submit", "open.json", "--json"))
    again = json.loads(run("submit", "open.json", "--json"))
    assert first[0]["index"] == again[0]["index"] == 3 and again[0]["duplicate"]
    note = run("checkpoint", "--log-key", "keys/log.key")
    assert note.startswith(f"{ORIGIN}\n4\n") and "\n— " in note
    entries = json.loads(run("log", "--json"))
    assert [e["statement"]["type"] for e in entries] == [
        "genesis",
        "key.register",
        "rulebook.adopt",
        "campaign.open",
    ]
    report = json.loads(run("verify", "--json"))
    assert report["verdict"] == "pass" and report["counts"]["entries"] == 4

    # wrong role: the office may not record findings
    finding = (
        '{"campaign":"c2026","unit":"U1","rule":"r","level":"bureau","serious":false,"summary":"s"}'
    )
    (tmp_path / "f.json").write_text(
        run(
            "sign",
            "finding.record",
            "--payload",
            finding,
            "--signer",
            "keys/office.key",
            "--log",
            ORIGIN,
        )
    )
    assert "needs a key with role inspector, supervisor" in run("submit", "f.json", code=2)
    assert "malformed JSON" in run("submit", "-", code=2, stdin="{oops\n")

    with admin_sql(store_url) as conn:
        mark = placeholder(store_url)
        cur = conn.cursor()
        cur.execute(f"SELECT state FROM {events_table(store_url)} WHERE originator_version = 1")
        (state,) = cur.fetchone()
        cur.execute(
            f"UPDATE {events_table(store_url)} SET state = {mark} WHERE originator_version = 1",
            (bytes(state).replace(b"office staff 1", b"office staff 2"),),
        )
    failed = json.loads(run("verify", "--json", code=1))
    assert failed["first_failure"]["index"] == 1 and failed["first_failure"]["check"] == "signature"


def test_demo_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PINGYI_KEY_PASSPHRASE", raising=False)
    monkeypatch.setenv("COLUMNS", "200")
    out = tmp_path / "demo"
    result = CliRunner().invoke(app, ["demo", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "通过 PASS" in result.output  # the exported bundle verifies offline
    assert "signature does not verify" in result.output  # the tampered copy does not
    for code in ("TW01", "CD21"):  # the category rankings are printed
        assert code in result.output
    page = next((out / "publication").glob("publication-*.html")).read_text()
    assert "sha256:" in page and "乡镇区" in page
    proof = next((out / "publication").glob("publication-*.tlog-proof")).read_text()
    assert proof.startswith("c2sp.org/tlog-proof@v1\n")
    manifest = json.loads((out / "bundle" / "bundle.json").read_text())
    assert manifest["campaign"] == "county-2026"
    assert b"ENCRYPTED" in (out / "keys" / "office.key").read_bytes()


def test_the_verifier_imports_no_database_or_web_code() -> None:
    code = (
        "import sys, verifier.log, verifier.report, verifier.signatures;"
        "import verifier.bundle, verifier.bundle_files, verifier.receipt, verifier.watch;"
        "bad = [m for m in ('psycopg', 'fastapi', 'eventsourcing', 'uvicorn', 'sqlite3') if m in sys.modules];"
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
