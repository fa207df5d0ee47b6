"""The projection worker (`pingyi project`) and its least-privilege role, on the real server.

deploy/sql/projector_role.sql is applied to a scratch database; the worker then
catches up as that role, while every write to the log is refused to it, and the
application role (deploy/sql/app_role.sql) cannot touch the read model.
"""

from __future__ import annotations

import io
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
import typer
from typer.testing import CliRunner

from ledger.store.app import Store
from pingyi.project import Projector, Stop, project_command
from projections.view import ScoringView
from tests.deploy.conftest import Scratch, apply_sql, server_url
from tests.support import World

runner = CliRunner()

# The read model's tables, each with a column to try an UPDATE on.
VIEW_TABLES = {
    "pingyi_view_entries": "log_id",
    "pingyi_view_logs": "log_id",
    "scoringview_tracking": "application_name",
}
LOG_TABLES = {"ledger_events": "topic", "pingyi_claims": "claim", "pingyi_checkpoints": "note"}
# A throwaway CLI with the worker as its only command (the real CLI registers it as `pingyi project`).
APP_SOURCE = (
    "import typer\n"
    "from pingyi.project import project_command\n"
    "app = typer.Typer()\n"
    "app.command()(project_command)\n"
    "app()\n"
)


def project_app() -> typer.Typer:
    app = typer.Typer()
    app.command()(project_command)
    return app


def project(*args: str) -> tuple[int, str]:
    out = runner.invoke(project_app(), list(args))
    return out.exit_code, out.output


def projected(output: str) -> int:
    found = re.search(r"(\d+) notifications projected, position (\d+)", output)
    assert found, output
    return int(found.group(1))


def role_url(database: str, role: str) -> str:
    return f"{server_url(database, role)}?schema=public&create=no"


def refused(conn: psycopg.Connection[tuple[object, ...]], sql: str) -> str:
    """Run ``sql``; it must fail for lack of a privilege (not by a trigger); return the message."""
    with pytest.raises(psycopg.errors.InsufficientPrivilege) as caught:
        conn.execute(sql)
    message = str(caught.value)
    assert "permission denied" in message, message
    return message


pytestmark = pytest.mark.postgres


def test_projector_role_catches_up_and_cannot_write_the_log(scratch: Scratch) -> None:
    db = scratch.database()
    owner_url = f"{server_url(db)}?schema=public"
    world = World.create(owner_url, rulebook=True)
    world.add_findings(6, batch=4)
    # As migrate does: the owner creates every table (log and read model) and catches up.
    code, output = project("--store", owner_url, "--once")
    assert code == 0, output
    assert projected(output) == world.ledger.size
    role = scratch.role("pingyi_projector")
    for _ in range(2):  # idempotent: a second run changes nothing and fails on nothing
        apply_sql(db, "projector_role.sql", projector_role=role, schema="public")

    world.add_findings(9, batch=2)  # the log grows while the worker is away
    world.ledger.checkpoint()
    url = role_url(db, role)
    code, output = project("--store", url, "--once", "--page", "4")
    assert code == 0, output
    assert projected(output) == 9
    assert output.count("projected to position") == 3  # pages of 4, 4 and 1: each committed
    code, output = project("--store", url, "--once")
    assert (code, projected(output)) == (0, 0)

    # The view it wrote is complete, and the role may rebuild it (DELETE, then project again).
    store = Store(url)
    try:
        with ScoringView(url) as view:
            assert view.log_size(world.ledger.log_id) == world.ledger.size
            assert view.rebuild(store.recorder) == world.ledger.size
            assert view.log_size(world.ledger.log_id) == world.ledger.size
    finally:
        store.close()
    world.close()

    with psycopg.connect(server_url(db, role), autocommit=True) as conn:
        for table, column in LOG_TABLES.items():
            assert conn.execute(f"SELECT count(*) FROM {table}").fetchone()
            refused(conn, f"DELETE FROM {table}")
            refused(conn, f"UPDATE {table} SET {column} = NULL")
            refused(conn, f"TRUNCATE {table}")
        refused(
            conn,
            "INSERT INTO ledger_events (originator_id, originator_version, topic, state) "
            "VALUES (gen_random_uuid(), 0, 'x', 'x')",
        )
        refused(conn, "INSERT INTO pingyi_claims VALUES (gen_random_uuid(), 'c', 0)")
        refused(conn, "INSERT INTO pingyi_checkpoints VALUES (gen_random_uuid(), 1, 'x', 'n')")
        refused(conn, "SELECT pingyi_lock_log()")
        refused(conn, "SELECT nextval('ledger_events_notification_id_seq')")
        refused(conn, "CREATE TABLE sneaky (x int)")
        for table in VIEW_TABLES:
            refused(conn, f"TRUNCATE {table}")


def test_app_role_cannot_touch_the_read_model(scratch: Scratch) -> None:
    db = scratch.database()
    owner_url = f"{server_url(db)}?schema=public"
    World.create(owner_url).close()
    assert project("--store", owner_url, "--once")[0] == 0
    app = scratch.role("pingyi_app")
    apply_sql(db, "app_role.sql", app_role=app, schema="public")

    with psycopg.connect(server_url(db, app), autocommit=True) as conn:
        for table, column in VIEW_TABLES.items():
            refused(conn, f"SELECT * FROM {table}")
            refused(conn, f"DELETE FROM {table}")
            refused(conn, f"UPDATE {table} SET {column} = NULL")
        refused(conn, "INSERT INTO pingyi_view_logs VALUES ('x', 1)")
    # The worker run as the application role fails cleanly, naming the refusal.
    code, output = project("--store", role_url(db, app), "--once")
    assert code == 2
    assert "error:" in output and "permission denied" in output


def test_project_once_catches_up_a_real_store_and_then_has_nothing_to_do(store_url: str) -> None:
    world = World.create(store_url, rulebook=True)
    world.add_findings(25, batch=7)
    size = world.ledger.size
    world.close()
    code, output = project("--store", store_url, "--once", "--page", "10")
    assert code == 0, output
    assert projected(output) == size
    assert f"position {size}" in output
    code, output = project("--store", store_url, "--once")
    assert code == 0, output
    assert projected(output) == 0
    assert "projected to position" not in output


def test_polling_worker_follows_the_log_and_stops_cleanly_on_sigterm(
    scratch: Scratch, tmp_path: Path
) -> None:
    db = scratch.database()
    url = f"{server_url(db)}?schema=public"
    world = World.create(url, rulebook=True)
    log = tmp_path / "worker.log"
    env = {k: v for k, v in os.environ.items() if k != "PINGYI_STORE"}
    with log.open("w") as out:
        worker = subprocess.Popen(
            [sys.executable, "-c", APP_SOURCE, "--store", url, "--interval", "0.2"],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )
    try:
        world.add_findings(5, batch=2)  # appended while the worker polls

        def position() -> int:
            with ScoringView(url) as view:
                return view.log_size(world.ledger.log_id)

        deadline = time.monotonic() + 30
        while position() < world.ledger.size:
            assert worker.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=30) == 0, log.read_text()
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
        world.close()
    text = log.read_text()
    assert "polling every 0.2s" in text
    assert "stopped (SIGTERM)" in text
    assert f"position {world.ledger.size}" in text
    assert "Traceback" not in text


def test_a_second_worker_on_the_same_store_resynchronises_and_adds_nothing(
    store_url: str,
) -> None:
    """Both workers start at position 0; the one that commits second hits the rows the
    first wrote, rolls back, re-reads the tracked position and finds nothing left."""
    world = World.create(store_url)
    world.add_findings(7, batch=3)
    size = world.ledger.size
    world.close()
    said = io.StringIO()
    first, second = Projector(store_url, out=io.StringIO()), Projector(store_url, out=said)
    try:
        assert (first.reported, second.reported) == (0, 0)
        first.catch_up(Stop())
        second.catch_up(Stop())
        assert (first.total, second.total) == (size, 0)
        assert second.view.position == first.view.position == size
        assert "resynchronising" in said.getvalue()
    finally:
        first.close()
        second.close()
