"""`pingyi verify --url --state`: the state file is local, so its faults are local.

A state file that was altered, forged or cannot be read is a bad state file
(exit 2, naming the file), never evidence against an honest server; the state is
read and verified before the server is asked anything; it is written through a
unique temporary file under a lock, and never replaced by a state further back.
"""

from __future__ import annotations

import base64
import fcntl
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ledger.note import NoteSigner
from pingyi.cli import app
from pingyi.watch import load_state, run, save_state
from tests.support import ORIGIN, free_port, labelled_key
from tests.verifier.test_watch import honest, run_json


def _local_error(report: dict[str, object], state: Path) -> str:
    assert report["outcome"] == "local" and not report["state_saved"]
    failures = report["failures"]
    assert isinstance(failures, list) and [f["check"] for f in failures] == ["state file"]
    message: str = failures[0]["message"]
    assert str(state) in message
    return message


def test_an_altered_or_forged_state_file_is_not_an_accusation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    state = tmp_path / "seen.json"
    with honest(tmp_path, monkeypatch) as (world, url):
        for unit in "ABCD":
            world.survey(unit)
        run_json(capsys, url, state)
        good = json.loads(state.read_text())
        trusted = good["log_key"]
        other = NoteSigner(ORIGIN, labelled_key("other log").private_key)
        body = good["checkpoint"].split("\n\n")[0] + "\n"
        tampered = {
            # the signed note is genuine, the fields beside it were edited
            "altered": {**good, "root": base64.b64encode(b"\x00" * 32).decode()},
            "resized": {**good, "size": good["size"] + 1},
            # the note's text was edited (its size line), the signature kept
            "edited note": {
                **good,
                "checkpoint": good["checkpoint"].replace(
                    f"\n{good['size']}\n", f"\n{good['size'] - 1}\n", 1
                ),
                "size": good["size"] - 1,
            },
            # a whole state made with another key
            "other key": {
                **good,
                "log_key": other.verifier_key,
                "checkpoint": other.sign(body),
            },
        }
        expected = {
            "altered": "the file was altered",
            "resized": "the file was altered",
            "edited note": "does not verify",
            "other key": f"not the trusted key {trusted}",
        }
        for name, value in tampered.items():
            state.write_text(json.dumps(value))
            before = state.read_bytes()
            vkey = trusted if name == "other key" else None
            report = run_json(capsys, url, state, vkey=vkey, code=2)
            assert expected[name] in _local_error(report, state), name
            assert state.read_bytes() == before  # a bad state file is left for the user to see
            assert run(url, state=state, vkey=vkey, as_json=False) == 2
            err = " ".join(capsys.readouterr().err.split())
            assert "error:" in err and "cannot be trusted" in err and "fork" not in err
        state.write_text(json.dumps(good))
        assert run_json(capsys, url, state)["verdict"] == "pass"


def test_unusable_state_paths_are_named_without_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a file").write_text("x")
    cases: dict[str, tuple[Path, bytes | None, str]] = {
        "directory": (tmp_path / "dir.json", None, "Is a directory"),
        "parent is a file": (tmp_path / "a file" / "s.json", None, "not a directory"),
        "empty": (tmp_path / "empty.json", b"", "it is empty"),
        "corrupt": (tmp_path / "bad.json", b'{"format": "pingyi.watch/1", "size', "malformed JSON"),
        "other document": (tmp_path / "list.json", b"[]", "not a pingyi.watch/1 document"),
        "incomplete": (tmp_path / "inc.json", b'{"format": "pingyi.watch/1"}', "incomplete"),
    }
    cases["directory"][0].mkdir()
    for path, data, _ in cases.values():
        if data is not None:
            path.write_bytes(data)
    with honest(tmp_path, monkeypatch) as (_, url):
        for name, (path, _, expected) in cases.items():
            report = run_json(capsys, url, path, code=2)
            assert expected in _local_error(report, path), name
            result = CliRunner().invoke(app, ["verify", "--url", url, "--state", str(path)])
            assert isinstance(result.exception, SystemExit), (name, result.exception)
            assert "server's answer" not in result.output
    # local problems are found before the server is asked: no server is needed to find them
    down = f"http://127.0.0.1:{free_port()}"
    for name, (path, _, expected) in cases.items():
        assert expected in _local_error(run_json(capsys, down, path, code=2), path), name


def test_the_state_is_written_safely(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    state = tmp_path / "seen.json"
    (tmp_path / "seen.json.tmp").mkdir()  # in the way of a fixed temporary name
    with honest(tmp_path, monkeypatch) as (world, url):
        first = run_json(capsys, url, state)
        assert first["state_saved"]
        earlier = state.read_bytes()
        for unit in "ABCD":
            world.survey(unit)
        second = run_json(capsys, url, state)
        assert second["state_saved"] and second["latest"] == world.ledger.size
        names = {p.name for p in tmp_path.iterdir() if p.name.startswith(("seen", ".seen"))}
        assert names == {"seen.json", "seen.json.lock", "seen.json.tmp"}  # no temporary left
        with open(tmp_path / "seen.json.lock", "a") as held:  # another run
            fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
            busy = run_json(capsys, url, state, code=2)
            assert "another run is using the state file" in _local_error(busy, state)
        assert run_json(capsys, url, state)["verdict"] == "pass"
    # a run that got less far never replaces a state further on
    further = state.read_bytes()
    older = tmp_path / "older.json"
    older.write_bytes(earlier)
    behind = load_state(older, None)
    assert behind is not None
    assert "further on" in save_state(state, behind, url)
    assert state.read_bytes() == further
    ahead = load_state(state, None)
    assert ahead is not None and save_state(older, ahead, url) == ""
    assert older.read_bytes() == further
