"""SQLite backend of the private people store (``sqlite:///path``), on the stdlib sqlite3.

The file is created readable by its owner only, and the connection runs with
``PRAGMA secure_delete`` so that erased values are overwritten with zeros in
the file rather than left in free pages.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

from vault.errors import PeopleStoreError
from vault.people import COLUMNS, TABLE, PeopleStore, Row

_SELECT = f"SELECT {', '.join(COLUMNS)} FROM {TABLE}"  # noqa: S608 - constants only
_CREATE = (
    f"CREATE TABLE IF NOT EXISTS {TABLE} ("
    "seq INTEGER PRIMARY KEY AUTOINCREMENT, "
    "pseudonym TEXT NOT NULL UNIQUE, "
    "campaign TEXT NOT NULL, "
    "pool TEXT NOT NULL, "
    "member_group TEXT NOT NULL, "
    "affiliation TEXT, "
    "leader INTEGER NOT NULL CHECK (leader IN (0, 1)), "
    "name TEXT, "
    "phone TEXT, "
    "id_number TEXT, "
    "salt BLOB CHECK (salt IS NULL OR length(salt) = 32), "
    "erased_at TEXT, "
    "erased_reason TEXT, "
    "CHECK ((erased_at IS NULL AND erased_reason IS NULL "
    "AND name IS NOT NULL AND salt IS NOT NULL) "
    "OR (erased_at IS NOT NULL AND erased_reason IS NOT NULL AND name IS NULL "
    "AND phone IS NULL AND id_number IS NULL AND salt IS NULL)))",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_pool ON {TABLE} (campaign, pool, seq)",
)


def sqlite_path(url: str) -> str:
    """The file named by ``sqlite:///relative.db`` or ``sqlite:////absolute.db`` (or ``:memory:``)."""
    parts = urlsplit(url)
    path = unquote(parts.path)
    if parts.scheme != "sqlite" or parts.netloc or not path.startswith("/") or not path[1:]:
        raise PeopleStoreError(
            f"private store URL {url!r}: write sqlite:///relative/path.db "
            "or sqlite:////absolute/path.db"
        )
    return path[1:]


class SQLitePeopleStore(PeopleStore):
    def __init__(self, url: str) -> None:
        self.url = url
        path = sqlite_path(url)
        try:
            if path != ":memory:":
                file = Path(path).expanduser()
                file.parent.mkdir(parents=True, exist_ok=True)
                # Personal data: readable by the owner only, from the first byte.
                os.close(os.open(file, os.O_CREAT | os.O_RDWR, 0o600))
                path = str(file)
            self._conn = sqlite3.connect(path, isolation_level=None, timeout=30)
            self._conn.execute("PRAGMA secure_delete = ON")
        except (OSError, sqlite3.Error) as exc:
            raise PeopleStoreError(
                f"cannot open the private store {url!r}: {exc}; check the path and its permissions"
            ) from exc
        with self._transaction(write=True):
            for statement in _CREATE:
                self._conn.execute(statement)

    def close(self) -> None:
        self._conn.close()

    @contextmanager
    def _transaction(self, *, write: bool = False) -> Iterator[None]:
        try:
            self._conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                yield
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")
        except sqlite3.Error as exc:
            raise PeopleStoreError(f"private store {self.url!r}: {exc}") from exc

    def _insert(self, row: Row) -> None:
        values = (*row[:5], int(row.leader), *row[6:])
        self._conn.execute(
            f"INSERT INTO {TABLE} ({', '.join(COLUMNS)}) "  # noqa: S608 - constants only
            f"VALUES ({', '.join('?' for _ in COLUMNS)}) ON CONFLICT (pseudonym) DO NOTHING",
            values,
        )

    def _select(self, pseudonym: str, *, for_update: bool = False) -> Row | None:
        found = self._conn.execute(f"{_SELECT} WHERE pseudonym = ?", (pseudonym,)).fetchone()
        return None if found is None else _row(found)

    def _select_pool(self, campaign: str, pool: str) -> list[Row]:
        cursor = self._conn.execute(
            f"{_SELECT} WHERE campaign = ? AND pool = ? ORDER BY seq", (campaign, pool)
        )
        return [_row(found) for found in cursor]

    def _erase(self, pseudonym: str, reason: str, at: datetime) -> None:
        self._conn.execute(
            f"UPDATE {TABLE} SET name = NULL, phone = NULL, id_number = NULL, "  # noqa: S608
            "salt = NULL, erased_at = ?, erased_reason = ? WHERE pseudonym = ?",
            (at.isoformat(), reason, pseudonym),
        )


def _row(found: tuple[object, ...]) -> Row:
    row = Row._make(found)
    erased_at = row.erased_at
    return row._replace(
        leader=bool(row.leader),
        erased_at=None if erased_at is None else datetime.fromisoformat(str(erased_at)),
    )
