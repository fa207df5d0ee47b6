"""`pingyi verify --url`: real servers on loopback (uvicorn), a log that grows, one that forks,
one that rolls back, one signed by another key, and a server that signs two roots for one size.

Also the helpers the other ``test_watch_*`` files share: :func:`serving` (a pingyi
server), :func:`answering` (a small HTTP server giving canned answers, for servers
that misbehave) and :func:`run_json` (the command, as ``pingyi verify --url --json``).
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.service import Settings
from ledger import merkle
from ledger.keys import PASSPHRASE_ENV
from ledger.note import Checkpoint, NoteSigner
from ledger.store.app import Ledger
from pingyi.cli import app
from pingyi.watch import run, watch
from tests.support import ORIGIN, fixed_clock, free_port, labelled_key
from tests.support import serving as serve
from tests.verifier.world import PASSPHRASE, PublishWorld
from verifier.watch import Seen, WatchError, advance


def serving(url: str, key_file: Path) -> AbstractContextManager[str]:
    """A pingyi server on loopback in a thread; yields its base URL."""
    return serve(Settings(url, key_file, 256 * 1024, clock=fixed_clock))


@contextmanager
def honest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str = "honest"
) -> Iterator[tuple[PublishWorld, str]]:
    """A log on SQLite (its own history) served by a real pingyi server: (world, base URL)."""
    monkeypatch.setenv(PASSPHRASE_ENV, PASSPHRASE)
    key = tmp_path / "log.key"
    if not key.exists():
        labelled_key("log").save(key, PASSPHRASE.encode())
    world = PublishWorld.create(f"sqlite:///{tmp_path}/{name}.db")
    try:
        with serving(world.url, key) as url:
            yield world, url
    finally:
        world.close()


#: What a canned server answers for a path with query: (status, body), or a function of the path.
Answer = tuple[int, bytes] | Callable[[str], tuple[int, bytes]]


@contextmanager
def answering(answers: dict[str, Answer]) -> Iterator[str]:
    """A small real HTTP server on loopback answering from ``answers`` (404 otherwise)."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            answer = answers.get(self.path, (404, b'{"detail": "not found"}'))
            status, body = answer(self.path) if callable(answer) else answer
            self.send_response(status)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(20)


def ok(value: object) -> tuple[int, bytes]:
    """A 200 answer: text as is, anything else as JSON."""
    return 200, value.encode() if isinstance(value, str) else json.dumps(value).encode()


def run_json(
    capsys: pytest.CaptureFixture[str],
    url: str,
    state: Path | None,
    *also: Path,
    vkey: str | None = None,
    code: int = 0,
    **kw: int,
) -> dict[str, object]:
    """``pingyi verify --url URL --state STATE --also … --json``: its JSON; asserts the exit code."""
    capsys.readouterr()
    got = run(url, state=state, vkey=vkey, also=also, as_json=True, **kw)
    out = capsys.readouterr().out
    assert got == code, out
    report: dict[str, object] = json.loads(out)
    assert report["exit_code"] == code
    return report


def check(url: str, state: Path, *extra: str, code: int = 0) -> dict[str, object]:
    result = CliRunner().invoke(
        app, ["verify", "--url", url, "--state", str(state), "--json", *extra]
    )
    assert result.exit_code == code, result.output
    report: dict[str, object] = json.loads(result.stdout)
    return report


@pytest.fixture
def keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    monkeypatch.setenv(PASSPHRASE_ENV, PASSPHRASE)
    paths = {}
    for name in ("log", "other log"):
        path = tmp_path / f"{name.replace(' ', '-')}.key"
        labelled_key(name).save(path, PASSPHRASE.encode())
        paths[name] = path
    return paths


def test_a_growing_log_passes_and_is_remembered(
    pub: PublishWorld, keys: dict[str, Path], tmp_path: Path
) -> None:
    state = tmp_path / "seen.json"
    with serving(pub.url, keys["log"]) as url:
        first = check(url, state)
        assert first["verdict"] == "pass" and first["remembered"] is None and first["state_saved"]
        assert "first use" in str(first["log_key_source"])
        for unit in "ABCD":
            pub.survey(unit)
        pub.ledger.checkpoint()
        pub.finding("A")
        second = check(url, state)
        assert second["verdict"] == "pass" and second["remembered"] == first["latest"]
        assert second["latest"] == pub.ledger.size
        counts = second["counts"]
        assert isinstance(counts, dict) and counts["consistency proofs"] >= 2
        assert "state file" in str(second["log_key_source"])
        out = CliRunner().invoke(app, ["verify", "--url", url, "--state", str(state)])
        assert out.exit_code == 0 and "通过 PASS" in out.output
    saved = json.loads(state.read_text())
    assert saved["format"] == "pingyi.watch/1" and saved["size"] == pub.ledger.size
    assert base64.b64decode(saved["root"]) == pub.ledger.root()


def test_a_fork_and_a_rollback_are_caught(
    pub: PublishWorld, keys: dict[str, Path], tmp_path: Path
) -> None:
    state = tmp_path / "seen.json"
    for unit in "ABCDABCD":
        pub.survey(unit)
    with serving(pub.url, keys["log"]) as url:
        check(url, state)
    remembered = state.read_bytes()
    other = PublishWorld.create(f"sqlite:///{tmp_path}/other.db")  # same keys, another history
    try:
        with serving(other.url, keys["log"]) as url:
            rolled = check(url, state, code=1)
            assert rolled["first_failure"]["check"] == "rollback"  # type: ignore[index]
            for unit in "ABCDABCDABCD":
                other.survey(unit)
            forked = check(url, state, code=1)
            failure = forked["first_failure"]
            assert isinstance(failure, dict) and failure["check"] == "fork"
            assert "rewrote its history or shows different logs" in failure["message"]
            assert not forked["state_saved"]
    finally:
        other.close()
    assert state.read_bytes() == remembered  # a failed check never moves the state


def test_a_checkpoint_signed_by_another_key_is_caught(
    pub: PublishWorld, keys: dict[str, Path], tmp_path: Path
) -> None:
    state = tmp_path / "seen.json"
    with serving(pub.url, keys["log"]) as url:
        check(url, state)
    impostor = Ledger.create(
        f"sqlite:///{tmp_path}/impostor.db",
        ORIGIN,
        deployment="impostor",
        root=labelled_key("root"),
        log_signer=NoteSigner(ORIGIN, labelled_key("other log").private_key),
        clock=fixed_clock,
    )
    impostor.close()
    with serving(f"sqlite:///{tmp_path}/impostor.db", keys["other log"]) as url:
        forged = check(url, state, code=1)
        checks = {f["check"] for f in forged["failures"]}  # type: ignore[union-attr]
        assert checks == {"log key", "checkpoint"}
        trusted = json.loads(state.read_text())["log_key"]
        fresh = check(url, tmp_path / "new.json", "--vkey", trusted, code=1)
        messages = [f["message"] for f in fresh["failures"]]  # type: ignore[union-attr]
        assert "not the trusted" in messages[0] and "forged or malformed" in messages[1]


def _signed(size: int, root: bytes) -> str:
    return NoteSigner(ORIGIN, labelled_key("log").private_key).sign(
        Checkpoint(ORIGIN, size, root).body()
    )


def test_a_server_that_signs_two_roots_for_one_size(tmp_path: Path) -> None:
    """A lying server: its consistency answer carries another root for the same size."""
    tree = merkle.MerkleTree(merkle.leaf_hash(bytes([n])) for n in range(8))
    vkey = NoteSigner(ORIGIN, labelled_key("log").private_key).verifier_key
    state = tmp_path / "seen.json"
    state.write_text(
        json.dumps(Seen(ORIGIN, vkey, 4, tree.root(4), _signed(4, tree.root(4))).to_json("x"))
    )
    answers = {
        "/v1/log": {"origin": ORIGIN, "log_key": vkey},
        "/v1/checkpoints?after=4&limit=1000": [],
        "/v1/checkpoint": _signed(8, tree.root(8)),
        "/v1/proofs/consistency?size1=4&size2=8": {
            "size1": 4,
            "size2": 8,
            "proof": [base64.b64encode(h).decode() for h in tree.consistency_proof(4, 8)],
            "checkpoint": _signed(8, b"\x01" * 32),
        },
    }

    def fetch(method: str, path: str, body: bytes | None) -> tuple[int, bytes]:
        value = answers[path]
        return 200, value.encode() if isinstance(value, str) else json.dumps(value).encode()

    result = watch(fetch, "http://liar.example", state=state)
    assert [f.check for f in result.report.failures] == ["fork"]
    assert "two different roots for size 8" in result.report.failures[0].message
    answers["/v1/proofs/consistency?size1=4&size2=8"]["checkpoint"] = _signed(8, tree.root(8))  # type: ignore[index]
    assert watch(fetch, "http://liar.example", state=state).report.ok


def test_advance_rules() -> None:
    tree = merkle.MerkleTree(merkle.leaf_hash(bytes([n])) for n in range(6))

    def seen(size: int, root: bytes | None = None) -> Seen:
        return Seen(ORIGIN, "k", size, root or tree.root(size), "")

    advance(seen(3), seen(3), None)
    advance(seen(3), seen(6), tree.consistency_proof(3, 6))
    with pytest.raises(WatchError, match="rolled back") as rollback:
        advance(seen(6), seen(3), None)
    assert rollback.value.check == "rollback"
    with pytest.raises(WatchError, match="forked"):
        advance(seen(3), seen(3, b"\x00" * 32), None)
    with pytest.raises(WatchError, match="does not extend"):
        advance(seen(3), seen(6, b"\x00" * 32), tree.consistency_proof(3, 6))
    with pytest.raises(WatchError, match="no consistency proof"):
        advance(seen(3), seen(6), None)


def test_an_unreachable_server_is_not_an_accusation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Refused connections and HTTP errors: outcome "unreachable", exit 3, not 1 as for a fork;
    the state is read first, so what is remembered is still shown."""
    state = tmp_path / "s.json"
    with honest(tmp_path, monkeypatch) as (_, url):
        size = run_json(capsys, url, state)["latest"]
    down = f"http://127.0.0.1:{free_port()}"
    report = run_json(capsys, down, state, code=3)
    assert report["outcome"] == "unreachable" and report["remembered"] == size
    assert report["first_failure"]["check"] == "network"  # type: ignore[index]
    assert "could not reach the server" in report["first_failure"]["message"]  # type: ignore[index]
    assert run(down, state=state, vkey=None, as_json=False) == 3
    text = " ".join(capsys.readouterr().out.split())
    assert f"remembered: size {size}" in text and "could not reach the server" in text
    with answering({"/v1/log": (503, b'{"detail": "overloaded"}')}) as busy:
        report = run_json(capsys, busy, state, code=3)
        assert "503: overloaded" in report["first_failure"]["message"]  # type: ignore[index]
    bad = CliRunner().invoke(app, ["verify", "--url", "ftp://example"])
    assert bad.exit_code == 2
