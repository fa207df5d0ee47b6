"""Fixtures for the vault: the people store on SQLite and on the real PostgreSQL server.

PostgreSQL is never skipped (see tests/conftest.py): each PostgreSQL test gets
its own schema, which the store itself creates, and which is dropped afterwards.
"""

from __future__ import annotations

import hashlib
import itertools
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import psycopg
import pytest

from vault.people import PeopleStore, open_people_store


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def people_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A private store URL: a fresh SQLite file, or a fresh schema on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/private.db"
        return
    database: str = request.getfixturevalue("pg_database")
    schema = f"vault_{uuid.uuid4().hex[:12]}"
    yield f"{database}?schema={schema}"
    with psycopg.connect(database, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture
def people(people_url: str) -> Iterator[PeopleStore]:
    store = open_people_store(people_url)
    yield store
    store.close()


@pytest.fixture
def raw_row(people_url: str) -> Callable[[str], dict[str, Any] | None]:
    """Read a stored row as the database holds it, around the store."""
    return lambda pseudonym: _raw_row(people_url, pseudonym)


def _raw_row(url: str, pseudonym: str) -> dict[str, Any] | None:
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        with sqlite3.connect(parts.path[1:]) as conn:
            conn.row_factory = sqlite3.Row
            found = conn.execute(
                "SELECT * FROM pingyi_people WHERE pseudonym = ?", (pseudonym,)
            ).fetchone()
        return None if found is None else dict(found)
    schema = parse_qs(parts.query)["schema"][0]
    with psycopg.connect(parts._replace(query="").geturl()) as conn:
        cursor = conn.cursor(row_factory=psycopg.rows.dict_row)
        return cursor.execute(
            f'SELECT * FROM "{schema}".pingyi_people WHERE pseudonym = %s', (pseudonym,)
        ).fetchone()


@pytest.fixture
def token() -> Callable[[int], bytes]:
    """A repeatable stand-in for os.urandom (TEST ONLY: its output is predictable)."""
    counter = itertools.count()

    def token(size: int) -> bytes:
        seed = hashlib.sha256(f"pingyi TEST token {next(counter)}".encode()).digest()
        return (seed * (size // len(seed) + 1))[:size]

    return token
