"""Inspector authentication: a signed challenge with a key registered in the log.

No password is ever shared. The protocol (docs/verification.md gives the same bytes):

1. ``POST /v1/auth/challenge`` answers a random nonce (32 bytes, base64url)
   bound to this log's origin, valid for a short time (60 s by default) and
   usable once.
2. The inspector signs, with the private key of a key registered in the log::

       b"pingyi/auth/v1\\n" || JCS({"key": <key id>, "log": <origin>,
                                  "nonce": <nonce>, "purpose": "private-read"})

   (RFC 8785 canonical JSON, from :func:`ledger.canonical.canonical`) and
   posts ``{"key", "nonce", "signature"}`` to ``POST /v1/auth/token``.
3. The server takes the nonce out of its memory (a nonce is spent even when
   the attempt fails), checks the Ed25519 signature against the key the log's
   registry holds, then that the key is not revoked and holds the role
   ``inspector``, and answers a random bearer token valid for a short time
   (10 minutes by default). Every private read re-checks the key against the
   registry, so a revocation takes effect at once.

Nonces and tokens live in this process's memory only: with several worker
processes a client must redeem its nonce and use its token on the same
worker (a sticky load balancer), or run private reads on one worker.
The clock is a parameter (:class:`api.service.Settings` ``clock``).
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from api.problems import Problem
from ledger.canonical import auth_message as canonical_auth_message
from ledger.errors import SignatureError
from ledger.keys import verify_signature
from ledger.registry import KeyRecord, KeyRegistry
from ledger.roles import Role
from ledger.store.app import Clock

PURPOSE = "private-read"
MAX_OUTSTANDING = 10_000  # nonces or tokens held at once; the oldest are forgotten first
BEARER = {"WWW-Authenticate": 'Bearer realm="pingyi"'}
INVALID_TOKEN = {"WWW-Authenticate": 'Bearer realm="pingyi", error="invalid_token"'}


def auth_message(log: str, nonce: str, key: str, purpose: str = PURPOSE) -> bytes:
    """The exact bytes an inspector signs to redeem ``nonce`` for a token."""
    return canonical_auth_message(log, nonce, key, purpose)


def time_text(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class _Nonce:
    expires: datetime
    used: bool = False


@dataclass(frozen=True)
class _Grant:
    key: str
    expires: datetime


class Gatekeeper:
    """Issues challenges, redeems signed ones for bearer tokens, checks tokens (thread-safe)."""

    def __init__(
        self,
        origin: str,
        *,
        clock: Clock,
        challenge_ttl: timedelta,
        token_ttl: timedelta,
        random: Callable[[int], str] = secrets.token_urlsafe,
    ) -> None:
        self.origin = origin
        self.clock = clock
        self.challenge_ttl = challenge_ttl
        self.token_ttl = token_ttl
        self.random = random
        self._lock = threading.Lock()
        self._nonces: OrderedDict[str, _Nonce] = OrderedDict()
        self._tokens: OrderedDict[str, _Grant] = OrderedDict()

    # -- challenges ---------------------------------------------------------------------------

    def challenge(self) -> tuple[str, datetime]:
        """A fresh nonce and when it expires."""
        now = self.clock()
        nonce = self.random(32)
        with self._lock:
            self._forget(now)
            self._nonces[nonce] = _Nonce(now + self.challenge_ttl)
        return nonce, now + self.challenge_ttl

    def redeem(
        self, key: str, nonce: str, signature: str, registry: KeyRegistry
    ) -> tuple[str, datetime]:
        """Spend ``nonce`` and, if ``signature`` proves an inspector key, grant a token.

        Raises a 401 or 403 :class:`Problem` that says what to do.
        """
        now = self.clock()
        with self._lock:
            self._forget(now)
            held = self._nonces.get(nonce)
            if held is not None:
                used, held.used = held.used, True
        if held is None:
            raise Problem(
                401,
                "unknown-nonce",
                "this nonce was not issued by this server, or it was forgotten (restart, or "
                "another worker process); request a new one with POST /v1/auth/challenge",
                headers=BEARER,
            )
        if used:
            raise Problem(
                401,
                "nonce-reused",
                "this nonce was already used (a nonce is spent by the first attempt, even a "
                "failed one); request a new one with POST /v1/auth/challenge",
                headers=BEARER,
            )
        if now > held.expires:
            raise Problem(
                401,
                "nonce-expired",
                f"the nonce expired at {time_text(held.expires)} (a challenge lasts "
                f"{int(self.challenge_ttl.total_seconds())} s); request a new one and sign it at once",
                headers=BEARER,
            )
        record = registry.keys.get(key)
        if record is None:
            raise Problem(
                401,
                "unknown-key",
                f"key {key} is not registered in log {self.origin!r}; ask a registrar to "
                "register your public key with the role inspector (key.register)",
                headers=BEARER,
            )
        try:
            verify_signature(record.public_key, signature, auth_message(self.origin, nonce, key))
        except SignatureError as exc:
            raise Problem(
                401,
                "bad-signature",
                f"{exc}: sign exactly b'pingyi/auth/v1\\n' followed by the RFC 8785 JSON of "
                f'{{"key": "{key}", "log": "{self.origin}", "nonce": <nonce>, '
                f'"purpose": "{PURPOSE}"}} with the private key of {key}',
                headers=BEARER,
            ) from None
        self._allowed(record)
        token = self.random(32)
        grant = _Grant(key, now + self.token_ttl)
        with self._lock:
            self._tokens[_digest(token)] = grant
            while len(self._tokens) > MAX_OUTSTANDING:
                self._tokens.popitem(last=False)
        return token, grant.expires

    # -- tokens -------------------------------------------------------------------------------

    def holder(self, authorization: str | None, registry: KeyRegistry) -> str:
        """The key id a bearer token stands for, re-checked against the registry now."""
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Problem(
                401,
                "no-token",
                "private data needs Authorization: Bearer <token>; get a token by signing a "
                "challenge with your registered inspector key: POST /v1/auth/challenge, "
                "then POST /v1/auth/token",
                headers=BEARER,
            )
        now = self.clock()
        with self._lock:
            grant = self._tokens.get(_digest(token.strip()))
        if grant is None:
            raise Problem(
                401,
                "bad-token",
                "this bearer token is not known to this server (mistyped, or issued by another "
                "worker or before a restart); get a new one: POST /v1/auth/challenge, "
                "then POST /v1/auth/token",
                headers=INVALID_TOKEN,
            )
        if now > grant.expires:
            raise Problem(
                401,
                "token-expired",
                f"the bearer token expired at {time_text(grant.expires)}; get a new one: "
                "POST /v1/auth/challenge, then POST /v1/auth/token",
                headers=INVALID_TOKEN,
            )
        record = registry.keys.get(grant.key)
        if record is None:  # pragma: no cover - keys are never removed from a registry
            raise Problem(401, "unknown-key", f"key {grant.key} is no longer registered")
        self._allowed(record)
        return grant.key

    # -- helpers ------------------------------------------------------------------------------

    def _allowed(self, record: KeyRecord) -> None:
        if record.revoked_at is not None:
            raise Problem(
                403,
                "revoked-key",
                f"key {record.key_id} ({record.holder}) was revoked at entry "
                f"{record.revoked_at}: {record.revoked_reason}; sign with your current key, "
                "or ask a registrar to register a new one with the role inspector",
            )
        if Role.INSPECTOR not in record.roles:
            have = ", ".join(sorted(record.roles)) or "no role"
            raise Problem(
                403,
                "wrong-role",
                f"key {record.key_id} ({record.holder}) has {have}; private data is for the "
                "role inspector only (a registrar grants it with key.roles)",
            )

    def _forget(self, now: datetime) -> None:
        """Drop nonces and tokens long expired, and the oldest beyond MAX_OUTSTANDING.

        An expired one is kept for one more lifetime so that its use is answered
        "expired" rather than "unknown". Called with the lock held.
        """
        while self._nonces:
            nonce = next(iter(self._nonces.values()))
            if now <= nonce.expires + self.challenge_ttl and len(self._nonces) < MAX_OUTSTANDING:
                break
            self._nonces.popitem(last=False)
        while self._tokens:
            grant = next(iter(self._tokens.values()))
            if now <= grant.expires + self.token_ttl and len(self._tokens) < MAX_OUTSTANDING:
                break
            self._tokens.popitem(last=False)


def _digest(token: str) -> str:
    """Tokens are kept hashed: a memory dump does not hand out live tokens."""
    return hashlib.sha256(token.encode()).hexdigest()
