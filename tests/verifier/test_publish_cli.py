"""`pingyi publish`, `export`, `verify BUNDLE`, `receipt verify` and `diff` on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from api.service import Settings
from ledger.keys import PASSPHRASE_ENV
from ledger.note import format_tlog_proof, parse_tlog_proof
from pingyi.cli import app
from pingyi.publish import publish_via_api, write_publication
from pingyi.remote import Fetch
from tests.support import fixed_clock
from tests.verifier.world import PASSPHRASE, PublishWorld
from verifier.bundle import verify_bundle
from verifier.bundle_files import BundleFiles

Run = Callable[..., str]


@pytest.fixture
def run(pub: PublishWorld, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Run]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(PASSPHRASE_ENV, PASSPHRASE)
    monkeypatch.setenv("PINGYI_STORE", pub.url)
    pub.key_files(tmp_path)
    runner = CliRunner()

    def invoke(*args: str, code: int = 0) -> str:
        result = runner.invoke(app, list(args))
        assert result.exit_code == code, (args, result.output)
        return result.output

    yield invoke


def publish(run: Run, out: str, *extra: str) -> dict[str, object]:
    run("publish", "c1", "--key", "office.key", "--log-key", "log.key", "--out", out, *extra)
    (document,) = sorted(Path(out).glob("publication-*.json"), key=lambda p: p.stat().st_mtime)[-1:]
    value: dict[str, object] = json.loads(document.read_bytes())
    return value


def test_publish_export_verify_and_correct(run: Run, pub: PublishWorld, tmp_path: Path) -> None:
    pub.survey("A")
    pub.finding("B")
    out = run("publish", "c1", "--key", "office.key", "--log-key", "log.key", "--out", "pub")
    assert "已公示 published" in out
    first = json.loads(next(Path("pub").glob("publication-*.json")).read_bytes())
    i = first["index"]
    names = sorted(p.name for p in Path("pub").iterdir())
    assert names == sorted(
        [
            f"publication-{i}.json",
            f"publication-{i}.html",
            f"publication-{i}.tlog-proof",
            f"ranking-{i}.json",
            "log.vkey",
        ]
    )
    ranking = Path(f"pub/ranking-{i}.json").read_bytes()
    assert "sha256:" + hashlib.sha256(ranking).hexdigest() == first["digest"]
    assert json.loads(ranking) == first["ranking"]
    page = Path(f"pub/publication-{i}.html").read_text()
    assert first["digest"] in page and "核验" in page
    receipt = run("receipt", "verify", f"pub/publication-{i}.tlog-proof")
    assert "通过 PASS" in receipt and f"entry #{i}" in receipt
    as_json = json.loads(run("receipt", "verify", f"pub/publication-{i}.tlog-proof", "--json"))
    assert as_json["verdict"] == "pass" and as_json["type"] == "ranking.publish"

    assert "--reason" in run(
        "publish",
        "c1",
        "--key",
        "office.key",
        "--log-key",
        "log.key",
        "--replaces",
        first["entry"],
        code=2,
    )
    pub.survey("C")
    run(
        "publish",
        "c1",
        "--key",
        "office.key",
        "--log-key",
        "log.key",
        "--out",
        "pub2",
        "--replaces",
        first["entry"],
        "--reason",
        "补录 a late survey response",
    )
    second = json.loads(next(Path("pub2").glob("publication-*.json")).read_bytes())
    assert second["replaces"] == first["entry"] and second["reason"].startswith("补录")

    for out_name in ("bundle", "bundle.zip", "bundle.tar.gz"):
        assert "已导出 exported" in run("export", "c1", "--out", out_name)
        report = json.loads(run("verify", out_name, "--json"))
        assert report["verdict"] == "pass", report["first_failure"]
        assert [p["index"] for p in report["publications"]] == [i, second["index"]]
    assert "not an empty directory" in run("export", "c1", "--out", "bundle", code=2)
    assert "adopted no rulebook" in run("export", "nope", "--out", "other", code=2)
    assert not Path("other").exists()

    diff = run("diff", first["entry"], second["entry"])
    assert "公示对比 Publication diff" in diff and "C 丙单位 / Unit C" in diff
    assert "counts [survey]" in diff
    by_files = json.loads(
        run(
            "diff",
            f"pub/publication-{i}.json",
            f"pub2/publication-{second['index']}.tlog-proof",
            "--bundle",
            "bundle",
            "--json",
        )
    )
    changes = {c["unit"]: c for c in by_files["changes"]}
    assert changes["C"]["total"][0] != changes["C"]["total"][1]
    assert [k["key"] for k in changes["C"]["components"]] == ["survey"]
    (cause,) = changes["C"]["causes"]
    assert (cause["kind"], cause["component"]) == ("counts", "survey")
    assert Decimal(cause["delta"]) == -2 and cause["index"] > first["index"]
    assert all(not c["components"] for u, c in changes.items() if u != "C")  # only ranks moved


def test_export_signs_a_fresh_checkpoint_and_the_bundle_ends_there(
    run: Run, pub: PublishWorld
) -> None:
    pub.survey("A")
    run("export", "c1", "--out", "b", "--log-key", "log.key")
    manifest = json.loads(Path("b/bundle.json").read_text())
    assert manifest["entries"]["count"] == pub.ledger.size
    assert len(Path("b/entries.ndjson").read_bytes().splitlines()) == pub.ledger.size
    assert "README.txt" in {p.name for p in Path("b").iterdir()}
    assert "pingyi verify" in Path("b/README.txt").read_text()


def client_fetch(client: TestClient) -> Fetch:
    def fetch(method: str, path: str, body: bytes | None) -> tuple[int, bytes]:
        answer = client.request(method, path, content=body)
        return answer.status_code, answer.content

    return fetch


def test_publish_through_the_api(
    pub: PublishWorld, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PASSPHRASE_ENV, PASSPHRASE)
    keys = pub.key_files(tmp_path)
    pub.survey("A")
    settings = Settings(pub.url, keys["log"], 256 * 1024, clock=fixed_clock)
    with TestClient(create_app(settings)) as client:
        published = publish_via_api(client_fetch(client), "c1", pub.office, clock=fixed_clock)
    paths = write_publication(published, tmp_path / "pub")
    assert published.entry.payload["checkpoint"]["size"] == published.entry.index
    runner = CliRunner()
    checked = runner.invoke(app, ["receipt", "verify", str(paths["proof"]), "--json"])
    assert checked.exit_code == 0, checked.output
    pub.ledger.refresh()
    runner.invoke(app, ["checkpoint", "--log-key", str(keys["log"]), "--store", pub.url])
    exported = runner.invoke(
        app, ["export", "c1", "--out", str(tmp_path / "b"), "--store", pub.url]
    )
    assert exported.exit_code == 0, exported.output
    assert verify_bundle(BundleFiles.open(tmp_path / "b")).report.ok


def test_receipts_that_do_not_verify(run: Run, pub: PublishWorld, tmp_path: Path) -> None:
    published = pub.publish()
    paths = write_publication(published, tmp_path / "r")
    proof = paths["proof"]
    other_key = "test.pingyi.example/county+00000000+AQ" + "A" * 42 + "="
    failed = run("receipt", "verify", str(proof), "--vkey", other_key, code=1)
    assert "FAIL" in failed
    bad = proof.read_text().replace("index ", "index 1", 1)
    (tmp_path / "bad.tlog-proof").write_text(bad)
    assert "FAIL" in run(
        "receipt", "verify", str(tmp_path / "bad.tlog-proof"), "--vkey", published.log_key, code=1
    )
    assert "--vkey" in run("receipt", "verify", str(tmp_path / "bad.tlog-proof"), code=2)


def test_a_receipt_without_the_entry_needs_the_entry_bytes(
    run: Run, pub: PublishWorld, tmp_path: Path
) -> None:
    published = pub.publish()
    proof = parse_tlog_proof(published.proof)
    bare = format_tlog_proof(proof.index, proof.proof, proof.checkpoint)  # as the API returns it
    (tmp_path / "bare.tlog-proof").write_text(bare)
    (tmp_path / "entry.json").write_bytes(published.entry.raw)
    (tmp_path / "other.json").write_bytes(pub.ledger.entry(1).raw)
    vkey = published.log_key
    assert "no extra line" in run("receipt", "verify", "bare.tlog-proof", "--vkey", vkey, code=1)
    ok = run("receipt", "verify", "bare.tlog-proof", "--vkey", vkey, "--entry", "entry.json")
    assert "通过 PASS" in ok
    wrong = run(
        "receipt", "verify", "bare.tlog-proof", "--vkey", vkey, "--entry", "other.json", code=1
    )
    assert "FAIL" in wrong


def test_publish_never_replaces_another_logs_key(run: Run, pub: PublishWorld) -> None:
    pub.survey("A")
    Path("pub").mkdir()
    other = "other.example/log+01234567+AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA="
    Path("pub/log.vkey").write_text(other + "\n")
    out = run("publish", "c1", "--key", "office.key", "--log-key", "log.key", "--out", "pub")
    assert "holds another log's key" in out and "left as it is" in out
    assert Path("pub/log.vkey").read_text() == other + "\n"
    assert len(list(Path("pub").glob("publication-*.tlog-proof"))) == 1  # the rest is written
