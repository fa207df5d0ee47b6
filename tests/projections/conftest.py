"""Fixtures for replay, policy and read-model tests on real stores (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.projections.ledger_world import ScoringWorld


@pytest.fixture
def scoring(store_url: str) -> Iterator[ScoringWorld]:
    """A log opened with the campaign policy, with one staff key holding every campaign role."""
    w = ScoringWorld.create(store_url)
    yield w
    w.close()
