"""A publishing world on each store (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.verifier.world import PublishWorld


@pytest.fixture
def pub(store_url: str) -> Iterator[PublishWorld]:
    world = PublishWorld.create(store_url)
    yield world
    world.close()
