"""verify_log on logs an honest ledger never writes: ids used twice, entries placed
where their author's ``prev`` says they may not be; and the report's first failure.

The logs are sequenced by hand (every signature valid), as a dishonest operator
with write access to the database could.
"""

from __future__ import annotations

from datetime import UTC, datetime

from ledger import canonical
from ledger.entry import Entry, Submission, new_statement
from ledger.note import NoteSigner
from tests.support import ORIGIN, labelled_key
from verifier.log import verify_log
from verifier.report import MAX_FAILURES, Report

ROOT = labelled_key("root")
LOG_KEY = NoteSigner(ORIGIN, labelled_key("log").private_key)
TIME = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def _submission(type_: str, payload: dict[str, object], **extra: str) -> Submission:
    statement = new_statement(
        log=ORIGIN, type=type_, payload=payload, signer=ROOT.key_id, time=TIME, **extra
    )
    return Submission.sign(ROOT, statement)


def _genesis() -> Submission:
    payload = {
        "deployment": "TEST county",
        "root_key": ROOT.public_b64,
        "log_key": LOG_KEY.verifier_key,
    }
    return _submission("genesis", payload, id="00000000-0000-4000-8000-000000000000")


def _register(label: str, **extra: str) -> Submission:
    payload = {
        "key": labelled_key(label).public_b64,
        "holder": label,
        "roles": ["supervisor"],
    }
    return _submission("key.register", payload, **extra)


def _sequence(submissions: list[Submission]) -> list[bytes]:
    raw, head = [], canonical.GENESIS_PREV
    for index, submission in enumerate(submissions):
        entry = Entry.sequence(submission, index, head)
        raw.append(entry.raw)
        head = entry.hash
    return raw


def _verify(raw: list[bytes]) -> Report:
    report = Report(subject="test")
    verify_log(raw, [], report=report, workers=1)
    return report


def test_an_honest_hand_sequenced_log_passes() -> None:
    report = _verify(_sequence([_genesis(), _register("a"), _register("b")]))
    assert report.ok, report.first_failure
    assert report.counts["signatures"] == 3


def test_an_id_used_twice_is_named() -> None:
    first = _register("a", id="11111111-1111-4111-8111-111111111111")
    again = _register("b", id="11111111-1111-4111-8111-111111111111")
    report = _verify(_sequence([_genesis(), first, again]))
    failure = report.first_failure
    assert failure is not None and (failure.index, failure.check) == (2, "statement")
    assert "entry id 11111111-1111-4111-8111-111111111111 is already entry 1" in failure.message


def test_an_entry_placed_after_another_head_than_its_author_pinned_is_named() -> None:
    genesis = _genesis()
    head_after_genesis = Entry.sequence(genesis, 0, canonical.GENESIS_PREV).hash
    pinned = _register("b", prev=head_after_genesis)  # "only right after genesis"
    report = _verify(_sequence([genesis, _register("a"), pinned]))
    failure = report.first_failure
    assert failure is not None and (failure.index, failure.check) == (2, "statement")
    assert f"signed it to follow the entry hashing to {head_after_genesis[:16]}" in failure.message
    # where its author pinned it, it passes
    assert _verify(_sequence([genesis, pinned])).ok


def test_the_first_failure_is_the_lowest_index_even_past_the_recorded_ones() -> None:
    report = Report(subject="test")
    for index in range(500, 500 + MAX_FAILURES + 5):
        report.fail("log", index, "signature", "late")
    report.fail("log", None, "checkpoint", "no entry")
    report.fail("log", 3, "chain", "early")
    report.fail("log", 3, "policy", "same index, later")
    assert len(report.failures) == MAX_FAILURES and report.truncated_failures == 8
    first = report.first_failure
    assert first is not None and (first.index, first.check, first.message) == (3, "chain", "early")
    assert report.to_json()["first_failure"]["index"] == 3
    report.fail("log", 3, "signature", "bad bytes")  # at one index, a bad signature first
    assert report.first_failure is not None and report.first_failure.check == "signature"


def test_a_changed_byte_in_a_refused_entry_is_named_as_a_bad_signature() -> None:
    """An entry the rules refuse is still signature-checked: a changed byte is not blamed
    on its author's authority."""
    raw = _sequence([_genesis(), _register("a"), _register("b")])
    # entry 2 now registers a's key again: refused (authority), and no longer what was signed
    key_a, key_b = (labelled_key(x).public_b64.encode() for x in "ab")
    raw[2] = raw[2].replace(key_b, key_a)
    report = _verify(raw)
    failure = report.first_failure
    assert failure is not None and (failure.index, failure.check) == (2, "signature")
    checks_at_2 = {f.check for f in report.failures if f.index == 2}
    assert "signature" in checks_at_2 and len(checks_at_2) >= 2


def test_the_index_field_an_entry_claims_does_not_move_its_other_failures() -> None:
    """Failures are reported at the entry's position, whatever index its bytes claim."""
    raw = _sequence([_genesis(), _register("a"), _register("a")])  # the same key twice
    raw[2] = raw[2].replace(b'{"index":2,', b'{"index":7,', 1)
    report = _verify(raw)
    assert {(f.index, f.check) for f in report.failures} >= {(2, "index"), (2, "authority")}
    assert all(f.index in (2, None) for f in report.failures)
