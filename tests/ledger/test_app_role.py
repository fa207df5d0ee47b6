"""deploy/sql/app_role.sql: the application role can read and append, and nothing else."""

from __future__ import annotations

import subprocess
import uuid
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import psycopg
import pytest
from tests.support import World

from pingyi.audit import verify_store

SQL = Path(__file__).parents[2] / "deploy" / "sql" / "app_role.sql"

pytestmark = pytest.mark.postgres


def test_app_role_can_append_and_read_but_not_change(pg_url: str) -> None:
    owner = World.create(pg_url)
    owner.close()
    schema = parse_qs(urlsplit(pg_url).query)["schema"][0]
    db_url = pg_url.split("?", maxsplit=1)[0]
    role = f"pingyi_app_{uuid.uuid4().hex[:8]}"
    subprocess.run(
        ["psql", db_url, "-q", "-v", f"app_role={role}", "-v", f"schema={schema}", "-f", str(SQL)],
        check=True,
        capture_output=True,
    )
    try:
        app_url = pg_url.replace("//postgres@", f"//{role}@") + "&create=no"
        app = World(app_url, owner.reopen_as(app_url))
        app.add_findings(5, batch=2)
        assert app.ledger.checkpoint().size == 9
        assert verify_store(app_url, workers=1).ok
        app.close()
        role_db_url = db_url.replace("//postgres@", f"//{role}@")
        with psycopg.connect(role_db_url, autocommit=True) as conn:
            conn.execute(f'SET search_path TO "{schema}"')
            for sql in (
                "UPDATE ledger_events SET topic = 'x'",
                "DELETE FROM pingyi_claims",
                "TRUNCATE pingyi_checkpoints",
                "CREATE TABLE sneaky (x int)",
            ):
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    conn.execute(sql)
    finally:
        with psycopg.connect(db_url, autocommit=True) as conn:
            conn.execute(f'DROP OWNED BY "{role}"')
            conn.execute(f'DROP ROLE "{role}"')
