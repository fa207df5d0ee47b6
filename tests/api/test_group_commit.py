"""Group commit: concurrent appends share a transaction, yet each is answered as if alone."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from api.service import LedgerService, Settings
from api.writes import Committer
from ledger.errors import ConflictError, PayloadError, RoleError
from ledger.keys import PASSPHRASE_ENV
from ledger.note import open_checkpoint, parse_verifier_key
from tests.support import World, fixed_clock


def run_together(
    world: World, tmp_path: Path, requests: list[list[Any]]
) -> list[list[dict[str, Any]] | BaseException]:
    world.log.save(tmp_path / "log.key", b"test passphrase")
    service = LedgerService(Settings(world.url, tmp_path / "log.key", 1 << 16, clock=fixed_clock))
    committer = Committer(service)

    async def go() -> list[Any]:
        calls = [committer.append(subs) for subs in requests]
        return await asyncio.gather(*calls, return_exceptions=True)

    try:
        return asyncio.run(go())
    finally:
        committer.close()
        service.close()


def test_one_refused_request_does_not_sink_its_group(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PASSPHRASE_ENV, "test passphrase")
    good1, good2, good3 = world.finding(1), world.finding(2), world.finding(3)
    wrong_role = world.sign(world.office, "finding.record", world.finding(4).payload)
    nope = world.sign(world.supervisor, "finding.record", dict(world.finding(5).payload, unit="X"))
    conflict = world.sign(
        world.supervisor, "finding.record", dict(good1.payload, summary="other"), id=good1.id
    )
    outcomes = run_together(
        world,
        tmp_path,
        [[good1], [wrong_role], [good2], [nope, good3], [conflict], [good2]],
    )
    assert [o[0]["index"] for o in outcomes if isinstance(o, list)] == [5, 6, 6]
    assert isinstance(outcomes[1], RoleError)
    assert isinstance(outcomes[3], PayloadError)  # all or none: good3 is not appended
    assert isinstance(outcomes[4], ConflictError)
    assert outcomes[5][0]["duplicate"] and not outcomes[2][0]["duplicate"]  # type: ignore[index]
    with world.reopen() as ledger:
        assert ledger.size == 7
        assert [e.id for e in ledger.entries(after=4)] == [good1.id, good2.id]
        vkey = parse_verifier_key(ledger.state.log_key or "")
    receipt = outcomes[0][0]  # type: ignore[index]
    assert open_checkpoint(receipt["checkpoint"], [vkey]).size == 7


def test_a_group_is_one_transaction_under_one_checkpoint(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PASSPHRASE_ENV, "test passphrase")
    subs = [world.finding(n) for n in range(20)]
    outcomes = run_together(world, tmp_path, [[s] for s in subs])
    receipts = [o[0] for o in outcomes if isinstance(o, list)]
    assert [r["index"] for r in receipts] == list(range(5, 25))
    assert len({r["checkpoint"] for r in receipts}) == 1
