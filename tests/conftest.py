"""Shared fixtures: every store-facing test runs on SQLite and on the real PostgreSQL server.

PostgreSQL is never skipped: if the server is unreachable the tests fail. The
server is named by PINGYI_TEST_PG (default postgresql://postgres@127.0.0.1:5432/test);
the session creates its own database and drops it at the end.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import psycopg
import pytest

from tests.support import World

PG_ADMIN = os.environ.get("PINGYI_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


def _swap_db(url: str, dbname: str) -> str:
    base, _, _ = url.rpartition("/")
    return f"{base}/{dbname}"


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A fresh database for this test session (URL), dropped afterwards."""
    name = f"pingyi_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    try:
        admin = psycopg.connect(PG_ADMIN, autocommit=True)
    except psycopg.OperationalError as exc:  # a silent skip would hide a broken CI
        pytest.fail(f"PostgreSQL is required for these tests and is unreachable: {exc}")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _swap_db(PG_ADMIN, name)
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def pg_url(pg_database: str) -> Iterator[str]:
    """A store URL on PostgreSQL with its own schema, dropped after the test."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_database, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    yield f"{pg_database}?schema={schema}"
    with psycopg.connect(pg_database, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('store')}/pingyi.db"
    url: str = request.getfixturevalue("pg_url")
    return url


@pytest.fixture
def world(store_url: str) -> Iterator[World]:
    w = World.create(store_url)
    yield w
    w.close()
