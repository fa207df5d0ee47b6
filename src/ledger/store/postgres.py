"""PostgreSQL adapter: eventsourcing's PostgreSQL application recorder plus pingyi's sequencing.

Ordering: every append takes eventsourcing's ``LOCK TABLE … IN EXCLUSIVE MODE``
on the entries table (so notification ids follow commit order and no reader
skips a committed row), through the SECURITY DEFINER function
``pingyi_lock_log()`` so that the application role needs only SELECT and INSERT.
Never enable eventsourcing's database-functions mode: it does not take the lock.

Append-only: triggers raise on UPDATE, DELETE and TRUNCATE of every log table,
whoever the user; ``deploy/sql/app_role.sql`` additionally grants the
application role only SELECT and INSERT.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from psycopg.errors import UniqueViolation
from psycopg.sql import SQL, Composed, Identifier

from ledger.entry import Entry
from ledger.store.sequencer import ENTRY_TOPIC, RaceLost, SequencingRecorder, StoredCheckpoint


class PostgresLedgerRecorder(SequencingRecorder, PostgresApplicationRecorder):
    def __init__(self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events"):
        super().__init__(datastore, events_table_name=events_table_name)
        if datastore.enable_db_functions:
            raise ValueError(
                "pingyi needs POSTGRES_ENABLE_DB_FUNCTIONS off: it drops the insert lock"
            )
        schema = Identifier(datastore.schema)
        table = Identifier(events_table_name)
        self._ids = {"schema": schema, "table": table}
        self._rendered: dict[str, str] = {}
        self._notify = SQL("NOTIFY {0}").format(Identifier(self.channel_name)).as_string()
        self.lock_table_statements = [
            SQL("SET LOCAL lock_timeout = '{0}s'").format(datastore.lock_timeout).as_string(),
            SQL("SELECT {schema}.pingyi_lock_log()").format(schema=schema).as_string(),
        ]
        # Serialise schema creation: two processes creating a new store at once
        # otherwise deadlock in the CREATE statements (they run in one transaction).
        self.sql_create_statements.insert(
            0, SQL("SELECT pg_advisory_xact_lock({0})").format(7413350)
        )
        self.sql_create_statements += [
            self._sql(
                "CREATE TABLE IF NOT EXISTS {schema}.pingyi_claims ("
                "log_id uuid NOT NULL, claim text NOT NULL, idx bigint NOT NULL, "
                "PRIMARY KEY (log_id, claim))"
            ),
            self._sql(
                "CREATE TABLE IF NOT EXISTS {schema}.pingyi_checkpoints ("
                "log_id uuid NOT NULL, size bigint NOT NULL, root bytea NOT NULL, "
                "note text NOT NULL, PRIMARY KEY (log_id, size))"
            ),
            self._sql(
                "CREATE OR REPLACE FUNCTION {schema}.pingyi_lock_log() RETURNS void "
                "LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS "
                "$$BEGIN LOCK TABLE {schema}.{table} IN EXCLUSIVE MODE; END$$"
            ),
            self._sql("REVOKE ALL ON FUNCTION {schema}.pingyi_lock_log() FROM PUBLIC"),
            self._sql(
                "CREATE OR REPLACE FUNCTION {schema}.pingyi_append_only() RETURNS trigger "
                "LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION "
                "'pingyi: % on %.% is forbidden: the ledger is append-only', "
                "TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege'; "
                "END$$"
            ),
        ]
        for name in (events_table_name, "pingyi_claims", "pingyi_checkpoints"):
            ids = {"schema": schema, "t": Identifier(name)}
            self.sql_create_statements += [
                SQL(
                    "CREATE OR REPLACE TRIGGER {row} BEFORE UPDATE OR DELETE ON {schema}.{t} "
                    "FOR EACH ROW EXECUTE FUNCTION {schema}.pingyi_append_only()"
                ).format(row=Identifier(f"{name}_append_only"), **ids),
                SQL(
                    "CREATE OR REPLACE TRIGGER {stmt} BEFORE TRUNCATE ON {schema}.{t} "
                    "FOR EACH STATEMENT EXECUTE FUNCTION {schema}.pingyi_append_only()"
                ).format(stmt=Identifier(f"{name}_no_truncate"), **ids),
            ]

    def create_table(self) -> None:
        """Create the schema; a concurrent creator may win the race for the composite type.

        eventsourcing creates its ``CREATE TYPE`` in a transaction of its own and
        ignores "already exists", but two processes creating it at the same
        instant can instead collide on ``pg_type``'s unique index. The type then
        exists, so creating again is safe (the rest is serialised by the
        advisory lock above).
        """
        for attempt in range(3):
            try:
                super().create_table()
                return
            except IntegrityError as exc:
                if "pg_type" not in str(exc) or attempt == 2:
                    raise

    def _sql(self, text: str) -> Composed:
        return SQL(text).format(**self._ids)

    def _q(self, text: str) -> str:
        """``_sql(text)`` rendered once: appends run these statements many times."""
        query = self._rendered.get(text)
        if query is None:
            query = self._rendered[text] = self._sql(text).as_string()
        return query

    def _notify_channel(self, curs: Any) -> None:
        curs.execute(self._notify)

    @contextmanager
    def _locked(self) -> Iterator[Any]:
        # Pipeline mode, as eventsourcing's own insert_events: statements whose results
        # are not needed yet travel together, so the lock, NOTIFY and the catch-up read
        # share one round trip and the inserts share one with COMMIT. An error still
        # surfaces (at the next result fetched, or at the pipeline's sync on exit) and
        # rolls the transaction back.
        try:
            with (
                self.datastore.get_connection() as conn,
                conn.pipeline(),
                conn.transaction(),
                conn.cursor() as curs,
            ):
                self._lock_table(curs)
                self._notify_channel(curs)
                yield curs
        except IntegrityError as exc:  # eventsourcing's, wrapping psycopg's
            cause = exc.__cause__
            if isinstance(cause, UniqueViolation):
                raise RaceLost(cause.diag.message_detail or cause) from exc
            raise

    def _reading(self) -> AbstractContextManager[Any]:
        return self.datastore.transaction(commit=False)

    def _c_read(self, curs: Any, log_id: UUID, after: int, limit: int) -> list[bytes]:
        curs.execute(
            self._q(
                "SELECT state FROM {schema}.{table} WHERE originator_id = %s "
                "AND originator_version > %s ORDER BY originator_version LIMIT %s"
            ),
            (log_id, after, limit),
        )
        return [bytes(row["state"]) for row in curs.fetchall()]

    def _c_claims(self, curs: Any, log_id: UUID, claims: Sequence[str]) -> dict[str, int]:
        # A join with the claims unnested, not ``claim = ANY(%s)``: once psycopg prepares
        # the statement, PostgreSQL's generic plan checks ANY(parameter) linearly on every
        # claim row of the log (about 8 ms per 100 claims against 10,000 rows), where the
        # join hashes the claims or probes the primary key once per claim.
        curs.execute(
            self._q(
                "SELECT c.claim, c.idx FROM unnest(%b::text[]) AS u(claim) "
                "JOIN {schema}.pingyi_claims AS c ON c.log_id = %s AND c.claim = u.claim"
            ),
            (list(claims), log_id),
        )
        return {row["claim"]: int(row["idx"]) for row in curs.fetchall()}

    def _c_insert(
        self, curs: Any, log_id: UUID, entries: Sequence[Entry], claims: Sequence[tuple[str, int]]
    ) -> None:
        # %b: the arrays travel in binary, skipping psycopg's per-element text escaping.
        curs.execute(
            self._q(
                "INSERT INTO {schema}.{table} (originator_id, originator_version, topic, state) "
                "SELECT %s, v, %s, s FROM unnest(%b::bigint[], %b::bytea[]) AS u(v, s)"
            ),
            (log_id, ENTRY_TOPIC, [e.index for e in entries], [e.raw for e in entries]),
        )
        curs.execute(
            self._q(
                "INSERT INTO {schema}.pingyi_claims (log_id, claim, idx) "
                "SELECT %s, c, i FROM unnest(%b::text[], %b::bigint[]) AS u(c, i)"
            ),
            (log_id, [c for c, _ in claims], [i for _, i in claims]),
        )

    def read_entries(self, log_id: UUID, after: int, limit: int) -> list[bytes]:
        return [e.state for e in self.select_events(log_id, gt=after, limit=limit)]

    def log_ids(self) -> list[UUID]:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(
                self._sql(
                    "SELECT originator_id FROM {schema}.{table} WHERE originator_version = 0 "
                    "ORDER BY notification_id"
                )
            )
            return [UUID(str(row["originator_id"])) for row in curs.fetchall()]

    def checkpoints(self, log_id: UUID) -> list[StoredCheckpoint]:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(
                self._sql(
                    "SELECT size, root, note FROM {schema}.pingyi_checkpoints "
                    "WHERE log_id = %s ORDER BY size"
                ),
                (log_id,),
            )
            return [
                StoredCheckpoint(int(r["size"]), bytes(r["root"]), str(r["note"]))
                for r in curs.fetchall()
            ]

    def add_checkpoint(self, log_id: UUID, checkpoint: StoredCheckpoint) -> StoredCheckpoint:
        with self._locked() as curs:
            curs.execute(
                self._sql(
                    "INSERT INTO {schema}.pingyi_checkpoints (log_id, size, root, note) "
                    "VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING"
                ),
                (log_id, checkpoint.size, checkpoint.root, checkpoint.note),
            )
            curs.execute(
                self._sql(
                    "SELECT size, root, note FROM {schema}.pingyi_checkpoints "
                    "WHERE log_id = %s AND size = %s"
                ),
                (log_id, checkpoint.size),
            )
            row = curs.fetchone()
        return StoredCheckpoint(int(row["size"]), bytes(row["root"]), str(row["note"]))
