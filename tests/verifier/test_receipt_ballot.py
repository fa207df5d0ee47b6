"""A voter's receipt on a real store: cast, get the receipt, check it offline; and every way
a receipt can be wrong (forged, altered, someone else's, wrong key, malformed), each a clear
message and the right exit code (0 pass, 1 the receipt fails, 2 the command cannot run)."""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from ledger import canonical, merkle
from ledger.entry import Entry, Submission
from ledger.keys import Signer
from ledger.note import Checkpoint, NoteSigner, format_tlog_proof
from ledger.store.app import Ledger
from pingyi import conduct
from pingyi.cli import app
from projections.policy import default_policies
from tests.support import ORIGIN, adoption, labelled_key

RATINGS = "TW01=very_satisfied,TW02=satisfied,TW03=dont_know"
OTHER_KEY = "test.pingyi.example/county+00000000+AQ" + "A" * 42 + "="


@dataclass
class Election:
    """A log with a credential window open and three slips written to ``slips/``."""

    url: str
    ledger: Ledger
    slips: list[Path]
    log: Signer
    office: Signer

    @classmethod
    def create(cls, url: str, directory: Path) -> Election:
        root, log, office = labelled_key("root"), labelled_key("log"), labelled_key("office")
        ledger = Ledger.create(
            url,
            ORIGIN,
            deployment="TEST county",
            root=root,
            log_signer=NoteSigner(ORIGIN, log.private_key),
            policies=default_policies(),
        )
        world = cls(url, ledger, [], log, office)
        roles = {"key": office.public_b64, "holder": "office", "roles": ["registrar", "office"]}
        world.append(root, "key.register", roles)
        world.append(office, "rulebook.adopt", adoption("c2026", "000-county"))
        world.append(office, "campaign.open", {"campaign": "c2026", "title": "2026 测评"})
        window = {"campaign": "c2026", "window": "review", "component": "review"}
        world.append(office, "window.open", {**window, "mode": "credential", "title": "评议"})
        slips = conduct.new_slips(ORIGIN, "c2026", "review", "review", None, 3, os.urandom)
        world.append(office, "credential.issue", conduct.issue_payload(slips))
        (directory / "slips").mkdir()
        for n, slip in enumerate(slips, 1):
            path = directory / "slips" / f"slip-{n}.json"
            path.write_text(json.dumps(slip.to_json()))
            world.slips.append(path)
        return world

    def append(self, signer: Signer, type_: str, payload: dict[str, Any]) -> None:
        when = self.ledger.clock()
        self.ledger.append(
            [Submission.new(signer, log=ORIGIN, type=type_, payload=payload, time=when)]
        )

    @property
    def vkey(self) -> str:
        return NoteSigner(ORIGIN, self.log.private_key).verifier_key

    def sign_checkpoint(self) -> None:
        self.ledger.checkpoint()


@pytest.fixture
def election(store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Election]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PINGYI_STORE", store_url)
    world = Election.create(store_url, tmp_path)
    yield world
    world.ledger.close()


def pingyi(*args: str | Path, code: int = 0) -> Result:
    """Run the command; it must exit with ``code`` and never with a traceback."""
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert result.exit_code == code, (args, result.output)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def said(result: Result) -> str:
    """The output as one line (rich wraps long lines at the terminal's width)."""
    return " ".join(result.output.split())


def cast_and_certify(
    election: Election, slip: Path, out: str = "voter/my-ballot.tlog-proof"
) -> Path:
    pingyi("ballot", "cast", "--slip", slip, "--ratings", RATINGS)
    election.sign_checkpoint()
    pingyi("ballot", "receipt", "--slip", slip, "--out", out)
    return Path(out)


def test_a_voter_casts_gets_the_receipt_and_checks_it_offline(election: Election) -> None:
    slip = election.slips[0]
    cast = said(pingyi("ballot", "cast", "--slip", slip, "--ratings", RATINGS))
    assert "no signed checkpoint covers your ballot yet" in cast
    assert f"pingyi ballot receipt --slip {slip}" in cast  # what to do
    assert not Path("my-ballot.tlog-proof").exists()
    waiting = said(pingyi("ballot", "receipt", "--slip", slip, code=2))
    assert "no signed checkpoint covers it yet" in waiting and "Traceback" not in waiting

    election.sign_checkpoint()
    made = said(pingyi("ballot", "receipt", "--slip", slip, "--out", "voter/my-ballot.tlog-proof"))
    assert "voter/my-ballot.credential.tlog-proof" in made and "voter/log.vkey" in made
    files = sorted(p.name for p in Path("voter").iterdir())
    assert files == ["log.vkey", "my-ballot.credential.tlog-proof", "my-ballot.tlog-proof"]
    seed = json.loads(slip.read_text())["seed"]
    for path in Path("voter").iterdir():  # no secret in the receipt
        text = path.read_text()
        assert seed not in text and base64.b64decode(seed).hex() not in text
    assert Path("voter/log.vkey").read_text().strip() == election.vkey

    mine = "voter/my-ballot.tlog-proof"
    checked = said(pingyi("receipt", "verify", mine, "--slip", slip, "--vkey", election.vkey))
    assert "通过 PASS" in checked and "WARNING" not in checked
    assert "TW01 │ very_satisfied" in checked and "TW03 │ dont_know" in checked
    assert "签名 Signature: checked" in checked and "本人 Yours: yes" in checked
    assert "凭证 Credential: issued by entry #5" in checked
    report = json.loads(
        pingyi("receipt", "verify", mine, "--slip", slip, "--vkey", election.vkey, "--json").stdout
    )
    assert report["verdict"] == "pass" and report["key_source"] == "given"
    assert report["author_signature_checked"] and report["warnings"] == []
    ballot = report["ballot"]
    assert ballot["ratings"] == dict(pair.split("=") for pair in RATINGS.split(","))
    assert ballot["yours"] and ballot["credential_issued_at"] == 5
    assert (
        ballot["credential"] == conduct.Slip.from_json(json.loads(slip.read_text())).signer.key_id
    )

    # without --slip and --vkey: it passes, saying plainly what is not shown
    alone = said(pingyi("receipt", "verify", mine))
    assert "通过 PASS" in alone and "签名 Signature: checked" in alone
    assert (
        "注意 WARNING" in alone and "compare it with the key the evaluation office" in alone.lower()
    )
    assert "本人 Yours: not shown" in alone and "signed by key" not in alone
    report = json.loads(pingyi("receipt", "verify", mine, "--json").stdout)
    assert report["key_source"] == "beside-receipt" and not report["ballot"]["yours"]
    assert any("compare it with" in w for w in report["warnings"])


def test_no_receipt_before_the_ballot_is_cast(election: Election) -> None:
    out = said(pingyi("ballot", "receipt", "--slip", election.slips[1], code=2))
    assert "no ballot was cast with this slip" in out and "pingyi ballot cast" in out
    assert not Path("my-ballot.tlog-proof").exists() and not Path("log.vkey").exists()


def test_a_forged_ballot_with_the_original_signature_fails(election: Election) -> None:
    """The reviewer's attack: the log rebuilds its tree with TW01 changed and signs it."""
    slip = election.slips[0]
    cast_and_certify(election, slip)
    raws = list(election.ledger.raw_entries(-1))
    ballot = next(Entry.from_bytes(r) for r in raws if b'"ballot.cast"' in r)
    statement = json.loads(ballot.statement_bytes)
    statement["payload"]["ratings"]["TW01"] = "dissatisfied"
    forged = canonical.entry_bytes(
        ballot.index, ballot.prev, ballot.signature, canonical.canonical(statement)
    )
    raws[ballot.index] = forged
    tree = merkle.MerkleTree(merkle.leaf_hash(r) for r in raws)
    note = NoteSigner(ORIGIN, election.log.private_key).sign(
        Checkpoint(ORIGIN, tree.size, tree.root()).body()
    )
    Path("forged").mkdir()
    issue = next(Entry.from_bytes(r) for r in raws if b'"credential.issue"' in r)
    for name, entry_bytes, index in (
        ("my-ballot.tlog-proof", forged, ballot.index),
        ("my-ballot.credential.tlog-proof", issue.raw, issue.index),
    ):
        proof = tree.inclusion_proof(index, tree.size)
        Path("forged", name).write_text(format_tlog_proof(index, proof, note, extra=entry_bytes))

    for extra in ([], ["--slip", str(slip)]):
        result = pingyi(
            "receipt",
            "verify",
            "forged/my-ballot.tlog-proof",
            "--vkey",
            election.vkey,
            *extra,
            code=1,
        )
        out = said(result)
        assert "未通过 FAIL" in out and "signature does not verify" in out and "PASS" not in out
        assert "dissatisfied" not in out.replace("未通过", "")  # no ratings shown for a forgery
    report = json.loads(
        pingyi(
            "receipt",
            "verify",
            "forged/my-ballot.tlog-proof",
            "--vkey",
            election.vkey,
            "--json",
            code=1,
        ).stdout
    )
    assert report["verdict"] == "fail" and "forged or altered" in report["problem"]
    # without the credential's receipt and without the slip, nothing can check the signature
    Path("forged/my-ballot.credential.tlog-proof").unlink()
    out = said(
        pingyi("receipt", "verify", "forged/my-ballot.tlog-proof", "--vkey", election.vkey, code=2)
    )
    assert "cannot check the ballot's signature" in out and "--slip" in out and "PASS" not in out


def test_altered_entry_bytes_fail(election: Election) -> None:
    receipt = cast_and_certify(election, election.slips[0])
    lines = receipt.read_text().split("\n")
    raw = base64.b64decode(lines[1].removeprefix("extra "))
    lines[1] = "extra " + base64.b64encode(raw.replace(b"very_satisfied", b"dissatisfied")).decode()
    receipt.write_text("\n".join(lines))
    out = said(pingyi("receipt", "verify", receipt, "--vkey", election.vkey, code=1))
    assert "未通过 FAIL" in out and "inclusion proof" in out.lower()

    receipt = cast_and_certify(election, election.slips[1], "second/my-ballot.tlog-proof")
    credential = Path("second/my-ballot.credential.tlog-proof")
    lines = credential.read_text().split("\n")
    raw = base64.b64decode(lines[1].removeprefix("extra "))
    lines[1] = "extra " + base64.b64encode(raw.replace(b'"review"', b'"revieW"', 1)).decode()
    credential.write_text("\n".join(lines))
    out = said(pingyi("receipt", "verify", receipt, "--vkey", election.vkey, code=1))
    assert "未通过 FAIL" in out


def test_someone_elses_ballot_is_not_yours(election: Election) -> None:
    receipt = cast_and_certify(election, election.slips[0])
    out = said(
        pingyi(
            "receipt",
            "verify",
            receipt,
            "--vkey",
            election.vkey,
            "--slip",
            election.slips[2],
            code=1,
        )
    )
    assert "this ballot is not yours" in out and "pingyi ballot receipt --slip" in out


def test_a_wrong_log_key_fails(election: Election) -> None:
    receipt = cast_and_certify(election, election.slips[0])
    out = said(pingyi("receipt", "verify", receipt, "--vkey", OTHER_KEY, code=1))
    assert "未通过 FAIL" in out and "PASS" not in out.replace("未通过 FAIL", "")


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"hello\n",
        b"\xff\xfe\x00binary",
        b'{"index": 5}',
        b"c2sp.org/tlog-proof@v1\nextra !!!\nindex 5\n\nnot a checkpoint\n",
    ],
)
def test_a_malformed_receipt_file_fails_clearly(election: Election, content: bytes) -> None:
    Path("bad.tlog-proof").write_bytes(content)
    out = said(pingyi("receipt", "verify", "bad.tlog-proof", "--vkey", election.vkey, code=1))
    assert "未通过 FAIL" in out and "Traceback" not in out
    report = json.loads(
        pingyi(
            "receipt", "verify", "bad.tlog-proof", "--vkey", election.vkey, "--json", code=1
        ).stdout
    )
    assert report["verdict"] == "fail" and report["problem"]


def test_missing_files_and_a_bad_slip_are_usage_errors(election: Election) -> None:
    out = said(pingyi("receipt", "verify", "nowhere.tlog-proof", "--vkey", election.vkey, code=2))
    assert "cannot read the receipt nowhere.tlog-proof" in out
    receipt = cast_and_certify(election, election.slips[0])
    Path("not-a-slip.json").write_text('{"seed": "x"}')
    for command in (
        ["receipt", "verify", str(receipt), "--vkey", election.vkey],
        ["ballot", "receipt"],
        ["ballot", "cast", "--ratings", RATINGS],
    ):
        out = said(pingyi(*command, "--slip", "not-a-slip.json", code=2))
        assert "not-a-slip.json is not a credential slip" in out
    out = said(
        pingyi(
            "receipt", "verify", receipt, "--vkey", election.vkey, "--credential", "gone", code=2
        )
    )
    assert "cannot read the credential's receipt gone" in out


def test_an_existing_log_key_beside_the_receipt_is_never_replaced(election: Election) -> None:
    slip = election.slips[0]
    pingyi("ballot", "cast", "--slip", slip, "--ratings", RATINGS)
    election.sign_checkpoint()
    Path("voter").mkdir()
    Path("voter/log.vkey").write_text(OTHER_KEY + "\n")
    out = said(
        pingyi("ballot", "receipt", "--slip", slip, "--out", "voter/my-ballot.tlog-proof", code=2)
    )
    whole = "".join(out.split())  # the keys, however the lines were wrapped
    assert OTHER_KEY in whole and election.vkey in whole and "left as it is" in out
    assert Path("voter/log.vkey").read_text() == OTHER_KEY + "\n"
    assert sorted(p.name for p in Path("voter").iterdir()) == ["log.vkey"]
    # the same key is fine
    Path("voter/log.vkey").write_text(election.vkey + "\n")
    pingyi("ballot", "receipt", "--slip", slip, "--out", "voter/my-ballot.tlog-proof")
    assert Path("voter/my-ballot.tlog-proof").is_file()
