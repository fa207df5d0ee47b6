"""Helpers for the API tests: a clock tests can move, signed bodies, registered TEST keys."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from ledger.keys import Signer
from tests.support import World, labelled_key


@dataclass
class Clock:
    """A clock tests can move (the API's challenges and tokens expire)."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def body(world: World, n: int) -> bytes:
    return json.dumps(world.finding(n).to_value()).encode()


def register(world: World, label: str, roles: list[str]) -> Signer:
    """Register a labelled TEST key with ``roles`` (signed by the office registrar)."""
    key = labelled_key(label)
    world.append(world.office, "key.register", world.key_payload(key, label, roles))
    return key
