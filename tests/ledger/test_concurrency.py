"""Concurrency and crashes: no fork, no hole, no partial entry, no lost acknowledgement.

Writers are real processes (tests/ledger/writer.py). Every entry a writer was
told was appended is written to an acknowledgement file after the append
returned; afterwards the store must verify and hold every one of them.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from tests.support import World

from pingyi.audit import verify_store

ROOT = Path(__file__).parents[2]


def start_writer(url: str, acks: Path, count: int, batch: int, tag: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.ledger.writer", url, str(acks), str(count), str(batch), tag],
        cwd=ROOT,
        stderr=subprocess.PIPE,
    )


def acknowledged(*files: Path) -> dict[int, tuple[str, str]]:
    """The acknowledgements written in full: a writer killed (or read) mid-write
    leaves a last line without its newline, which acknowledges nothing yet."""
    seen: dict[int, tuple[str, str]] = {}
    for path in files:
        if path.exists():
            complete = path.read_text().rpartition("\n")[0]
            for line in complete.splitlines():
                index, entry_hash, entry_id = line.split()
                seen[int(index)] = (entry_hash, entry_id)
    return seen


def assert_store_holds(world: World, acks: dict[int, tuple[str, str]]) -> int:
    report = verify_store(world.url, workers=1)
    assert report.ok, [str(f) for f in report.failures]
    ledger = world.reopen()
    entries = {e.index: e for e in ledger.entries()}
    assert sorted(entries) == list(range(len(entries)))  # no hole
    for index, (entry_hash, entry_id) in acks.items():
        assert entries[index].hash == entry_hash
        assert entries[index].id == entry_id
    ids = [e.id for e in entries.values()]
    assert len(ids) == len(set(ids))  # no entry recorded twice
    ledger.close()
    return len(entries)


def test_many_writer_processes_never_fork_the_chain(world: World, tmp_path: Path) -> None:
    writers = [
        start_writer(world.url, tmp_path / f"w{n}.acks", 60, 1 + n * 3, f"w{n}") for n in range(4)
    ]
    for w in writers:
        _, err = w.communicate(timeout=120)
        assert w.returncode == 0, err.decode()
    acks = acknowledged(*(tmp_path / f"w{n}.acks" for n in range(4)))
    assert len(acks) == 240
    assert assert_store_holds(world, acks) == 4 + 240


@pytest.mark.slow
def test_sigkill_mid_append_leaves_no_partial_entry(world: World, tmp_path: Path) -> None:
    rng = random.Random(7)
    files = [tmp_path / f"killed{n}.acks" for n in range(3)]  # a torn line ends each one
    for round_, acks in enumerate(files):
        writer = start_writer(world.url, acks, 100_000, 200, f"k{round_}")
        time.sleep(0.6 + rng.random())
        writer.send_signal(signal.SIGKILL)
        writer.communicate(timeout=30)
        assert writer.returncode == -signal.SIGKILL
    seen = acknowledged(*files)
    assert seen, "the writer acknowledged nothing before it was killed"
    total = assert_store_holds(world, seen)
    assert total >= 4 + len(seen)
    world.ledger.refresh()
    world.add_findings(3)  # the log still takes appends after the crashes
    assert verify_store(world.url, workers=1).ok


# -- PostgreSQL restarted under load, on a private cluster (the shared server is not touched) --

PG_BIN = Path("/usr/lib/postgresql/15/bin")


def _as_postgres(*args: str) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else list(args)


@pytest.fixture
def private_pg() -> Iterator[tuple[str, list[str]]]:
    home = Path(tempfile.mkdtemp(prefix="pingyi-pg-"))  # pytest's tmp dirs are private to root
    os.chmod(home, 0o755)
    data = home / "pgdata"
    data.mkdir()
    if os.geteuid() == 0:
        subprocess.run(["chown", "-R", "postgres", str(data)], check=True)
    port = str(20000 + os.getpid() % 20000)
    subprocess.run(
        _as_postgres(str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust"),
        check=True,
        capture_output=True,
    )
    ctl = _as_postgres(
        str(PG_BIN / "pg_ctl"),
        "-D",
        str(data),
        "-o",
        f"-p {port} -k /tmp -c listen_addresses=127.0.0.1",
        "-w",
    )
    quiet = {
        "stdout": subprocess.DEVNULL,
        "stderr": subprocess.DEVNULL,
    }  # the server keeps pipes open
    subprocess.run([*ctl, "-l", str(data / "log"), "start"], check=True, **quiet)
    yield f"postgresql://postgres@127.0.0.1:{port}/postgres", ctl
    subprocess.run([*ctl, "stop", "-m", "immediate"], check=False, **quiet)
    shutil.rmtree(home, ignore_errors=True)


@pytest.mark.postgres
@pytest.mark.slow
def test_postgres_restart_under_load_loses_nothing(
    private_pg: tuple[str, list[str]], tmp_path: Path
) -> None:
    url, ctl = private_pg
    world = World.create(url)
    world.close()
    files = [tmp_path / f"r{n}.acks" for n in range(3)]
    writers = [start_writer(url, f, 1500, 3, f"r{n}") for n, f in enumerate(files)]
    quiet = {
        "stdout": subprocess.DEVNULL,
        "stderr": subprocess.DEVNULL,
    }  # the server keeps pipes open
    for mode, progress in (("fast", 300), ("immediate", 900)):
        wait_until(lambda p=progress: len(acknowledged(*files)) >= p)
        assert all(w.poll() is None for w in writers), "writers finished before the restart"
        subprocess.run([*ctl, "restart", "-m", mode], check=True, **quiet)
    errors = ""
    for w in writers:
        _, err = w.communicate(timeout=300)
        errors += err.decode()
        assert w.returncode == 0, err.decode()[-2000:]
    assert "retry" in errors  # the writers did lose their connections
    acks = acknowledged(*files)
    assert len(acks) == 4500
    world.ledger = world.reopen()
    assert assert_store_holds(world, acks) == 4 + 4500


def wait_until(condition: Callable[[], bool], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@pytest.mark.postgres
def test_processes_creating_a_new_store_at_once_do_not_deadlock(pg_url: str) -> None:
    code = "import sys; from ledger.store.app import Store; Store(sys.argv[1]).close()"
    procs = [
        subprocess.Popen([sys.executable, "-c", code, pg_url], cwd=ROOT, stderr=subprocess.PIPE)
        for _ in range(4)
    ]
    for p in procs:
        _, err = p.communicate(timeout=60)
        assert p.returncode == 0, err.decode()[-1500:]
