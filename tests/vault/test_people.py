"""The private people store: one contract, run on SQLite and on PostgreSQL."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import psycopg
import pytest

from vault.errors import PeopleStoreError, VaultError
from vault.people import (
    DEFAULT_PRIVATE_STORE,
    PRIVATE_STORE_ENV,
    PeopleStore,
    PersonRecord,
    open_people_store,
    people_store_url,
)
from vault.roster import Enrolment, Person, commitment, enroll, read_roster

DATA = Path(__file__).parent / "data"
RawRow = Callable[[str], dict[str, Any] | None]
CAMPAIGN = "c2026"
POOL = "deputies"
ERASED_AT = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


@pytest.fixture
def enrolments(token: Callable[[int], bytes]) -> list[Enrolment]:
    return enroll(read_roster(DATA / "roster.csv"), token=token)


# -- the contract, on both backends ---------------------------------------


def test_added_people_read_back(people: PeopleStore, enrolments: list[Enrolment]) -> None:
    people.add(CAMPAIGN, POOL, enrolments)
    for enrolment in enrolments:
        record = people.get(enrolment.pseudonym)
        assert isinstance(record, PersonRecord)
        assert record.person == enrolment.person
        assert record.salt == enrolment.salt
        assert (record.campaign, record.pool) == (CAMPAIGN, POOL)
        assert (record.group, record.affiliation, record.leader) == (
            enrolment.person.group,
            enrolment.person.affiliation,
            enrolment.person.leader,
        )
        assert not record.erased
        assert record.erased_reason is None
        assert record.erased_at is None


def test_an_inspector_can_open_the_commitment_in_the_log(
    people: PeopleStore, enrolments: list[Enrolment]
) -> None:
    people.add(CAMPAIGN, POOL, enrolments)
    for enrolment in enrolments:
        record = people.get(enrolment.pseudonym)
        assert record is not None and record.person is not None and record.salt is not None
        assert commitment(record.person, record.salt) == enrolment.member["commitment"]
        assert record.commitment == enrolment.member["commitment"]


def test_people_lists_one_pool_in_order_of_enrolment(
    people: PeopleStore, enrolments: list[Enrolment]
) -> None:
    people.add(CAMPAIGN, POOL, enrolments[:5])
    people.add(CAMPAIGN, "recipients", enrolments[5:7])
    people.add("c2027", POOL, enrolments[7:])
    assert [r.pseudonym for r in people.people(CAMPAIGN, POOL)] == [
        e.pseudonym for e in enrolments[:5]
    ]
    assert [r.pseudonym for r in people.people(CAMPAIGN, "recipients")] == [
        e.pseudonym for e in enrolments[5:7]
    ]
    assert [r.pool for r in people.people("c2027", POOL)] == [POOL]
    assert people.people(CAMPAIGN, "nobody") == []


def test_unknown_and_malformed_pseudonyms_are_absent(people: PeopleStore) -> None:
    assert people.get("P" + "0" * 20) is None
    assert people.get("'; DROP TABLE pingyi_people; --") is None


def test_adding_again_is_idempotent_and_survives_reopening(
    people_url: str, people: PeopleStore, enrolments: list[Enrolment]
) -> None:
    people.add(CAMPAIGN, POOL, enrolments)
    people.add(CAMPAIGN, POOL, enrolments)
    people.add(CAMPAIGN, POOL, enrolments[2:4] + enrolments[2:4])
    with open_people_store(people_url) as again:
        again.add(CAMPAIGN, POOL, enrolments[:1])
        assert len(again.people(CAMPAIGN, POOL)) == len(enrolments)
        assert again.get(enrolments[3].pseudonym) == people.get(enrolments[3].pseudonym)


def test_conflicting_data_is_refused_all_or_nothing(
    people: PeopleStore, enrolments: list[Enrolment]
) -> None:
    people.add(CAMPAIGN, POOL, enrolments[:2])
    first = enrolments[0]
    changed = Enrolment(
        person=Person.of(name="张叁", group=first.person.group),
        salt=first.salt,
        pseudonym=first.pseudonym,
    )
    with pytest.raises(PeopleStoreError, match=f"{first.pseudonym} is already stored"):
        people.add(CAMPAIGN, POOL, [*enrolments[2:5], changed])
    assert [r.pseudonym for r in people.people(CAMPAIGN, POOL)] == [
        e.pseudonym for e in enrolments[:2]
    ]
    with pytest.raises(PeopleStoreError, match="with different data"):
        people.add(CAMPAIGN, "another pool", [first])
    with pytest.raises(PeopleStoreError, match="with different data"):
        people.add(CAMPAIGN, POOL, [Enrolment(first.person, bytes(32), first.pseudonym)])
    record = people.get(first.pseudonym)
    assert record is not None and record.person == first.person


def test_one_pseudonym_twice_in_a_batch_with_different_people_is_refused(
    people: PeopleStore, enrolments: list[Enrolment]
) -> None:
    clash = Enrolment(enrolments[1].person, enrolments[1].salt, enrolments[0].pseudonym)
    with pytest.raises(PeopleStoreError, match="appears twice"):
        people.add(CAMPAIGN, POOL, [enrolments[0], clash])
    assert people.people(CAMPAIGN, POOL) == []


@pytest.mark.parametrize("campaign", ["", " c2026", "c\n2026", "x" * 201])
def test_campaign_and_pool_names_are_checked(
    people: PeopleStore, enrolments: list[Enrolment], campaign: str
) -> None:
    with pytest.raises(PeopleStoreError, match="is not a valid name"):
        people.add(campaign, POOL, enrolments)
    with pytest.raises(PeopleStoreError, match="is not a valid name"):
        people.add(CAMPAIGN, campaign, enrolments)


def test_erasure_removes_the_person_and_keeps_a_tombstone(
    people: PeopleStore, enrolments: list[Enrolment], raw_row: RawRow
) -> None:
    people.add(CAMPAIGN, POOL, enrolments)
    gone = enrolments[0]
    assert people.erase(gone.pseudonym, "request PI-2026-001", at=ERASED_AT) is True
    record = people.get(gone.pseudonym)
    assert record is not None
    assert record.erased
    assert record.erased_reason == "request PI-2026-001"
    assert record.erased_at == ERASED_AT
    assert record.person is None and record.salt is None
    assert record.commitment is None  # the commitment can never be opened again
    assert (record.pseudonym, record.campaign, record.pool) == (gone.pseudonym, CAMPAIGN, POOL)
    assert (record.group, record.leader) == (gone.person.group, gone.person.leader)
    row = raw_row(gone.pseudonym)
    assert row is not None
    assert {k: row[k] for k in ("name", "phone", "id_number", "salt")} == dict.fromkeys(
        ("name", "phone", "id_number", "salt")
    )
    assert gone.person.name not in repr(row)


def test_erasure_leaves_everyone_else_intact(
    people: PeopleStore, enrolments: list[Enrolment]
) -> None:
    people.add(CAMPAIGN, POOL, enrolments)
    before = {e.pseudonym: people.get(e.pseudonym) for e in enrolments}
    people.erase(enrolments[3].pseudonym, "request PI-2026-002")
    for enrolment in enrolments:
        if enrolment is enrolments[3]:
            continue
        assert people.get(enrolment.pseudonym) == before[enrolment.pseudonym]
    listed = people.people(CAMPAIGN, POOL)
    assert [r.pseudonym for r in listed] == [e.pseudonym for e in enrolments]
    assert [r.erased for r in listed] == [i == 3 for i in range(len(enrolments))]


def test_erasing_again_keeps_the_first_tombstone(
    people: PeopleStore, enrolments: list[Enrolment]
) -> None:
    people.add(CAMPAIGN, POOL, enrolments[:1])
    pseudonym = enrolments[0].pseudonym
    assert people.erase(pseudonym, "first request", at=ERASED_AT)
    assert people.erase(pseudonym, "second request", at=ERASED_AT + timedelta(days=1))
    record = people.get(pseudonym)
    assert record is not None
    assert (record.erased_reason, record.erased_at) == ("first request", ERASED_AT)


def test_the_erasure_time_is_stored_in_utc(
    people: PeopleStore, enrolments: list[Enrolment]
) -> None:
    people.add(CAMPAIGN, POOL, enrolments[:1])
    beijing = timezone(timedelta(hours=8))
    people.erase(
        enrolments[0].pseudonym, "request", at=datetime(2026, 3, 1, 17, 30, tzinfo=beijing)
    )
    record = people.get(enrolments[0].pseudonym)
    assert record is not None and record.erased_at == ERASED_AT
    assert record.erased_at.utcoffset() == timedelta(0)


def test_an_erased_pseudonym_cannot_be_enrolled_again(
    people: PeopleStore, enrolments: list[Enrolment]
) -> None:
    people.add(CAMPAIGN, POOL, enrolments[:1])
    people.erase(enrolments[0].pseudonym, "request PI-2026-003")
    with pytest.raises(PeopleStoreError, match=r"was erased .*request PI-2026-003.*enrol the"):
        people.add(CAMPAIGN, POOL, enrolments[:1])


def test_erasing_an_unknown_pseudonym_returns_false(people: PeopleStore) -> None:
    assert people.erase("P" + "1" * 20, "request") is False
    assert people.erase("../../etc", "request") is False


def test_an_erasure_needs_a_reason_and_a_zoned_time(
    people: PeopleStore, enrolments: list[Enrolment]
) -> None:
    people.add(CAMPAIGN, POOL, enrolments[:1])
    pseudonym = enrolments[0].pseudonym
    with pytest.raises(PeopleStoreError, match="needs a reason"):
        people.erase(pseudonym, "  ")
    with pytest.raises(PeopleStoreError, match="time zone"):
        people.erase(pseudonym, "request", at=datetime(2026, 3, 1))
    record = people.get(pseudonym)
    assert record is not None and not record.erased


# -- opening stores ----------------------------------------------------------


def test_the_url_defaults_to_the_environment_then_a_local_file(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(PRIVATE_STORE_ENV, raising=False)
    assert people_store_url() == DEFAULT_PRIVATE_STORE == "sqlite:///pingyi-private.db"
    monkeypatch.setenv(PRIVATE_STORE_ENV, "sqlite:///elsewhere.db")
    assert people_store_url() == "sqlite:///elsewhere.db"
    assert people_store_url("sqlite:///given.db") == "sqlite:///given.db"


def test_the_default_store_is_opened_in_the_working_directory(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv(PRIVATE_STORE_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    with open_people_store() as store:
        assert store.people(CAMPAIGN, POOL) == []
    assert (tmp_path / "pingyi-private.db").is_file()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://db/pingyi", "the scheme must be sqlite:// or postgresql://"),
        ("sqlite://host/private.db", "write sqlite:///relative/path.db"),
        ("sqlite:///", "write sqlite:///relative/path.db"),
        ("postgresql:///pingyi", "write postgresql://user@host:port/dbname"),
        ("postgresql://postgres@127.0.0.1:5432/", "names no database"),
        ("postgresql://postgres@127.0.0.1:5432/db?schema=a;b", "must be letters, digits"),
    ],
)
def test_bad_urls_are_refused_with_a_message(url: str, message: str) -> None:
    with pytest.raises(PeopleStoreError, match=message):
        open_people_store(url)


def test_a_password_never_appears_in_a_message() -> None:
    with pytest.raises(PeopleStoreError) as caught:
        open_people_store("mysql://user:hunter2@db/pingyi")
    assert "hunter2" not in str(caught.value)


def test_people_store_errors_are_vault_errors() -> None:
    assert issubclass(PeopleStoreError, VaultError)


def test_the_sqlite_file_is_private_and_erased_bytes_are_gone(
    tmp_path: Path, enrolments: list[Enrolment]
) -> None:
    path = tmp_path / "private.db"
    gone, kept = enrolments[1], enrolments[2]
    with open_people_store(f"sqlite:///{path}") as store:
        store.add(CAMPAIGN, POOL, enrolments)
        assert gone.person.name.encode() in path.read_bytes()
        # A tombstone longer than the row: without secure_delete the old cell would stay
        # behind in a free block of the page.
        store.erase(gone.pseudonym, "request PI-2026-004, " + "erasure under PIPL art. 47 " * 6)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    data = path.read_bytes()
    assert gone.person.name.encode() not in data
    assert gone.salt not in data
    assert kept.person.name.encode() in data
    assert kept.salt in data


@pytest.mark.postgres
def test_postgres_creates_the_default_schema(pg_database: str) -> None:
    with open_people_store(pg_database) as store:
        assert store.people(CAMPAIGN, POOL) == []
    with psycopg.connect(pg_database, autocommit=True) as conn:
        found = conn.execute(
            "SELECT 1 FROM information_schema.tables "
            "WHERE table_schema = 'pingyi_private' AND table_name = 'pingyi_people'"
        ).fetchone()
        conn.execute("DROP SCHEMA pingyi_private CASCADE")
    assert found == (1,)


@pytest.mark.postgres
def test_postgres_with_create_no_creates_nothing(pg_database: str) -> None:
    with (
        open_people_store(f"{pg_database}?schema=vault_absent&create=no") as store,
        pytest.raises(PeopleStoreError, match="open the store once without create=no"),
    ):
        store.people(CAMPAIGN, POOL)
    with psycopg.connect(pg_database) as conn:
        assert (
            conn.execute(
                "SELECT 1 FROM information_schema.schemata WHERE schema_name = 'vault_absent'"
            ).fetchone()
            is None
        )


@pytest.mark.postgres
def test_postgres_two_connections_agree(pg_database: str, enrolments: list[Enrolment]) -> None:
    url = f"{pg_database}?schema=vault_two_{os.getpid()}"
    try:
        with open_people_store(url) as one, open_people_store(url) as two:
            one.add(CAMPAIGN, POOL, enrolments[:4])
            two.add(CAMPAIGN, POOL, enrolments)
            assert one.people(CAMPAIGN, POOL) == two.people(CAMPAIGN, POOL)
            assert two.erase(enrolments[0].pseudonym, "request")
            erased = one.get(enrolments[0].pseudonym)
            assert erased is not None and erased.erased
    finally:
        with psycopg.connect(pg_database, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "vault_two_{os.getpid()}" CASCADE')


def test_postgres_unreachable_is_a_store_error() -> None:
    with pytest.raises(PeopleStoreError, match="cannot connect to the private store") as caught:
        open_people_store("postgresql://nobody:secret@127.0.0.1:1/none?connect_timeout=2")
    assert "secret" not in str(caught.value)
