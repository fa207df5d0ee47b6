"""PostgreSQL backend of the private people store, on psycopg 3.

``postgresql://user@host:port/db?schema=NAME&create=no``: the schema defaults
to ``pingyi_private``; it and the table are created if missing (under an
advisory lock, so two processes may open a new store at once) unless
``create=no``. Other query parameters (``sslmode``, ...) go to libpq.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import psycopg
from psycopg.sql import SQL, Composed, Identifier

from ledger.store import redact
from vault.errors import PeopleStoreError
from vault.people import COLUMNS, TABLE, PeopleStore, Row

DEFAULT_SCHEMA = "pingyi_private"
_CREATE_LOCK = 7413351  # pg_advisory_xact_lock key for schema creation
_PINGYI_PARAMS = ("schema", "create", "pool")
_SCHEMA = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")


def postgres_settings(url: str) -> tuple[str, str, bool]:
    """(libpq connection URL, schema, create) from a private store URL."""
    parts = urlsplit(url)
    if parts.scheme not in ("postgresql", "postgres") or not parts.hostname:
        raise PeopleStoreError(
            f"private store URL {redact(url)!r}: write postgresql://user@host:port/dbname"
        )
    if not parts.path.strip("/"):
        raise PeopleStoreError(f"private store URL {redact(url)!r} names no database")
    query = parse_qsl(parts.query, keep_blank_values=True)
    settings = {key: value for key, value in query if key in _PINGYI_PARAMS}
    schema = settings.get("schema") or DEFAULT_SCHEMA
    if not _SCHEMA.fullmatch(schema):
        raise PeopleStoreError(
            f"private store URL {redact(url)!r}: schema {schema!r} must be letters, digits "
            "and underscores, not starting with a digit"
        )
    create = settings.get("create", "yes").lower() not in ("no", "n", "false", "0")
    rest = urlencode([(key, value) for key, value in query if key not in _PINGYI_PARAMS])
    return parts._replace(query=rest).geturl(), schema, create


class PostgresPeopleStore(PeopleStore):
    def __init__(self, url: str) -> None:
        self.url = url
        conninfo, schema, create = postgres_settings(url)
        self._ids: dict[str, Any] = {"schema": Identifier(schema), "table": Identifier(TABLE)}
        try:
            self._conn = psycopg.connect(conninfo, autocommit=True)
        except psycopg.Error as exc:
            raise PeopleStoreError(
                f"cannot connect to the private store {redact(url)}: {str(exc).strip()}; "
                "check the URL and that the server is up"
            ) from exc
        if create:
            try:
                with self._transaction(write=True):
                    self._create()
            except BaseException:
                self._conn.close()  # the caller never gets this store to close
                raise

    def _sql(self, text: str, **extra: Any) -> Composed:
        return SQL(text).format(**self._ids, **extra)

    def _create(self) -> None:
        execute = self._conn.execute
        execute("SELECT pg_advisory_xact_lock(%s)", (_CREATE_LOCK,))
        execute(self._sql("CREATE SCHEMA IF NOT EXISTS {schema}"))
        execute(
            self._sql(
                "CREATE TABLE IF NOT EXISTS {schema}.{table} ("
                "seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
                "pseudonym text NOT NULL UNIQUE, "
                "campaign text NOT NULL, "
                "pool text NOT NULL, "
                "member_group text NOT NULL, "
                "affiliation text, "
                "leader boolean NOT NULL, "
                "name text, "
                "phone text, "
                "id_number text, "
                "salt bytea CHECK (salt IS NULL OR length(salt) = 32), "
                "erased_at timestamptz, "
                "erased_reason text, "
                "CHECK ((erased_at IS NULL AND erased_reason IS NULL "
                "AND name IS NOT NULL AND salt IS NOT NULL) "
                "OR (erased_at IS NOT NULL AND erased_reason IS NOT NULL AND name IS NULL "
                "AND phone IS NULL AND id_number IS NULL AND salt IS NULL)))"
            )
        )
        execute(
            self._sql(
                "CREATE INDEX IF NOT EXISTS {index} ON {schema}.{table} (campaign, pool, seq)",
                index=Identifier(f"{TABLE}_pool"),
            )
        )

    def close(self) -> None:
        self._conn.close()

    @contextmanager
    def _transaction(self, *, write: bool = False) -> Iterator[None]:
        try:
            with self._conn.transaction():
                yield
        except psycopg.errors.UndefinedTable as exc:
            raise PeopleStoreError(
                f"private store {redact(self.url)}: the table is missing ({exc}); "
                "open the store once without create=no to create it"
            ) from exc
        except psycopg.Error as exc:
            raise PeopleStoreError(f"private store {redact(self.url)}: {exc}") from exc

    def _select_sql(self) -> Composed:
        return self._sql(
            "SELECT {columns} FROM {schema}.{table}",
            columns=SQL(", ").join(Identifier(c) for c in COLUMNS),
        )

    def _insert(self, row: Row) -> None:
        self._conn.execute(
            self._sql(
                "INSERT INTO {schema}.{table} ({columns}) VALUES ({values}) "
                "ON CONFLICT (pseudonym) DO NOTHING",
                columns=SQL(", ").join(Identifier(c) for c in COLUMNS),
                values=SQL(", ").join(SQL("%s") for _ in COLUMNS),
            ),
            tuple(row),
        )

    def _select(self, pseudonym: str, *, for_update: bool = False) -> Row | None:
        query = self._select_sql() + SQL(" WHERE pseudonym = %s")
        if for_update:
            query += SQL(" FOR UPDATE")
        found = self._conn.execute(query, (pseudonym,)).fetchone()
        return None if found is None else Row._make(found)

    def _select_pool(self, campaign: str, pool: str) -> list[Row]:
        query = self._select_sql() + SQL(" WHERE campaign = %s AND pool = %s ORDER BY seq")
        return [Row._make(found) for found in self._conn.execute(query, (campaign, pool))]

    def _erase(self, pseudonym: str, reason: str, at: datetime) -> None:
        self._conn.execute(
            self._sql(
                "UPDATE {schema}.{table} SET name = NULL, phone = NULL, id_number = NULL, "
                "salt = NULL, erased_at = %s, erased_reason = %s WHERE pseudonym = %s"
            ),
            (at, reason, pseudonym),
        )
