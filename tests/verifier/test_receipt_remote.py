"""Remote voters: `ballot cast --url` keeps the server's proof as the receipt, and
`ballot receipt --url` makes one from the server's public reads (real servers on loopback)."""

from __future__ import annotations

import json
from contextlib import AbstractContextManager
from pathlib import Path

import pytest

from api.service import Settings
from ledger.keys import PASSPHRASE_ENV
from ledger.note import parse_tlog_proof
from tests.support import free_port
from tests.support import serving as serve
from tests.verifier.test_receipt_ballot import RATINGS, Election, election, pingyi, said

__all__ = ["election"]  # the fixture, shared with the local tests

PASSPHRASE = "a test passphrase"


def serving(store: str, log_key: Path | None) -> AbstractContextManager[str]:
    """A pingyi server on loopback in a thread (read-only without a log key); its URL."""
    return serve(Settings(store, log_key, 256 * 1024))


@pytest.fixture
def log_key(election: Election, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(PASSPHRASE_ENV, PASSPHRASE)
    path = tmp_path / "log.key"
    election.log.save(path, PASSPHRASE.encode())
    return path


def test_cast_by_url_writes_the_servers_receipt(election: Election, log_key: Path) -> None:
    slip = election.slips[0]
    with serving(election.url, log_key) as url:
        cast = pingyi(
            "ballot", "cast", "--slip", slip, "--ratings", RATINGS, "--url", url, "--json"
        )
        (row,) = json.loads(cast.stdout)
        assert row["type"] == "ballot.cast" and row["index"] == 6
        assert row["receipt"] == [
            "my-ballot.tlog-proof",
            "my-ballot.credential.tlog-proof",
            "log.vkey",
        ]
        proof = parse_tlog_proof(Path("my-ballot.tlog-proof").read_text())
        assert proof.index == 6 and proof.extra is not None and b'"ballot.cast"' in proof.extra
        # the credential's proof is against the same checkpoint as the server's answer
        issued = parse_tlog_proof(Path("my-ballot.credential.tlog-proof").read_text())
        assert issued.checkpoint == proof.checkpoint and issued.index == 5

        report = json.loads(
            pingyi(
                "receipt",
                "verify",
                "my-ballot.tlog-proof",
                "--slip",
                slip,
                "--vkey",
                election.vkey,
                "--json",
            ).stdout
        )
        assert report["verdict"] == "pass" and report["ballot"]["yours"]
        assert report["ballot"]["ratings"]["TW01"] == "very_satisfied"

        # later, elsewhere: the receipt again, from the server's public reads only
        Path("later").mkdir()
        made = said(
            pingyi("ballot", "receipt", "--slip", slip, "--url", url, "--out", "later/r.tlog-proof")
        )
        assert "later/r.credential.tlog-proof" in made
        checked = said(
            pingyi(
                "receipt", "verify", "later/r.tlog-proof", "--slip", slip, "--vkey", election.vkey
            )
        )
        assert "通过 PASS" in checked and "本人 Yours: yes" in checked

        unused = said(
            pingyi("ballot", "receipt", "--slip", election.slips[1], "--url", url, code=2)
        )
        assert "no ballot was cast with this slip" in unused and "the server's log" in unused


def test_a_read_only_server_without_a_covering_checkpoint(election: Election) -> None:
    slip = election.slips[0]
    pingyi("ballot", "cast", "--slip", slip, "--ratings", RATINGS)  # local: no checkpoint yet
    with serving(election.url, None) as url:
        refused = said(
            pingyi(
                "ballot",
                "cast",
                "--slip",
                election.slips[1],
                "--ratings",
                RATINGS,
                "--url",
                url,
                code=2,
            )
        )
        assert "cannot answer appends" in refused and "Traceback" not in refused
        waiting = said(pingyi("ballot", "receipt", "--slip", slip, "--url", url, code=2))
        assert "your ballot is entry 6, but no signed checkpoint covers it yet" in waiting
    election.sign_checkpoint()
    pingyi("ballot", "cast", "--slip", election.slips[2], "--ratings", RATINGS)
    with serving(election.url, None) as url:
        later = said(pingyi("ballot", "receipt", "--slip", election.slips[2], "--url", url, code=2))
        assert "your ballot is entry 7, but no signed checkpoint covers it yet" in later
        pingyi("ballot", "receipt", "--slip", slip, "--url", url)  # the first ballot is covered
    assert Path("log.vkey").read_text().strip() == election.vkey


def test_an_unreachable_server_is_a_message_not_a_traceback(election: Election) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    for command in (["ballot", "cast", "--ratings", RATINGS], ["ballot", "receipt"]):
        out = said(pingyi(*command, "--slip", election.slips[0], "--url", url, code=2))
        assert "cannot reach" in out
