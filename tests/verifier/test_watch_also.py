"""`pingyi verify --url --also FILE`: compare views, and keep the evidence of what was caught.

Two real servers with the same log key and origin but different histories play a
log that shows different people different logs. Each watcher alone sees nothing
wrong; comparing a checkpoint another one saw (its state file, a signed note, a
publication's tlog-proof) with the server's newest catches the split, and both
signed notes (with the proof) are kept next to the state file.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ledger import merkle
from ledger.errors import ProofError
from ledger.note import NoteSigner, open_checkpoint, parse_verifier_key
from pingyi.cli import app
from tests.support import ORIGIN, free_port, labelled_key
from tests.verifier.test_watch import honest, run_json


def _failure(report: dict[str, object]) -> dict[str, str]:
    failures = report["failures"]
    assert isinstance(failures, list) and len(failures) == 1, failures
    failure: dict[str, str] = failures[0]
    return failure


def _evidence(report: dict[str, object]) -> dict[str, object]:
    docs = report["evidence"]
    assert isinstance(docs, list) and len(docs) == 1
    doc: dict[str, object] = docs[0]
    assert doc["format"] == "pingyi.watch-evidence/1"
    return doc


def test_a_split_view_is_caught_by_comparing_views(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    alice, bob, carol = (tmp_path / f"{n}.json" for n in ("alice", "bob", "carol"))
    with (
        honest(tmp_path, monkeypatch, "shown to alice") as (shown_a, url_a),
        honest(tmp_path, monkeypatch, "shown to bob") as (shown_b, url_b),
    ):
        for unit in "ABCD":
            shown_b.survey(unit)
        a = run_json(capsys, url_a, alice)["latest"]
        b = run_json(capsys, url_b, bob)["latest"]
        assert isinstance(a, int) and isinstance(b, int) and a < b  # alone, each sees no fault

        # Bob's server, compared with the checkpoint Alice remembers: not one log.
        report = run_json(capsys, url_b, bob, alice, code=1)
        failure = _failure(report)
        assert failure["check"] == "fork"
        assert failure["message"].startswith(
            f"the checkpoint in {alice} at size {a} is not consistent with the server's log "
            f"at size {b}"
        )
        assert report["outcome"] == "caught" and not report["state_saved"]
        assert report["also"] == [{"file": str(alice), "size": a, "result": "fork"}]
        doc = _evidence(report)
        notes = doc["checkpoints"]
        assert isinstance(notes, list) and [n["source"] for n in notes] == [
            str(alice),
            "GET /v1/checkpoint",
        ]
        assert notes[0]["checkpoint"] == json.loads(alice.read_text())["checkpoint"]
        # the evidence stands on its own: both notes are the log's, the proof fails
        verifier = parse_verifier_key(str(doc["log_key"]))
        old, new = (open_checkpoint(n["checkpoint"], [verifier]) for n in notes)
        proof = doc["consistency_proof"]
        assert isinstance(proof, dict) and (proof["size1"], proof["size2"]) == (a, b)
        hashes = [base64.b64decode(h) for h in proof["hashes"]]
        with pytest.raises(ProofError):
            merkle.verify_consistency(a, b, hashes, old.root, new.root)
        evidence_file = tmp_path / "bob.json.evidence.json"
        assert report["evidence_files"] == [str(evidence_file)]
        assert json.loads(evidence_file.read_text()) == doc
        again = run_json(capsys, url_b, bob, alice, code=1)
        assert again["evidence_files"] == [str(tmp_path / "bob.json.evidence-2.json")]
        assert json.loads(evidence_file.read_text()) == doc  # never overwritten

        # Alice's server, compared with Bob's larger checkpoint: it shows less than it signed.
        report = run_json(capsys, url_a, carol, bob, code=1)
        failure = _failure(report)
        assert failure["check"] == "rollback"
        assert (
            f"the checkpoint in {bob} at size {b} is larger than the server's newest"
            in (failure["message"])
        )
        assert (tmp_path / "carol.json.evidence.json").exists() and not carol.exists()

        # Same size, two roots.
        while shown_a.ledger.size < b:
            shown_a.survey("A")
        report = run_json(capsys, url_a, tmp_path / "dave.json", bob, code=1)
        assert _failure(report)["check"] == "fork"
        assert (
            "has another root than the server's at the same size" in (_failure(report)["message"])
        )


def test_views_of_one_log_agree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Another watcher's state, a bare signed note and a publication's tlog-proof: all pass."""
    state, other = tmp_path / "seen.json", tmp_path / "other.json"
    with honest(tmp_path, monkeypatch) as (world, url):
        run_json(capsys, url, other)
        note = tmp_path / "checkpoint.txt"
        note.write_text(json.loads(other.read_text())["checkpoint"])
        for unit in "ABCD":
            world.survey(unit)
        receipt = tmp_path / "publication.tlog-proof"
        receipt.write_text(world.publish().proof)
        world.survey("A")
        report = run_json(capsys, url, state, other, note, receipt)
        assert report["verdict"] == "pass" and report["state_saved"]
        also = report["also"]
        assert isinstance(also, list) and [o["result"] for o in also] == ["consistent"] * 3
        assert report["counts"]["other checkpoints"] == 3  # type: ignore[index]
        assert report["evidence"] == [] and report["evidence_files"] == []

        # files that are not the log's checkpoints are a local problem, not the server's
        forged = tmp_path / "forged.txt"
        signer = NoteSigner(ORIGIN, labelled_key("other log").private_key)
        forged.write_text(signer.sign(note.read_text().split("\n\n")[0] + "\n"))
        for bad in (forged, tmp_path / "missing.txt"):
            report = run_json(capsys, url, state, bad, code=2)
            assert report["outcome"] == "local" and _failure(report)["check"] == "also"
            assert str(bad) in _failure(report)["message"]


def test_evidence_is_kept_when_the_remembered_checkpoint_is_contradicted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    state = tmp_path / "seen.json"
    with honest(tmp_path, monkeypatch, "first") as (_, url):
        run_json(capsys, url, state)
    remembered = state.read_bytes()
    with honest(tmp_path, monkeypatch, "rewritten") as (world, url):
        for unit in "ABCDABCD":
            world.survey(unit)
        report = run_json(capsys, url, state, code=1)
        doc = _evidence(report)
        notes = doc["checkpoints"]
        assert isinstance(notes, list) and len(notes) == 2
        assert notes[0]["checkpoint"] == json.loads(remembered)["checkpoint"]
        assert notes[1]["source"] == "GET /v1/checkpoint" and doc["check"] == "fork"
        assert isinstance(doc["consistency_proof"], dict)
        saved = json.loads((tmp_path / "seen.json.evidence.json").read_text())
        assert saved == doc
        assert state.read_bytes() == remembered


def test_the_command_line_passes_also_and_exit_codes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = tmp_path / "seen.json"
    with honest(tmp_path, monkeypatch) as (_, url):
        first = CliRunner().invoke(app, ["verify", "--url", url, "--state", str(state)])
        assert first.exit_code == 0, first.output
        args = ["verify", "--url", url, "--state", str(tmp_path / "b.json"), "--also", str(state)]
        second = CliRunner().invoke(app, [*args, "--json"])
        assert second.exit_code == 0 and json.loads(second.stdout)["also"][0]["file"] == str(state)
    down = ["verify", "--url", f"http://127.0.0.1:{free_port()}", "--state", str(state)]
    assert CliRunner().invoke(app, down).exit_code == 3
    state.write_text("")
    assert CliRunner().invoke(app, down).exit_code == 2
