"""The read model on PostgreSQL: eventsourcing's PostgreSQL tracking recorder plus two tables."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from eventsourcing.persistence import Tracking
from eventsourcing.postgres import PostgresDatastore, PostgresTrackingRecorder
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Composed, Identifier

from projections.view.base import ENTRIES_TABLE, LOGS_TABLE, ViewEntry, ViewRecorder


class PostgresViewRecorder(PostgresTrackingRecorder, ViewRecorder):
    def __init__(self, datastore: PostgresDatastore, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        self._ids = {
            "schema": Identifier(datastore.schema),
            "entries": Identifier(ENTRIES_TABLE),
            "logs": Identifier(LOGS_TABLE),
            "tracking": Identifier(self.tracking_table_name),
        }
        self.sql_create_statements += [
            self._sql(
                "CREATE TABLE IF NOT EXISTS {schema}.{entries} (log_id text NOT NULL, "
                "campaign text NOT NULL, idx bigint NOT NULL, entry text NOT NULL, "
                "type text NOT NULL, payload text NOT NULL, "
                "PRIMARY KEY (log_id, campaign, idx))"
            ),
            self._sql(
                "CREATE TABLE IF NOT EXISTS {schema}.{logs} (log_id text PRIMARY KEY, "
                "size bigint NOT NULL)"
            ),
        ]

    def _sql(self, text: str) -> Composed:
        return SQL(text).format(**self._ids)

    def write(
        self, rows: Sequence[ViewEntry], sizes: Mapping[str, int], tracking: Tracking
    ) -> None:
        with self.datastore.transaction(commit=True) as curs:
            if rows:
                curs.execute(
                    self._sql(
                        "INSERT INTO {schema}.{entries} "
                        "SELECT * FROM unnest(%s::text[], %s::text[], %s::bigint[], "
                        "%s::text[], %s::text[], %s::text[])"
                    ),
                    (
                        [r.log_id for r in rows],
                        [r.campaign for r in rows],
                        [r.index for r in rows],
                        [r.id for r in rows],
                        [r.type for r in rows],
                        [r.payload_text for r in rows],
                    ),
                    prepare=True,
                )
            for log_id, size in sizes.items():
                curs.execute(
                    self._sql(
                        "INSERT INTO {schema}.{logs} VALUES (%s, %s) "
                        "ON CONFLICT (log_id) DO UPDATE SET size = excluded.size"
                    ),
                    (log_id, size),
                    prepare=True,
                )
            self._insert_tracking(curs, tracking)

    def select(self, log_id: str, campaign: str, as_of: int | None) -> list[ViewEntry]:
        last = as_of if as_of is not None else 2**62
        with (
            self.datastore.get_connection() as conn,
            conn.transaction(force_rollback=True),
            conn.cursor(row_factory=tuple_row) as curs,  # tuples: cheaper than dicts per row
        ):
            curs.execute(
                self._sql(
                    "SELECT idx, entry, type, payload FROM {schema}.{entries} "
                    "WHERE log_id = %s AND campaign = %s AND idx <= %s ORDER BY idx"
                ),
                (log_id, campaign, last),
            )
            return [
                ViewEntry(log_id, campaign, int(idx), entry, type_, payload)
                for idx, entry, type_, payload in curs.fetchall()
            ]

    def log_size(self, log_id: str) -> int:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._sql("SELECT size FROM {schema}.{logs} WHERE log_id = %s"), (log_id,))
            row = curs.fetchone()
        return int(row["size"]) if row else 0

    def campaigns(self, log_id: str) -> list[str]:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(
                self._sql(
                    "SELECT DISTINCT campaign FROM {schema}.{entries} WHERE log_id = %s "
                    "ORDER BY campaign"
                ),
                (log_id,),
            )
            return [str(r["campaign"]) for r in curs.fetchall()]

    def clear(self, application_name: str) -> None:
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(self._sql("DELETE FROM {schema}.{entries}"))
            curs.execute(self._sql("DELETE FROM {schema}.{logs}"))
            curs.execute(
                self._sql("DELETE FROM {schema}.{tracking} WHERE application_name = %s"),
                (application_name,),
            )
