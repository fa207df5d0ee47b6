"""deploy/backup.sh and deploy/restore.sh end to end against the real PostgreSQL server.

A small log is backed up (pg_dump plus the signed checkpoint as a sidecar),
restored into a new database and verified; then a restored copy is tampered
with the way a database administrator could, and restoring it must fail, as
must restoring a backup older than its sidecar checkpoint (a rolled-back log).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from ledger.keys import PASSPHRASE_ENV
from pingyi.audit import verify_store
from tests.deploy.conftest import DEPLOY, Scratch, script_env, server_url
from tests.support import World, admin_sql, labelled_key

BACKUP = DEPLOY / "backup.sh"
RESTORE = DEPLOY / "restore.sh"

pytestmark = pytest.mark.postgres


def run(script: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(script), *args],
        env=script_env(**env),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def store(database: str, schema: str = "public") -> str:
    return f"{server_url(database)}?schema={schema}"


def sealed_log(url: str) -> World:
    """A log that passes the campaign policy, with a checkpoint and an unsealed tail."""
    world = World.create(url, rulebook=True)
    world.add_findings(12, batch=5)
    world.ledger.checkpoint()
    world.add_findings(3)
    return world


def test_backup_then_restore_into_a_new_database_verifies(scratch: Scratch, tmp_path: Path) -> None:
    source = store(scratch.database())
    world = sealed_log(source)
    latest = world.ledger.checkpoints()[-1]
    dump = tmp_path / "backups" / "pingyi.dump"

    done = run(BACKUP, source, str(dump))
    assert done.returncode == 0, done.stderr
    assert dump.stat().st_size > 0
    sidecar = Path(f"{dump}.checkpoint")
    assert sidecar.read_text() == latest.note  # byte for byte, the latest signed checkpoint
    assert f"size {latest.size}" in done.stdout

    target = store(scratch.database(create=False))
    restored = run(RESTORE, "--create-database", str(dump), target)
    assert restored.returncode == 0, restored.stdout + restored.stderr
    for verdict in ("通过 PASS", "verification: PASS", "checkpoint: PASS", "restore OK"):
        assert verdict in restored.stdout, restored.stdout
    report = verify_store(target, workers=1)
    assert report.ok
    assert report.counts["entries"] == world.ledger.size
    world.close()

    # Restoring again into the (now populated) database is refused before any change.
    again = run(RESTORE, str(dump), target)
    assert again.returncode == 2
    assert "not empty" in again.stderr


def test_restore_of_a_tampered_copy_fails(scratch: Scratch, tmp_path: Path) -> None:
    source = store(scratch.database())
    sealed_log(source).close()
    dump = tmp_path / "pingyi.dump"
    assert run(BACKUP, source, str(dump)).returncode == 0
    copy = store(scratch.database())
    assert run(RESTORE, str(dump), copy).returncode == 0

    # An administrator edits one finding in the restored copy, triggers out of the way.
    with admin_sql(copy) as conn:
        changed = conn.execute(
            "UPDATE ledger_events SET state = convert_to(replace(convert_from(state, 'UTF8'), "
            "'finding 4:', 'finding 9:'), 'UTF8') WHERE originator_version = 9"
        )
        assert changed.rowcount == 1
    verify = subprocess.run(
        ["pingyi", "verify", "--store", copy],
        env=script_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert verify.returncode == 1, verify.stdout
    assert "未通过 FAIL" in verify.stdout

    # Its backup, restored, fails verification: restore.sh exits non-zero and says why.
    tampered = tmp_path / "tampered.dump"
    assert run(BACKUP, copy, str(tampered)).returncode == 0
    restored = run(RESTORE, str(tampered), store(scratch.database()))
    assert restored.returncode == 1, restored.stdout + restored.stderr
    assert "verification: FAIL" in restored.stdout
    assert "restore FAILED" in restored.stdout


def test_restore_of_a_dump_older_than_its_checkpoint_fails(
    scratch: Scratch, tmp_path: Path
) -> None:
    """A dump from before the sidecar's checkpoint is a rolled-back log: it verifies alone,
    but it does not hold the checkpoint the backup promised."""
    source = store(scratch.database())
    world = sealed_log(source)
    old = tmp_path / "old.dump"
    assert run(BACKUP, source, str(old)).returncode == 0
    world.add_findings(4)
    world.ledger.checkpoint()
    world.close()
    new = tmp_path / "new.dump"
    assert run(BACKUP, source, str(new)).returncode == 0

    restored = run(
        RESTORE, "--checkpoint", f"{new}.checkpoint", str(old), store(scratch.database())
    )
    assert restored.returncode == 1, restored.stdout + restored.stderr
    assert "verification: PASS" in restored.stdout
    assert "checkpoint: FAIL" in restored.stdout
    assert "restore FAILED" in restored.stdout


def test_backup_can_sign_a_fresh_checkpoint_and_keeps_a_schema(
    scratch: Scratch, pg_url: str, tmp_path: Path
) -> None:
    """With --log-key the sidecar is a checkpoint signed now, at the full size; a store in
    its own schema (?schema=NAME) is dumped and restored with that schema."""
    world = sealed_log(pg_url)
    size = world.ledger.size
    world.close()
    key = tmp_path / "log.key"
    labelled_key("log").save(key, b"correct horse")
    dump = tmp_path / "pingyi.dump"
    done = run(
        BACKUP, "--log-key", str(key), pg_url, str(dump), **{PASSPHRASE_ENV: "correct horse"}
    )
    assert done.returncode == 0, done.stderr
    assert Path(f"{dump}.checkpoint").read_text().splitlines()[1] == str(size)

    schema = pg_url.rpartition("schema=")[2]
    target = store(scratch.database(), schema)
    restored = run(RESTORE, str(dump), target)
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert f"at size {size}" in restored.stdout
    assert verify_store(target, workers=1).ok


def test_scripts_explain_themselves_and_reject_bad_arguments(tmp_path: Path) -> None:
    for script in (BACKUP, RESTORE):
        shown = run(script, "--help")
        assert shown.returncode == 0
        assert shown.stdout.startswith(f"usage: {script.name}")
        assert run(script).returncode == 2
        assert run(script, "--bogus", "a", "b").returncode == 2
    missing = run(RESTORE, str(tmp_path / "none.dump"), store("whatever"))
    assert missing.returncode == 2
    assert "cannot read the backup" in missing.stderr
