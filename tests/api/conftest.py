"""Fixtures for the HTTP API: a log with a campaign (seed-003 rulebook), staff keys, a client."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.service import Settings
from ledger.keys import PASSPHRASE_ENV
from tests.api.support import Clock
from tests.support import World, fixed_clock


@pytest.fixture
def world(store_url: str) -> Iterator[World]:
    """The API opens its ledger with the campaign policy: the campaign adopts a rulebook."""
    w = World.create(store_url, rulebook=True)
    yield w
    w.close()


@pytest.fixture
def clock() -> Clock:
    return Clock(fixed_clock())


@pytest.fixture
def private_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path}/private.db"


@pytest.fixture
def client(
    world: World,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    clock: Clock,
    private_url: str,
) -> Iterator[TestClient]:
    monkeypatch.setenv(PASSPHRASE_ENV, "test passphrase")
    world.log.save(tmp_path / "log.key", b"test passphrase")
    settings = Settings(
        world.url, tmp_path / "log.key", 64 * 1024, clock=clock, private_store=private_url
    )
    with TestClient(create_app(settings)) as c:
        yield c
