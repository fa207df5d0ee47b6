"""`pingyi verify` catches every kind of tampering an administrator can do in the database.

Each test edits the store directly (triggers disabled, as a DBA could), never
through the application, then checks the verifier names the right entry and check.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from tests.support import ORIGIN, World, admin_sql, events_table, labelled_key, placeholder

from ledger.entry import Entry
from ledger.note import Checkpoint, NoteSigner
from pingyi.audit import verify_store

Rows = list[tuple[int, bytes]]


@pytest.fixture
def sealed(world: World) -> World:
    """A 40-entry log with checkpoints at sizes 1, 20 and 40."""
    world.add_findings(16)
    world.ledger.checkpoint()
    world.add_findings(20, batch=5)
    world.ledger.checkpoint()
    assert world.ledger.size == 40
    world.close()
    return world


def rewrite(url: str, change: Callable[[Rows], Rows]) -> None:
    """Replace the log's rows by ``change(rows)``: delete everything, insert the result."""
    table, mark = events_table(url), placeholder(url)
    with admin_sql(url) as conn:
        cur = conn.cursor()
        cur.execute(
            f"SELECT originator_id, originator_version, topic, state FROM {table} ORDER BY originator_version"
        )
        found = cur.fetchall()
        log_id, topic = found[0][0], found[0][2]
        rows = change([(int(r[1]), bytes(r[3])) for r in found])
        cur.execute(f"DELETE FROM {table}")
        for version, state in rows:
            cur.execute(
                f"INSERT INTO {table} (originator_id, originator_version, topic, state) VALUES ({mark},{mark},{mark},{mark})",
                (log_id, version, topic, state),
            )


def first_failure(url: str) -> tuple[int | None, str, str]:
    report = verify_store(url, workers=1)
    assert not report.ok, "tampering went unnoticed"
    first = report.first_failure
    assert first is not None
    return first.index, first.check, first.message


def forged(world: World, signer_label: str, rows: Rows, *, revoked_signer: bool = False) -> bytes:
    """A correctly linked entry at the tail, signed by a key the DBA controls."""
    last = Entry.from_bytes(rows[-1][1])
    signer = world.supervisor if revoked_signer else labelled_key(signer_label)
    sub = world.finding(999, signer=signer)
    return Entry.sequence(sub, last.index + 1, last.hash).raw


def test_a_changed_byte(sealed: World) -> None:
    def flip(rows: Rows) -> Rows:
        v, s = rows[10]
        rows[10] = (v, s.replace(b"finding", b"fincing", 1))
        return rows

    rewrite(sealed.url, flip)
    assert first_failure(sealed.url)[:2] == (10, "signature")
    report = verify_store(sealed.url, workers=1)
    checks = {(f.index, f.check) for f in report.failures}
    assert (11, "chain") in checks  # the next entry no longer links to it


def test_a_deleted_entry(sealed: World) -> None:
    rewrite(sealed.url, lambda rows: rows[:10] + rows[11:])
    index, check, message = first_failure(sealed.url)
    assert (index, check) == (10, "index")
    assert "missing" in message


def test_an_inserted_entry(sealed: World) -> None:
    def insert(rows: Rows) -> Rows:
        fake = forged(sealed, "intruder", rows[:10])
        return rows[:10] + [(10, fake)] + [(v + 1, s) for v, s in rows[10:]]

    rewrite(sealed.url, insert)
    index, check, message = first_failure(sealed.url)
    assert (index, check) == (10, "authority")
    assert "not a registered key" in message


def test_two_swapped_entries(sealed: World) -> None:
    def swap(rows: Rows) -> Rows:
        rows[10], rows[11] = (10, rows[11][1]), (11, rows[10][1])
        return rows

    rewrite(sealed.url, swap)
    index, check, message = first_failure(sealed.url)
    assert (index, check) == (10, "index")
    assert "says index 11" in message


def test_a_truncated_tail(sealed: World) -> None:
    rewrite(sealed.url, lambda rows: rows[:33])
    index, check, message = first_failure(sealed.url)
    assert (index, check) == (33, "checkpoint")
    assert "truncated" in message and "33..39" in message


def test_a_checkpoint_re_signed_with_another_key(sealed: World) -> None:
    impostor = NoteSigner(ORIGIN, labelled_key("impostor log key").private_key)
    with admin_sql(sealed.url) as conn:
        cur = conn.cursor()
        cur.execute("SELECT size, root FROM pingyi_checkpoints ORDER BY size DESC")
        size, root = cur.fetchone()
        note = impostor.sign(Checkpoint(ORIGIN, int(size), bytes(root)).body())
        mark = placeholder(sealed.url)
        cur.execute(f"DELETE FROM pingyi_checkpoints WHERE size = {mark}", (size,))
        cur.execute(
            f"INSERT INTO pingyi_checkpoints (log_id, size, root, note) SELECT log_id, {mark}, root, {mark} FROM pingyi_checkpoints WHERE size = 20",
            (size, note),
        )
    _, check, message = first_failure(sealed.url)
    assert check == "checkpoint"
    assert "does not verify" in message


def test_a_forged_entry_by_an_unregistered_key(sealed: World) -> None:
    rewrite(sealed.url, lambda rows: [*rows, (40, forged(sealed, "intruder", rows))])
    index, check, message = first_failure(sealed.url)
    assert (index, check) == (40, "authority")
    assert "not a registered key" in message


def test_a_forged_entry_by_a_revoked_key(world: World) -> None:
    world.add_findings(5)
    world.append(world.office, "key.revoke", {"key_id": world.supervisor.key_id, "reason": "left"})
    world.ledger.checkpoint()
    world.close()
    rewrite(
        world.url, lambda rows: [*rows, (len(rows), forged(world, "", rows, revoked_signer=True))]
    )
    index, check, message = first_failure(world.url)
    assert (index, check) == (10, "authority")
    assert "revoked at entry 9" in message


def test_an_honest_store_still_passes(sealed: World) -> None:
    rewrite(sealed.url, lambda rows: rows)  # delete and re-insert the same bytes
    assert verify_store(sealed.url, workers=1).ok
