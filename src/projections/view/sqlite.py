"""The read model on SQLite: eventsourcing's SQLite tracking recorder plus two tables."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from eventsourcing.persistence import Tracking
from eventsourcing.sqlite import SQLiteTrackingRecorder

from projections.view.base import ENTRIES_TABLE, LOGS_TABLE, ViewEntry, ViewRecorder


class SQLiteViewRecorder(SQLiteTrackingRecorder, ViewRecorder):
    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            f"CREATE TABLE IF NOT EXISTS {ENTRIES_TABLE} (log_id TEXT NOT NULL, "
            "campaign TEXT NOT NULL, idx INTEGER NOT NULL, entry TEXT NOT NULL, "
            "type TEXT NOT NULL, payload TEXT NOT NULL, "
            "PRIMARY KEY (log_id, campaign, idx)) WITHOUT ROWID",
            f"CREATE TABLE IF NOT EXISTS {LOGS_TABLE} (log_id TEXT PRIMARY KEY, "
            "size INTEGER NOT NULL) WITHOUT ROWID",
        ]

    def write(
        self, rows: Sequence[ViewEntry], sizes: Mapping[str, int], tracking: Tracking
    ) -> None:
        with self.datastore.transaction(commit=True) as c:
            if rows:
                c.executemany(
                    f"INSERT INTO {ENTRIES_TABLE} VALUES (?,?,?,?,?,?)",  # noqa: S608
                    [(r.log_id, r.campaign, r.index, r.id, r.type, r.payload_text) for r in rows],
                )
            for log_id, size in sizes.items():
                c.execute(
                    f"INSERT INTO {LOGS_TABLE} VALUES (?,?) "  # noqa: S608
                    "ON CONFLICT (log_id) DO UPDATE SET size = excluded.size",
                    (log_id, size),
                )
            self._insert_tracking(c, tracking)

    def select(self, log_id: str, campaign: str, as_of: int | None) -> list[ViewEntry]:
        last = as_of if as_of is not None else 2**62
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                "SELECT idx, entry, type, payload "  # noqa: S608
                f"FROM {ENTRIES_TABLE} WHERE log_id=? AND campaign=? AND idx<=? ORDER BY idx",
                (log_id, campaign, last),
            )
            return [ViewEntry(log_id, campaign, int(r[0]), r[1], r[2], r[3]) for r in c.fetchall()]

    def log_size(self, log_id: str) -> int:
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT size FROM {LOGS_TABLE} WHERE log_id=?", (log_id,))  # noqa: S608
            row = c.fetchone()
        return int(row[0]) if row else 0

    def campaigns(self, log_id: str) -> list[str]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT DISTINCT campaign FROM {ENTRIES_TABLE} WHERE log_id=? ORDER BY campaign",  # noqa: S608
                (log_id,),
            )
            return [str(r[0]) for r in c.fetchall()]

    def clear(self, application_name: str) -> None:
        with self.datastore.transaction(commit=True) as c:
            c.execute(f"DELETE FROM {ENTRIES_TABLE}")  # noqa: S608
            c.execute(f"DELETE FROM {LOGS_TABLE}")  # noqa: S608
            c.execute("DELETE FROM tracking WHERE application_name=?", (application_name,))
