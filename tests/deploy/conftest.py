"""Fixtures for the deployment tests: whole scratch databases and roles on the real server.

Every database and role gets a unique name and is dropped afterwards (databases
first, so that no grant keeps a role alive).
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.conftest import PG_ADMIN

DEPLOY = Path(__file__).parents[2] / "deploy"
SQL = DEPLOY / "sql"
BIN = Path(sys.executable).parent


def server_url(database: str, user: str = "postgres") -> str:
    """postgresql://USER@host:port/DATABASE on the test server."""
    base, _, _ = PG_ADMIN.rpartition("/")
    scheme, _, rest = base.partition("://")
    host = rest.rpartition("@")[2]
    return f"{scheme}://{user}@{host}/{database}"


def admin() -> psycopg.Connection[tuple[object, ...]]:
    try:
        return psycopg.connect(PG_ADMIN, autocommit=True)
    except psycopg.OperationalError as exc:  # never skip: a silent skip hides a broken CI
        pytest.fail(f"PostgreSQL is required for these tests and is unreachable: {exc}")


class Scratch:
    """Unique databases and roles on the test server, dropped when the test ends."""

    def __init__(self) -> None:
        self.databases: list[str] = []
        self.roles: list[str] = []

    def database(self, *, create: bool = True) -> str:
        """The name of a fresh database (with ``create=False``, only a unique unused name)."""
        name = f"pingyi_deploy_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        self.databases.append(name)
        if create:
            with admin() as conn:
                conn.execute(f'CREATE DATABASE "{name}"')
        return name

    def role(self, prefix: str) -> str:
        """A unique role name (the SQL under test creates the role)."""
        name = f"{prefix}_{uuid.uuid4().hex[:8]}"
        self.roles.append(name)
        return name

    def drop(self) -> None:
        with admin() as conn:
            for name in self.databases:  # first: a role with grants in a database cannot go
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            for name in self.roles:
                conn.execute(f'DROP ROLE IF EXISTS "{name}"')


@pytest.fixture
def scratch() -> Iterator[Scratch]:
    made = Scratch()
    try:
        yield made
    finally:
        made.drop()


def apply_sql(database: str, script: str, **variables: str) -> None:
    """Run deploy/sql/SCRIPT with psql as the owner, the way deploy/README.md says."""
    args = ["psql", server_url(database), "-X", "-q"]
    for key, value in variables.items():
        args += ["-v", f"{key}={value}"]
    subprocess.run([*args, "-f", str(SQL / script)], check=True, capture_output=True, text=True)


def script_env(**extra: str) -> dict[str, str]:
    """The environment for deploy/*.sh: this venv's pingyi, the server's tools."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PINGYI_")}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env["PINGYI"] = str(BIN / "pingyi")
    env.update(extra)
    return env
