"""SQLite adapter: eventsourcing's SQLite application recorder plus pingyi's sequencing.

Writers take SQLite's write lock up front with ``BEGIN IMMEDIATE``, so several
processes appending to one file serialise on the file lock (eventsourcing's own
``BEGIN`` is deferred). Triggers refuse UPDATE and DELETE on the log tables.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Any
from uuid import UUID

from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor, SQLiteDatastore

from ledger.entry import Entry
from ledger.errors import StoreError
from ledger.store.sequencer import ENTRY_TOPIC, RaceLost, SequencingRecorder, StoredCheckpoint

APPEND_ONLY_TABLES = ("stored_events", "pingyi_claims", "pingyi_checkpoints")


class SQLiteLedgerRecorder(SequencingRecorder, SQLiteApplicationRecorder):
    def __init__(self, datastore: SQLiteDatastore, events_table_name: str = "stored_events"):
        super().__init__(datastore, events_table_name)

    def construct_create_table_statements(self) -> list[str]:
        statements = super().construct_create_table_statements()
        statements += [
            "CREATE TABLE IF NOT EXISTS pingyi_claims ("
            "log_id TEXT NOT NULL, claim TEXT NOT NULL, idx INTEGER NOT NULL, "
            "PRIMARY KEY (log_id, claim)) WITHOUT ROWID",
            "CREATE TABLE IF NOT EXISTS pingyi_checkpoints ("
            "log_id TEXT NOT NULL, size INTEGER NOT NULL, root BLOB NOT NULL, note TEXT NOT NULL, "
            "PRIMARY KEY (log_id, size)) WITHOUT ROWID",
        ]
        for table in APPEND_ONLY_TABLES:
            for op in ("UPDATE", "DELETE"):
                statements.append(
                    f"CREATE TRIGGER IF NOT EXISTS {table}_no_{op.lower()} BEFORE {op} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, 'pingyi: {op} on {table} is forbidden: "
                    "the ledger is append-only'); END"
                )
        return statements

    @contextmanager
    def _locked(self) -> Iterator[SQLiteCursor]:
        with self.datastore.get_connection(commit=True) as conn:
            curs = conn.cursor()
            try:
                curs.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                raise StoreError(f"the SQLite store is locked by another writer: {exc}") from exc
            try:
                yield curs
                conn.commit()
            except sqlite3.IntegrityError as exc:
                conn.rollback()
                raise RaceLost(exc) from exc
            except BaseException:
                conn.rollback()
                raise

    def _reading(self) -> AbstractContextManager[Any]:
        return self.datastore.transaction(commit=False)

    def _c_read(self, curs: Any, log_id: UUID, after: int, limit: int) -> list[bytes]:
        curs.execute(
            f"SELECT state FROM {self.events_table_name} WHERE originator_id=? "  # noqa: S608
            "AND originator_version>? ORDER BY originator_version LIMIT ?",
            (log_id.hex, after, limit),
        )
        return [bytes(row[0]) for row in curs.fetchall()]

    def _c_claims(self, curs: Any, log_id: UUID, claims: Sequence[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        for start in range(0, len(claims), 500):
            chunk = list(claims[start : start + 500])
            marks = ",".join("?" * len(chunk))
            curs.execute(
                f"SELECT claim, idx FROM pingyi_claims WHERE log_id=? AND claim IN ({marks})",  # noqa: S608
                (log_id.hex, *chunk),
            )
            found.update({row[0]: int(row[1]) for row in curs.fetchall()})
        return found

    def _c_insert(
        self, curs: Any, log_id: UUID, entries: Sequence[Entry], claims: Sequence[tuple[str, int]]
    ) -> None:
        curs.executemany(
            f"INSERT INTO {self.events_table_name} VALUES (?,?,?,?)",  # noqa: S608
            [(log_id.hex, e.index, ENTRY_TOPIC, e.raw) for e in entries],
        )
        curs.executemany(
            "INSERT INTO pingyi_claims VALUES (?,?,?)", [(log_id.hex, c, i) for c, i in claims]
        )

    def read_entries(self, log_id: UUID, after: int, limit: int) -> list[bytes]:
        return [e.state for e in self.select_events(log_id, gt=after, limit=limit)]

    def log_ids(self) -> list[UUID]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT originator_id FROM {self.events_table_name} "  # noqa: S608
                "WHERE originator_version=0 ORDER BY rowid"
            )
            return [UUID(row[0]) for row in c.fetchall()]

    def checkpoints(self, log_id: UUID) -> list[StoredCheckpoint]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                "SELECT size, root, note FROM pingyi_checkpoints WHERE log_id=? ORDER BY size",
                (log_id.hex,),
            )
            return [StoredCheckpoint(int(r[0]), bytes(r[1]), str(r[2])) for r in c.fetchall()]

    def add_checkpoint(self, log_id: UUID, checkpoint: StoredCheckpoint) -> StoredCheckpoint:
        with self._locked() as curs:
            curs.execute(
                "INSERT OR IGNORE INTO pingyi_checkpoints VALUES (?,?,?,?)",
                (log_id.hex, checkpoint.size, checkpoint.root, checkpoint.note),
            )
            curs.execute(
                "SELECT size, root, note FROM pingyi_checkpoints WHERE log_id=? AND size=?",
                (log_id.hex, checkpoint.size),
            )
            row = curs.fetchone()
        return StoredCheckpoint(int(row[0]), bytes(row[1]), str(row[2]))
