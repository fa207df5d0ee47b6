"""The storage contract: the same behaviour on SQLite and PostgreSQL."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from tests.support import ORIGIN, World, admin_sql, events_table, fixed_clock, labelled_key

from ledger import merkle
from ledger.entry import Entry, Submission
from ledger.errors import (
    ClockSkewError,
    ConflictError,
    EncodingError,
    NoteError,
    PayloadError,
    RevokedKeyError,
    RoleError,
    SignatureError,
    StaleHeadError,
    UnknownKeyError,
)
from ledger.note import Checkpoint, parse_checkpoint
from ledger.store.app import Ledger
from ledger.store.sequencer import RaceLost
from pingyi.audit import verify_store
from verifier.log import verify_log
from verifier.report import Report


def test_entries_read_back_linked_and_survive_reopen(world: World) -> None:
    world.add_findings(5)
    entries = list(world.ledger.entries())
    assert [e.index for e in entries] == list(range(9))
    for before, after in itertools.pairwise(entries):
        assert after.prev == before.hash
    again = world.reopen()
    assert again.size == 9
    assert again.root() == world.ledger.root()
    assert again.entry(8).raw == entries[8].raw


def test_a_second_process_view_catches_up(world: World) -> None:
    other = world.reopen()
    world.add_findings(3)
    other.refresh()
    assert other.size == world.ledger.size
    assert other.root() == world.ledger.root()


def test_resubmission_is_idempotent_and_conflicts_are_refused(world: World) -> None:
    sub = world.finding(1)
    first = world.ledger.append([sub])[0]
    again = world.ledger.append([sub])[0]
    assert (again.index, again.entry_hash, again.duplicate) == (first.index, first.entry_hash, True)
    other = world.reopen()
    assert other.append([sub])[0].index == first.index
    changed = dict(sub.statement, payload=dict(sub.payload, summary="something else"))
    with pytest.raises(ConflictError, match=f"{sub.id}.*index {first.index}"):
        world.ledger.append([Submission.sign(world.supervisor, changed)])
    assert world.reopen().size == first.index + 1


def _wrote_last(ledger: Ledger) -> bool:
    """Whether ``ledger``'s next append takes the fast path (no catch-up read first)."""
    return ledger.log_id in ledger.recorder._last_writer


def test_an_insert_that_meets_a_taken_index_is_a_lost_race_and_changes_nothing(
    world: World,
) -> None:
    recorder, taken = world.ledger.recorder, world.ledger.entry(world.ledger.size - 1)
    with pytest.raises(RaceLost, match="another writer appended"), recorder._locked() as curs:
        recorder._c_insert(curs, world.ledger.log_id, [taken], [(f"entry:{taken.id}", 99)])
    fresh = world.reopen()
    assert (fresh.size, fresh.root()) == (world.ledger.size, world.ledger.root())


def test_a_writer_that_lost_a_race_catches_up_and_links_after_the_winner(world: World) -> None:
    world.add_findings(2)
    assert _wrote_last(world.ledger)
    other = world.reopen()
    won = other.append([world.finding(10)])[0]
    lost = world.ledger.append([world.finding(11)])[0]  # its index was taken: careful path
    assert lost.index == won.index + 1
    fresh = world.reopen()
    assert (fresh.size, fresh.root()) == (lost.index + 1, world.ledger.root())
    assert fresh.entry(lost.index).prev == fresh.entry(won.index).hash
    assert not _wrote_last(world.ledger)  # the other writer was active: no blind attempt next
    world.ledger.append([world.finding(12)])
    assert _wrote_last(world.ledger)  # it wrote last again
    report = verify_store(world.url, workers=1)
    assert report.ok, report.first_failure


def test_the_last_writer_answers_a_resubmission_another_writer_recorded(world: World) -> None:
    world.add_findings(2)
    assert _wrote_last(world.ledger)
    sub = world.finding(20)
    first = world.reopen().append([sub])[0]
    again = world.ledger.append([sub])[0]  # its claim is taken: careful path, same answer
    assert (again.index, again.entry_hash, again.duplicate) == (first.index, first.entry_hash, True)
    changed = dict(sub.statement, payload=dict(sub.payload, summary="something else"))
    world.ledger.append([world.finding(21)])
    assert _wrote_last(world.ledger)
    with pytest.raises(ConflictError, match=f"{sub.id}.*index {first.index}"):
        world.ledger.append([Submission.sign(world.supervisor, changed)])
    assert world.reopen().size == first.index + 2


def test_the_last_writer_sees_a_revocation_another_writer_recorded(world: World) -> None:
    world.add_findings(1)
    assert _wrote_last(world.ledger)
    revoke = {"key_id": world.supervisor.key_id, "reason": "left the post"}
    other = world.reopen()
    other.append([world.sign(world.office, "key.revoke", revoke)])
    with pytest.raises(RevokedKeyError, match="left the post"):
        world.ledger.append([world.finding(30)])
    fresh = world.reopen()
    assert (fresh.size, fresh.root()) == (other.size, other.root())


def test_a_batch_is_atomic(world: World) -> None:
    size = world.ledger.size
    good = [world.finding(n) for n in range(3)]
    bad = world.sign(world.supervisor, "campaign.open", {"campaign": "x1", "title": "not yours"})
    with pytest.raises(RoleError):
        world.ledger.append([*good, bad])
    assert world.ledger.size == size
    assert world.reopen().size == size
    world.ledger.append(good)
    assert world.reopen().size == size + 3


def _rejected(world: World, sub: Submission, error: type[Exception], match: str) -> None:
    size, root = world.ledger.size, world.ledger.root()
    with pytest.raises(error, match=match):
        world.ledger.append([sub])
    fresh = world.reopen()
    assert (fresh.size, fresh.root()) == (size, root)


def test_unknown_key_is_rejected(world: World) -> None:
    stranger = labelled_key("stranger")
    _rejected(world, world.finding(1, signer=stranger), UnknownKeyError, "not a registered key")


def test_wrong_role_is_rejected(world: World) -> None:
    sub = world.sign(world.office, "finding.record", world.finding(1).payload)
    _rejected(world, sub, RoleError, "needs a key with role inspector, supervisor")


def test_revoked_key_is_rejected(world: World) -> None:
    world.append(
        world.office, "key.revoke", {"key_id": world.supervisor.key_id, "reason": "left the post"}
    )
    _rejected(world, world.finding(1), RevokedKeyError, "revoked at entry 4: left the post")


def test_rotation_moves_roles_to_the_new_key(world: World) -> None:
    new = labelled_key("supervisor 1 rotated")
    world.append(
        world.supervisor,
        "key.rotate",
        {"key_id": world.supervisor.key_id, "new_key": new.public_b64, "reason": "new phone"},
    )
    _rejected(world, world.finding(1), RevokedKeyError, "rotated to")
    assert world.ledger.append([world.finding(2, signer=new)])[0].index == 5


def test_registrar_cannot_grant_registrar(world: World) -> None:
    sub = world.sign(
        world.office, "key.register", World.key_payload(labelled_key("x"), "x", ["registrar"])
    )
    _rejected(world, sub, RoleError, "only the root key may grant")


def test_bad_signature_is_rejected(world: World) -> None:
    sub = world.finding(1)
    forged = Submission(sub.statement, world.finding(2).signature, sub.statement_bytes)
    _rejected(world, forged, SignatureError, "does not verify")
    malformed = Submission(sub.statement, "not base64!", sub.statement_bytes)
    _rejected(world, malformed, SignatureError, "base64")


def test_stale_prev_is_rejected_and_a_current_one_accepted(world: World) -> None:
    head = world.ledger.state.head
    world.ledger.append(
        [
            world.finding(
                1,
            )
        ]
    )
    sub = world.sign(world.supervisor, "finding.record", world.finding(2).payload, prev=head)
    _rejected(world, sub, StaleHeadError, "not the current head")
    ok = world.sign(
        world.supervisor, "finding.record", world.finding(3).payload, prev=world.ledger.state.head
    )
    assert world.ledger.append([ok])[0].index == 5


def test_clock_skew_and_wrong_log_are_rejected(world: World) -> None:
    late = world.finding(1)
    with pytest.raises(ClockSkewError, match="from the server's clock"):
        world.ledger.append([late], now=fixed_clock() + timedelta(hours=1))
    other_log = dict(world.finding(2).statement, log="other.example/log")
    _rejected(world, Submission.sign(world.supervisor, other_log), PayloadError, "statement.log")


@pytest.mark.parametrize(
    ("body", "error", "match"),
    [
        (b"{not json", EncodingError, "malformed JSON"),
        (b'{"statement": {}, "signature": "x"}', PayloadError, "statement.v"),
        (b'{"statement": {"v": 1}}', PayloadError, "exactly"),
        (b"x" * 300_000, EncodingError, "limit"),
        (b'{"a": 1.5}', EncodingError, "fraction"),
    ],
)
def test_malformed_submissions_are_refused_before_the_log(
    body: bytes, error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        Submission.from_json(body)


def test_unknown_type_and_bad_payload_name_the_field(world: World) -> None:
    statement = dict(world.finding(1).statement, type="finding.invent")
    with pytest.raises(PayloadError, match=r"unknown entry type 'finding\.invent'"):
        Submission.from_value({"statement": statement, "signature": "x"})
    payload = dict(world.finding(1).payload, serious="province")
    with pytest.raises(PayloadError, match=r"statement\.payload\.serious"):
        Submission.from_value(
            {"statement": dict(world.finding(1).statement, payload=payload), "signature": "x"}
        )


def test_checkpoints_and_proofs(world: World) -> None:
    first = world.ledger.checkpoint()
    world.add_findings(20, batch=7)
    second = world.ledger.checkpoint()
    assert second.size == world.ledger.size == 24
    opened = world.ledger.verify_checkpoint(second.note)
    assert opened == Checkpoint(ORIGIN, 24, world.ledger.root())
    assert parse_checkpoint(second.note.split("\n\n")[0] + "\n").size == 24
    for index in (0, 5, 23):
        merkle.verify_inclusion(
            world.ledger.leaf_hash(index),
            index,
            24,
            world.ledger.inclusion_proof(index),
            opened.root,
        )
    merkle.verify_consistency(
        first.size,
        second.size,
        world.ledger.consistency_proof(first.size, second.size),
        first.root,
        second.root,
    )
    assert world.ledger.checkpoint() == second  # no new signature without new entries
    assert [c.size for c in world.reopen().checkpoints()] == [1, 4, 24]


def test_verify_passes_on_an_honest_store(world: World) -> None:
    world.add_findings(30, batch=10)
    world.ledger.checkpoint()
    report = verify_store(world.url, workers=1)
    assert report.ok, report.failures
    assert report.counts["entries"] == 34
    assert report.counts["signatures"] == 34
    assert report.counts["checkpoints"] == 2  # genesis and now


def test_the_database_refuses_update_and_delete(world: World) -> None:
    table = events_table(world.url)
    sqlite = world.url.startswith("sqlite")
    statements = [
        f"UPDATE {table} SET topic = 'x'",
        f"DELETE FROM {table}",
        "DELETE FROM pingyi_checkpoints",
    ]
    if not sqlite:
        statements.append("TRUNCATE pingyi_claims")
    for sql in statements:
        with pytest.raises(Exception, match="append-only"), _raw(world.url) as conn:
            conn.execute(sql)
    assert world.reopen().size == 4


def _raw(url: str):  # type: ignore[no-untyped-def]
    """A raw connection with the triggers left in place."""
    import sqlite3
    from contextlib import closing
    from urllib.parse import parse_qs, urlsplit

    import psycopg

    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        return closing(sqlite3.connect(parts.path[1:]))
    conn = psycopg.connect(url.split("?", maxsplit=1)[0], autocommit=True)
    conn.execute(f'SET search_path TO "{parse_qs(parts.query)["schema"][0]}"')
    return conn


assert admin_sql  # re-exported for the tamper tests


class NoUnit999:
    """A toy domain policy: findings may not name unit U999; counts what it saw."""

    def __init__(self, seen: int = 0) -> None:
        self.seen = seen

    def check(self, submission: Submission, index: int) -> None:
        if submission.type == "finding.record" and submission.payload["unit"] == "U999":
            raise PayloadError(f"statement.payload.unit: U999 is not in campaign (entry {index})")

    def apply(self, entry: Entry) -> None:
        self.seen += 1

    def copy(self) -> NoUnit999:
        return NoUnit999(self.seen)


def test_domain_policies_run_on_append_and_in_the_verifier(world: World) -> None:
    policy = NoUnit999()
    ledger = Ledger.open(world.url, policies=[policy], clock=fixed_clock)
    assert ledger.state.policies[0].seen == 4  # replayed from the log on open
    bad = world.sign(
        world.supervisor, "finding.record", dict(world.finding(1).payload, unit="U999")
    )
    with pytest.raises(PayloadError, match="U999 is not in campaign"):
        ledger.append([world.finding(2), bad])
    assert ledger.size == 4 and world.reopen().size == 4
    world.ledger.append([bad])  # a ledger opened without the policy accepts it
    report = Report("t")
    verify_log(world.ledger.raw_entries(), [], report=report, policies=[NoUnit999()], workers=1)
    assert report.first_failure is not None
    assert (report.first_failure.index, report.first_failure.check) == (4, "policy")


def test_the_log_refuses_to_sign_a_checkpoint_inconsistent_with_a_stored_one(world: World) -> None:
    world.add_findings(3)
    stored = world.ledger.checkpoint()
    with admin_sql(world.url) as conn:  # a DBA swaps in a checkpoint for a different tree
        mark = "?" if world.url.startswith("sqlite") else "%s"
        conn.cursor().execute(
            f"UPDATE pingyi_checkpoints SET root = {mark} WHERE size = {mark}",
            (bytes(32), stored.size),
        )
    world.add_findings(2)
    with pytest.raises(NoteError, match="refusing to sign"):
        world.ledger.checkpoint()
