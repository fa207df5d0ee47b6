"""`pingyi verify --url` against small real HTTP servers that misbehave: oversized answers,
missing members, a proof refused, and a busy log whose checkpoints are sampled."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from ledger import merkle
from ledger.note import NoteSigner
from pingyi import watch
from pingyi.remote import MAX_ANSWER, BadAnswer, urllib_fetch
from tests.support import ORIGIN, labelled_key
from tests.verifier.test_watch import Answer, _signed, answering, ok, run_json
from verifier.watch import Seen

TREE = merkle.MerkleTree(merkle.leaf_hash(bytes([n])) for n in range(40))
VKEY = NoteSigner(ORIGIN, labelled_key("log").private_key).verifier_key
LOG = ok({"origin": ORIGIN, "log_key": VKEY})


def _remember(state: Path, size: int) -> None:
    note = _signed(size, TREE.root(size))
    state.write_text(json.dumps(Seen(ORIGIN, VKEY, size, TREE.root(size), note).to_json("x")))


def _consistency(path: str) -> tuple[int, bytes]:
    query = parse_qs(urlsplit(path).query)
    size1, size2 = int(query["size1"][0]), int(query["size2"][0])
    proof = [base64.b64encode(h).decode() for h in TREE.consistency_proof(size1, size2)]
    return ok({"proof": proof, "checkpoint": _signed(size2, TREE.root(size2))})


def _log_of(size: int, consistency: Answer = _consistency) -> dict[str, Answer]:
    return {
        "/v1/log": LOG,
        "/v1/checkpoints?after=4&limit=1000": ok([]),
        "/v1/checkpoint": ok(_signed(size, TREE.root(size))),
        f"/v1/proofs/consistency?size1=4&size2={size}": consistency,
    }


def _failure(report: dict[str, object]) -> dict[str, str]:
    failures = report["failures"]
    assert isinstance(failures, list) and len(failures) == 1, failures
    failure: dict[str, str] = failures[0]
    return failure


def test_an_oversized_answer_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    huge = (200, b" " * (MAX_ANSWER + 1))
    with answering({"/v1/log": huge, "/v1/entries.ndjson": huge, "/small": ok("12345")}) as url:
        report = run_json(capsys, url, tmp_path / "s.json", code=1)
        assert _failure(report) == {
            "log": "?",
            "index": None,
            "check": "server",
            "message": (
                f"GET /v1/log: the server's answer is oversized (more than {MAX_ANSWER:,} bytes)"
            ),
        }
        fetch = urllib_fetch(url, max_bytes=4)
        with pytest.raises(BadAnswer, match="more than 4 bytes"):
            fetch("GET", "/small", None)
        # streams are checked by their callers against a signed root, not capped by default
        assert len(urllib_fetch(url)("GET", "/v1/entries.ndjson", None)[1]) == MAX_ANSWER + 1


def test_a_refused_proof_and_missing_members(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state = tmp_path / "s.json"
    _remember(state, 4)
    with answering(_log_of(8)) as url:
        assert run_json(capsys, url, state)["latest"] == 8
    _remember(state, 4)

    refused = (500, b'{"detail": "internal error"}')
    with answering(_log_of(8, refused)) as url:
        report = run_json(capsys, url, state, code=1)
        failure = _failure(report)
        assert failure["check"] == "consistency" and report["outcome"] == "caught"
        assert (
            "the log signed checkpoints of sizes 4 and 8, but the server cannot prove"
            in (failure["message"])
        )
        assert report["evidence_files"] == [str(tmp_path / "s.json.evidence.json")]

    lacking = ok({"checkpoint": _signed(8, TREE.root(8))})
    with answering(_log_of(8, lacking)) as url:
        failure = _failure(run_json(capsys, url, state, code=1))
        assert failure["check"] == "server"
        assert failure["message"] == (
            "the server's answer to GET /v1/proofs/consistency?size1=4&size2=8 lacks 'proof'"
        )
    with answering({"/v1/log": ok({"log_key": VKEY})}) as url:
        failure = _failure(run_json(capsys, url, state, code=1))
        assert failure["message"] == "the server's answer to GET /v1/log lacks 'origin'"
    assert json.loads(state.read_text())["size"] == 4


def test_a_busy_log_is_sampled(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """40 stored checkpoints, a limit of 5: every signature checked, 5 proofs asked for."""
    asked: list[str] = []

    def counted(path: str) -> tuple[int, bytes]:
        asked.append(path)
        return _consistency(path)

    listed = [_signed(n, TREE.root(n)) for n in range(1, 41)]
    answers: dict[str, Answer] = {
        "/v1/log": LOG,
        "/v1/checkpoints?after=0&limit=1000": ok(listed),
        "/v1/checkpoint": ok(listed[-1]),
    }
    for size1 in range(1, 41):
        for size2 in range(size1 + 1, 41):
            answers[f"/v1/proofs/consistency?size1={size1}&size2={size2}"] = counted
    state = tmp_path / "s.json"
    with answering(answers) as url:
        report = run_json(capsys, url, state, limit=5)
        assert report["verdict"] == "pass" and report["latest"] == 40
        assert report["sample"] == {"listed": 40, "proved": 5}
        assert report["counts"] == {"checkpoints": 41, "consistency proofs": 5}
        assert asked == [  # from the first, along the sample, to the newest
            f"/v1/proofs/consistency?size1={a}&size2={b}"
            for a, b in ((1, 8), (8, 16), (16, 24), (24, 32), (32, 40))
        ]
        assert run_json(capsys, url, tmp_path / "all.json")["sample"] is None
        # a checkpoint that goes back is caught even where no proof is asked for
        answers["/v1/checkpoints?after=0&limit=1000"] = ok([*listed[:10], listed[2], *listed[10:]])
        failure = _failure(run_json(capsys, url, tmp_path / "new.json", code=1, limit=5))
        assert failure["check"] == "rollback"


def test_checkpoints_are_listed_page_by_page(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server lists at most a page of checkpoints at a time; the watcher asks on."""
    monkeypatch.setattr(watch, "PAGE", 16)
    listed = [_signed(n, TREE.root(n)) for n in range(1, 41)]
    answers: dict[str, Answer] = {
        "/v1/log": LOG,
        "/v1/checkpoints?after=0&limit=16": ok(listed[:16]),
        "/v1/checkpoints?after=16&limit=16": ok(listed[16:32]),
        "/v1/checkpoints?after=32&limit=16": ok(listed[32:]),
        "/v1/checkpoint": ok(listed[-1]),
    }
    for size1 in range(1, 41):
        for size2 in range(size1 + 1, 41):
            answers[f"/v1/proofs/consistency?size1={size1}&size2={size2}"] = _consistency
    with answering(answers) as url:
        report = run_json(capsys, url, tmp_path / "s.json")
        assert report["verdict"] == "pass" and report["counts"]["checkpoints"] == 41
        # a server whose full page does not move on would be asked forever: refused
        answers["/v1/checkpoints?after=16&limit=16"] = ok(listed[:16])
        failure = _failure(run_json(capsys, url, tmp_path / "t.json", code=1))
        assert "went backwards (to size 16): it would never end" in failure["message"]
