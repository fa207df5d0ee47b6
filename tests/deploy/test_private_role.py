"""The private people store's least-privilege roles (deploy/sql/private_role.sql), on the real server.

The log's database is made as deploy/README.md says (tables as the owner, then
app_role.sql and projector_role.sql); the people store gets its own database,
closed to PUBLIC, with its table created by the owner, then private_role.sql.
The writer (the office's `pingyi pool import` / `pool erase`) enrols, reads and
erases through vault.people and can do nothing else; the reader (the API) reads
a person and a pool as api.private does and can write nothing; each run of the
file leaves both roles exactly their privileges, whatever was granted before;
the log's roles cannot reach the people table, even sharing its database.
"""

from __future__ import annotations

import subprocess
from types import SimpleNamespace
from typing import Any

import psycopg
import pytest
from typer.testing import CliRunner

from api import private as private_api
from pingyi.cli import app as app_cli
from tests.deploy.conftest import Scratch, admin, apply_sql, server_url
from tests.deploy.test_projector import LOG_TABLES, VIEW_TABLES, project, refused
from tests.support import World
from vault.errors import PeopleStoreError
from vault.people import open_people_store
from vault.roster import Enrolment, Person, enroll

pytestmark = pytest.mark.postgres

PEOPLE = [
    Person.of(name="张三", group="npc_deputy", phone="13800000001", id_number="110101199001011234"),
    Person.of(name="李四", group="cppcc_member", affiliation="OT003", leader=True),
]
PEOPLE_TABLE = "pingyi_private.pingyi_people"
# What the role may UPDATE: the columns an erasure NULLs or sets, nothing that names the row.
ERASURE_COLUMNS = {"name", "phone", "id_number", "salt", "erased_at", "erased_reason"}


def log_database(scratch: Scratch) -> tuple[str, str, str]:
    """A log database with its tables and the two log roles: (database, app, projector)."""
    db = scratch.database()
    owner_url = f"{server_url(db)}?schema=public"
    World.create(owner_url).close()
    assert project("--store", owner_url, "--once")[0] == 0  # the read model's tables too
    app, projector = scratch.role("pingyi_app"), scratch.role("pingyi_projector")
    apply_sql(db, "app_role.sql", app_role=app, schema="public")
    apply_sql(db, "projector_role.sql", projector_role=projector, schema="public")
    return db, app, projector


def private_role(database: str, role: str, reader: str, app: str, projector: str) -> None:
    apply_sql(
        database,
        "private_role.sql",
        private_role=role,
        reader_role=reader,
        schema="pingyi_private",
        app_role=app,
        projector_role=projector,
    )


def writer_privileges(database: str) -> set[tuple[str, str, str]]:
    """Exactly what private_role.sql gives the writer (see held())."""
    return {
        ("database", database, "CONNECT"),
        ("schema", "pingyi_private", "USAGE"),
        ("relation", PEOPLE_TABLE, "SELECT"),
        ("relation", PEOPLE_TABLE, "INSERT"),
    } | {("column", f"{PEOPLE_TABLE}.{c}", "UPDATE") for c in ERASURE_COLUMNS}


def reader_privileges(database: str) -> set[tuple[str, str, str]]:
    """Exactly what private_role.sql gives the reader (see held())."""
    return {
        ("database", database, "CONNECT"),
        ("schema", "pingyi_private", "USAGE"),
        ("relation", PEOPLE_TABLE, "SELECT"),
    }


def held(database: str, role: str) -> set[tuple[str, str, str]]:
    """Everything granted to ``role`` itself in ``database``: on the database, every schema,
    table, sequence, view, column and routine, plus its memberships and role attributes."""
    with psycopg.connect(server_url(database), autocommit=True) as conn:
        rows = conn.execute(
            """
            WITH r AS (SELECT oid FROM pg_roles WHERE rolname = %(role)s)
            SELECT 'database', datname::text, a.privilege_type
              FROM pg_database, aclexplode(datacl) a, r
             WHERE datname = current_database() AND a.grantee = r.oid
            UNION ALL
            SELECT 'schema', nspname::text, a.privilege_type
              FROM pg_namespace, aclexplode(nspacl) a, r WHERE a.grantee = r.oid
            UNION ALL
            SELECT 'relation', c.oid::regclass::text, a.privilege_type
              FROM pg_class c, aclexplode(relacl) a, r WHERE a.grantee = r.oid
            UNION ALL
            SELECT 'column', attrelid::regclass::text || '.' || attname, a.privilege_type
              FROM pg_attribute, aclexplode(attacl) a, r WHERE a.grantee = r.oid
            UNION ALL
            SELECT 'routine', p.oid::regprocedure::text, a.privilege_type
              FROM pg_proc p, aclexplode(proacl) a, r WHERE a.grantee = r.oid
            UNION ALL
            SELECT 'member of', roleid::regrole::text, ''
              FROM pg_auth_members, r WHERE member = r.oid
            UNION ALL
            SELECT 'attribute', attribute, ''
              FROM pg_roles,
                   LATERAL (VALUES ('SUPERUSER', rolsuper), ('CREATEDB', rolcreatedb),
                                   ('CREATEROLE', rolcreaterole), ('REPLICATION', rolreplication),
                                   ('BYPASSRLS', rolbypassrls), ('NOLOGIN', NOT rolcanlogin))
                           AS v(attribute, set)
             WHERE rolname = %(role)s AND set
            """,
            {"role": role},
        ).fetchall()
    return {(str(kind), str(name), str(privilege)) for kind, name, privilege in rows}


def grants(database: str) -> list[tuple[str, ...]]:
    """Every privilege granted on the database, the people schema, table and columns."""
    with psycopg.connect(server_url(database), autocommit=True) as conn:
        rows = conn.execute(
            """
            SELECT 'database', a.grantee::regrole::text, a.privilege_type
              FROM pg_database, aclexplode(datacl) a WHERE datname = current_database()
            UNION ALL
            SELECT 'schema', a.grantee::regrole::text, a.privilege_type
              FROM pg_namespace, aclexplode(nspacl) a WHERE nspname = 'pingyi_private'
            UNION ALL
            SELECT 'table', a.grantee::regrole::text, a.privilege_type
              FROM aclexplode((SELECT relacl FROM pg_class
                                WHERE oid = 'pingyi_private.pingyi_people'::regclass)) a
            UNION ALL
            SELECT attname, a.grantee::regrole::text, a.privilege_type
              FROM pg_attribute, aclexplode(attacl) a
             WHERE attrelid = 'pingyi_private.pingyi_people'::regclass
            ORDER BY 1, 2, 3
            """
        ).fetchall()
    return [tuple(str(v) for v in row) for row in rows]


def people_url(database: str, role: str) -> str:
    return f"{server_url(database, role)}?create=no"


def enrol_read_erase(url: str) -> list[Enrolment]:
    """(a): what `pingyi pool import`, the API and `pingyi pool erase` do, as the role."""
    enrolments = enroll(PEOPLE)
    with open_people_store(url) as store:
        store.add("c2026", "deputies", enrolments)
        store.add("c2026", "deputies", enrolments)  # again: ON CONFLICT DO NOTHING, a no-op
        assert store.erase(enrolments[1].pseudonym, "TEST: erasure request 2026-001")
    with open_people_store(url) as store:  # a new connection: it was all committed
        kept, erased = (store.get(e.pseudonym) for e in enrolments)
        assert kept is not None and kept.person == PEOPLE[0]
        assert kept.commitment is not None
        assert erased is not None and erased.erased
        assert (erased.person, erased.salt) == (None, None)
        assert [r.pseudonym for r in store.people("c2026", "deputies")] == [
            e.pseudonym for e in enrolments
        ]
    return enrolments


def private_database(scratch: Scratch) -> str:
    """The people store's own database, as deploy/README.md makes it: closed to PUBLIC,
    its schema and table created by the owner (`pingyi pool init-store`)."""
    private_db = scratch.database()
    with admin() as conn:
        conn.execute(f'REVOKE ALL ON DATABASE "{private_db}" FROM PUBLIC')
    made = CliRunner().invoke(
        app_cli, ["pool", "init-store", "--private-store", server_url(private_db)]
    )
    assert made.exit_code == 0, made.output
    return private_db


def private_roles(scratch: Scratch) -> tuple[str, str]:
    """Unique names for the writer and the reader."""
    return scratch.role("pingyi_private"), scratch.role("pingyi_private_reader")


def test_private_role_in_its_own_database_enrols_reads_and_erases_and_nothing_else(
    scratch: Scratch,
) -> None:
    log_db, app, projector = log_database(scratch)
    private_db = private_database(scratch)
    role, reader = private_roles(scratch)
    private_role(private_db, role, reader, app, projector)
    first = grants(private_db)
    mine = held(private_db, role), held(private_db, reader)
    private_role(private_db, role, reader, app, projector)  # (d) again: the same grants, no error
    assert grants(private_db) == first
    assert (held(private_db, role), held(private_db, reader)) == mine
    assert mine == (writer_privileges(private_db), reader_privileges(private_db))
    assert {o for o, g, p in first if g == role and p == "UPDATE"} == ERASURE_COLUMNS

    enrol_read_erase(people_url(private_db, role))

    # (b) Nothing but that in its own database: no DELETE, TRUNCATE, DROP or DDL.
    with psycopg.connect(server_url(private_db, role), autocommit=True) as conn:
        refused(conn, f"DELETE FROM {PEOPLE_TABLE}")
        refused(conn, f"TRUNCATE {PEOPLE_TABLE}")
        refused(conn, f"UPDATE {PEOPLE_TABLE} SET pseudonym = 'P00000000000000000000'")
        refused(conn, f"UPDATE {PEOPLE_TABLE} SET campaign = 'c2027', pool = 'other'")
        refused(conn, "CREATE TABLE pingyi_private.sneaky (x int)")
        refused(conn, "CREATE SCHEMA sneaky")
        # ... so its URL needs create=no (opening the store would run this first).
        refused(conn, "CREATE SCHEMA IF NOT EXISTS pingyi_private")
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="must be owner"):
            conn.execute(f"DROP TABLE {PEOPLE_TABLE}")
        assert conn.execute(f"SELECT count(*) FROM {PEOPLE_TABLE}").fetchone() == (2,)
    # ... and in the log's database it may connect (PUBLIC may) but read nothing.
    with psycopg.connect(server_url(log_db, role), autocommit=True) as conn:
        for table in [*LOG_TABLES, *VIEW_TABLES]:
            refused(conn, f"SELECT * FROM {table}")

    # (c) The log's roles cannot even connect to the private database.
    for other in (app, projector):
        with pytest.raises(psycopg.OperationalError, match="permission denied for database"):
            psycopg.connect(server_url(private_db, other)).close()


def api_service(url: str) -> Any:
    """What api.private's endpoints use of the LedgerService: its private store URL."""
    return SimpleNamespace(settings=SimpleNamespace(private_store=url))


def test_reader_role_reads_as_the_api_does_and_can_write_nothing(scratch: Scratch) -> None:
    log_db, app, projector = log_database(scratch)
    private_db = private_database(scratch)
    role, reader = private_roles(scratch)
    private_role(private_db, role, reader, app, projector)
    enrolments = enrol_read_erase(people_url(private_db, role))  # the office, as the writer
    kept, erased = enrolments
    url = people_url(private_db, reader)

    # (a) What api.private reads (store.get, store.people), through vault.people ...
    with open_people_store(url) as store:
        record = store.get(kept.pseudonym)
        assert record is not None and record.person == PEOPLE[0]
        assert (record.salt, record.commitment) == (kept.salt, kept.commitment)
        tombstone = store.get(erased.pseudonym)
        assert tombstone is not None and tombstone.erased and tombstone.person is None
        assert store.get("P" + "0" * 20) is None
        assert [r.pseudonym for r in store.people("c2026", "deputies")] == [
            kept.pseudonym,
            erased.pseudonym,
        ]
    # ... and through the endpoints themselves (the inspector's token checked before them).
    view = private_api.person(api_service(url), "inspector-key", kept.pseudonym)
    assert view.person is not None and view.person.name == "张三"
    assert view.commitment == kept.commitment
    pool = private_api.pool_people(api_service(url), "inspector-key", "c2026", "deputies")
    assert [(p.pseudonym, p.erased) for p in pool.people] == [
        (kept.pseudonym, False),
        (erased.pseudonym, True),
    ]

    # (b) It can neither enrol nor erase: refused by the server, for lack of a privilege.
    newcomer = enroll([Person.of(name="王五", group="npc_deputy", phone="13800000003")])
    with open_people_store(url) as store:
        writes = {
            "enrol": lambda: store.add("c2026", "deputies", newcomer),
            "erase": lambda: store.erase(kept.pseudonym, "TEST: erasure request 2026-003"),
        }
        for what, write in writes.items():
            with pytest.raises(PeopleStoreError, match="permission denied") as caught:
                write()
            cause = caught.value.__cause__
            assert isinstance(cause, psycopg.errors.InsufficientPrivilege), (what, cause)
        assert store.get(newcomer[0].pseudonym) is None
        still = store.get(kept.pseudonym)
        assert still is not None and still.person == PEOPLE[0] and not still.erased

    # (c) Nor in SQL: no INSERT, UPDATE (not even of the erasure columns), row locks,
    # DELETE, TRUNCATE, DROP or DDL, not even a temporary table.
    with psycopg.connect(server_url(private_db, reader), autocommit=True) as conn:
        refused(
            conn,
            f"INSERT INTO {PEOPLE_TABLE} (pseudonym, campaign, pool, member_group, leader, name)"
            " VALUES ('P00000000000000000000', 'c2026', 'deputies', 'npc_deputy', false, 'x')",
        )
        refused(conn, f"UPDATE {PEOPLE_TABLE} SET name = NULL, phone = NULL, salt = NULL")
        refused(conn, f"UPDATE {PEOPLE_TABLE} SET erased_at = now(), erased_reason = 'x'")
        refused(conn, f"SELECT * FROM {PEOPLE_TABLE} FOR UPDATE")
        refused(conn, f"DELETE FROM {PEOPLE_TABLE}")
        refused(conn, f"TRUNCATE {PEOPLE_TABLE}")
        refused(conn, "CREATE TABLE pingyi_private.sneaky (x int)")
        refused(conn, "CREATE SCHEMA sneaky")
        refused(conn, "CREATE TEMPORARY TABLE sneaky (x int)")
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="must be owner"):
            conn.execute(f"DROP TABLE {PEOPLE_TABLE}")
        assert conn.execute(f"SELECT count(*) FROM {PEOPLE_TABLE}").fetchone() == (2,)
    # ... and in the log's database it may connect (PUBLIC may) but read nothing.
    with psycopg.connect(server_url(log_db, reader), autocommit=True) as conn:
        for table in [*LOG_TABLES, *VIEW_TABLES]:
            refused(conn, f"SELECT * FROM {table}")


def test_running_the_file_again_takes_away_whatever_was_granted_before(scratch: Scratch) -> None:
    """An earlier version of the file, or a hand-made GRANT, may have left either role more
    than its job needs: every run recomputes both from nothing (run twice: no drift)."""
    private_db = private_database(scratch)
    role, reader = private_roles(scratch)
    with admin() as conn:
        conn.execute(f'CREATE ROLE "{role}" NOLOGIN CREATEDB BYPASSRLS')
        conn.execute(f'CREATE ROLE "{reader}" LOGIN SUPERUSER CREATEROLE REPLICATION')
        conn.execute(f'GRANT "{role}" TO "{reader}"')  # the reader would inherit the writer's
        conn.execute(f'GRANT pg_read_all_data, pg_write_all_data TO "{role}", "{reader}"')
    both = f'"{role}", "{reader}"'
    with psycopg.connect(server_url(private_db), autocommit=True) as owner:
        owner.execute("CREATE TABLE public.beside (x int)")
        owner.execute("CREATE FUNCTION public.beside_fn() RETURNS int LANGUAGE sql AS 'SELECT 1'")
        owner.execute(f'GRANT ALL ON DATABASE "{private_db}" TO {both}')
        owner.execute(f"GRANT ALL ON SCHEMA pingyi_private, public TO {both}")
        owner.execute(f"GRANT ALL ON ALL TABLES IN SCHEMA pingyi_private, public TO {both}")
        owner.execute(f"GRANT ALL ON ALL SEQUENCES IN SCHEMA pingyi_private TO {both}")
        owner.execute(f"GRANT UPDATE (pseudonym, campaign) ON {PEOPLE_TABLE} TO {both}")
        owner.execute(f"GRANT EXECUTE ON FUNCTION public.beside_fn() TO {both}")
    more = {("attribute", "SUPERUSER", ""), ("database", private_db, "TEMPORARY")}
    assert reader_privileges(private_db) | more < held(private_db, reader)
    more = {("attribute", "NOLOGIN", ""), ("relation", PEOPLE_TABLE, "DELETE")}
    assert more < held(private_db, role)

    for _ in range(2):
        private_role(private_db, role, reader, "no_such_app_role", "no_such_projector_role")
        assert held(private_db, role) == writer_privileges(private_db)
        assert held(private_db, reader) == reader_privileges(private_db)

    with psycopg.connect(server_url(private_db, reader), autocommit=True) as conn:
        assert conn.execute(f"SELECT count(*) FROM {PEOPLE_TABLE}").fetchone() == (0,)
        refused(conn, f"DELETE FROM {PEOPLE_TABLE}")
        refused(conn, f"UPDATE {PEOPLE_TABLE} SET name = NULL")
        refused(conn, "SELECT * FROM public.beside")
        refused(conn, "CREATE TEMPORARY TABLE sneaky (x int)")
    enrol_read_erase(people_url(private_db, role))  # the writer still does its whole job
    with psycopg.connect(server_url(private_db, role), autocommit=True) as conn:
        refused(conn, f"UPDATE {PEOPLE_TABLE} SET pseudonym = 'P00000000000000000000'")
        refused(conn, "SELECT * FROM public.beside")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"reader_role": None}, "needs -v private_role=ROLE -v reader_role=ROLE"),
        ({"schema": None}, "needs -v private_role=ROLE -v reader_role=ROLE"),
        ({"reader_role": "WRITER"}, "must name four different roles"),
        ({"reader_role": "no_such_app_role"}, "must name four different roles"),
    ],
)
def test_the_file_refuses_a_missing_variable_or_a_role_named_twice(
    scratch: Scratch, change: dict[str, str | None], message: str
) -> None:
    private_db = private_database(scratch)
    role, reader = private_roles(scratch)
    variables: dict[str, str | None] = {
        "private_role": role,
        "reader_role": reader,
        "schema": "pingyi_private",
        "app_role": "no_such_app_role",
        "projector_role": "no_such_projector_role",
    }
    variables.update({k: role if v == "WRITER" else v for k, v in change.items()})
    given = {k: v for k, v in variables.items() if v is not None}
    with pytest.raises(subprocess.CalledProcessError) as caught:
        apply_sql(private_db, "private_role.sql", **given)
    assert message in caught.value.stderr
    with admin() as conn:  # it stopped before creating anything
        assert conn.execute(
            "SELECT count(*) FROM pg_roles WHERE rolname IN (%s, %s)", (role, reader)
        ).fetchone() == (0,)


def test_log_roles_sharing_the_database_cannot_read_the_people_table(scratch: Scratch) -> None:
    """The fallback layout (one database, the people store in its own schema), with
    mistaken grants made first: private_role.sql revokes them."""
    db, app, projector = log_database(scratch)
    open_people_store(server_url(db)).close()  # schema pingyi_private beside the log's
    role, reader = private_roles(scratch)
    with admin() as conn, psycopg.connect(server_url(db), autocommit=True) as owner:
        conn.execute(f'CREATE ROLE "{role}" LOGIN')
        conn.execute(f'CREATE ROLE "{reader}" LOGIN')
        owner.execute(f'GRANT USAGE ON SCHEMA pingyi_private TO "{app}", "{projector}", PUBLIC')
        owner.execute(f'GRANT ALL ON {PEOPLE_TABLE} TO "{app}", "{projector}", PUBLIC')
        owner.execute(f'GRANT SELECT ON ledger_events, pingyi_view_entries TO "{role}", "{reader}"')
        owner.execute(f'GRANT DELETE ON {PEOPLE_TABLE} TO "{role}", "{reader}"')
        owner.execute(f'GRANT INSERT ON {PEOPLE_TABLE} TO "{reader}"')
        owner.execute(f'GRANT EXECUTE ON FUNCTION pingyi_lock_log() TO "{role}", "{reader}"')
    for _ in range(2):  # (d)
        private_role(db, role, reader, app, projector)
        assert held(db, role) == writer_privileges(db)
        assert held(db, reader) == reader_privileges(db)

    enrol_read_erase(people_url(db, role))
    for who in (role, reader):
        with psycopg.connect(server_url(db, who), autocommit=True) as conn:
            for table in [*LOG_TABLES, *VIEW_TABLES]:  # (b)
                refused(conn, f"SELECT * FROM {table}")
            refused(conn, "SELECT pingyi_lock_log()")
            refused(conn, f"DELETE FROM {PEOPLE_TABLE}")
            refused(conn, f"TRUNCATE {PEOPLE_TABLE}")
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="must be owner"):
                conn.execute(f"DROP TABLE {PEOPLE_TABLE}")
    with open_people_store(people_url(db, reader)) as store:
        assert len(store.people("c2026", "deputies")) == 2
        with pytest.raises(PeopleStoreError, match="permission denied"):
            store.add("c2026", "deputies", enroll(PEOPLE[:1]))
    for other in (app, projector):  # (c)
        with psycopg.connect(server_url(db, other), autocommit=True) as conn:
            refused(conn, f"SELECT * FROM {PEOPLE_TABLE}")
            refused(conn, f"DELETE FROM {PEOPLE_TABLE}")
            assert conn.execute("SELECT count(*) FROM ledger_events").fetchone()  # still works


def test_erased_data_stays_in_the_table_file_until_the_owner_runs_vacuum_full(
    scratch: Scratch,
) -> None:
    """deploy/README.md's caveat: an erasure is an UPDATE, and the old row version (with
    the personal data) stays in the table's pages until VACUUM FULL, which needs the owner."""
    private_db = scratch.database()
    open_people_store(server_url(private_db)).close()
    role, reader = private_roles(scratch)
    private_role(private_db, role, reader, "no_such_app_role", "no_such_projector_role")
    phone = PEOPLE[0].phone
    assert phone is not None
    enrolments = enrol_read_erase(people_url(private_db, role))
    with open_people_store(people_url(private_db, role)) as store:
        assert store.erase(enrolments[0].pseudonym, "TEST: erasure request 2026-002")

    with psycopg.connect(server_url(private_db), autocommit=True) as owner:
        owner.execute("CREATE EXTENSION pageinspect")

        def on_disk() -> bool:
            """Whether the phone number is still somewhere in the table's pages."""
            pages = owner.execute(
                "SELECT get_raw_page(%s, n) FROM generate_series(0, "
                "pg_relation_size(%s::regclass) / current_setting('block_size')::int - 1) n",
                (PEOPLE_TABLE, PEOPLE_TABLE),
            ).fetchall()
            return any(phone.encode() in bytes(page) for (page,) in pages)

        assert on_disk()
        with psycopg.connect(server_url(private_db, role), autocommit=True) as conn:
            notices: list[str] = []
            conn.add_notice_handler(lambda d: notices.append(d.message_primary or ""))
            conn.execute(f"VACUUM FULL {PEOPLE_TABLE}")  # skipped, with a warning
            assert any("skipping" in n for n in notices), notices
        assert on_disk()
        owner.execute(f"VACUUM FULL {PEOPLE_TABLE}")
        assert not on_disk()
