"""One process's view of the log for the API: a Ledger behind a lock, refreshed per request."""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Request

from api.auth import Gatekeeper
from api.catalogue import Catalogue
from api.problems import Problem
from ledger.errors import StoreError
from ledger.keys import PASSPHRASE_ENV, Signer
from ledger.note import NoteSigner
from ledger.store import redact, store_url
from ledger.store.app import Clock, Ledger, system_clock
from projections.policy import default_policies

LOG_KEY_ENV = "PINGYI_LOG_KEY"
MAX_BODY_ENV = "PINGYI_MAX_BODY"
PRIVATE_STORE_ENV = "PINGYI_PRIVATE_STORE"
DEFAULT_MAX_BODY = 512 * 1024
DEFAULT_PRIVATE_STORE = "sqlite:///pingyi-private.db"


@dataclass
class Settings:
    store: str
    log_key: Path | None
    max_body: int
    clock: Clock = system_clock  # a parameter so tests can fix the time; the server uses UTC now
    private_store: str = DEFAULT_PRIVATE_STORE  # the people store (personal data), never the log
    challenge_ttl: timedelta = field(default=timedelta(seconds=60))
    token_ttl: timedelta = field(default=timedelta(minutes=10))

    @classmethod
    def from_env(cls) -> Settings:
        key = os.environ.get(LOG_KEY_ENV)
        return cls(
            store=store_url(None),
            log_key=Path(key) if key else None,
            max_body=int(os.environ.get(MAX_BODY_ENV, DEFAULT_MAX_BODY)),
            private_store=os.environ.get(PRIVATE_STORE_ENV) or DEFAULT_PRIVATE_STORE,
        )

    def describe(self) -> dict[str, object]:
        """For logs: never the password, never the passphrase."""
        return {
            "store": redact(self.store),
            "log_key": str(self.log_key),
            "max_body": self.max_body,
            "private_store": redact(self.private_store),
        }


class LedgerService:
    """Serialises this process's use of its Ledger (the in-memory state is not thread-safe)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.lock = threading.Lock()
        self.ledger = Ledger.open(settings.store, clock=settings.clock, policies=default_policies())
        if settings.log_key is not None:
            passphrase = os.environ.get(PASSPHRASE_ENV, "").encode()
            signer = NoteSigner(
                self.ledger.origin, Signer.load(settings.log_key, passphrase).private_key
            )
            if signer.verifier_key != self.ledger.state.log_key:
                self.ledger.close()
                raise StoreError(
                    f"{settings.log_key} is not the checkpoint key genesis names "
                    f"({self.ledger.state.log_key})"
                )
            self.ledger.log_signer = signer
        self.catalogue = Catalogue(self.ledger)
        self.gate = Gatekeeper(
            self.ledger.origin,
            clock=settings.clock,
            challenge_ttl=settings.challenge_ttl,
            token_ttl=settings.token_ttl,
        )

    def close(self) -> None:
        self.ledger.close()


def get_service(request: Request) -> LedgerService:
    service: LedgerService | None = getattr(request.app.state, "service", None)
    if service is None:
        raise Problem(503, "starting", "the service is starting; retry shortly")
    return service


ServiceDep = Annotated[LedgerService, Depends(get_service)]
