"""Inspector-only reads of personal data, behind a signed challenge (see :mod:`api.auth`).

Every private read is written to the log stream (key id, pseudonyms, never
personal data) and counted in the metrics. The people store is
``vault.people`` at ``Settings.private_store`` (``PINGYI_PRIVATE_STORE``),
opened for each read: private reads are rare and the store's connection
must not be shared between threads.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.security import HTTPBearer

from api import metrics, problems
from api.auth import PURPOSE, time_text
from api.models import (
    CODE,
    PSEUDONYM,
    Challenge,
    PersonDetails,
    PersonView,
    PoolPeople,
    Token,
    TokenRequest,
)
from api.problems import Problem
from api.service import LedgerService, ServiceDep

log = logging.getLogger("pingyi.api.private")

router = APIRouter()

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="inspector",
    description="A token from POST /v1/auth/token (a signed challenge; never a password)",
)


@router.post(
    "/v1/auth/challenge",
    response_model=Challenge,
    tags=["auth"],
    responses=problems.responses(413, 503),
)
def challenge(s: ServiceDep) -> Challenge:
    """A single-use nonce to sign with a registered inspector key (valid for a short time)."""
    nonce, expires = s.gate.challenge()
    return Challenge(
        log=s.ledger.origin,
        nonce=nonce,
        purpose=PURPOSE,
        expires=time_text(expires),
        message='b"pingyi/auth/v1\\n" + RFC 8785 JSON of {"key": <your key id>, '
        f'"log": "{s.ledger.origin}", "nonce": "{nonce}", "purpose": "{PURPOSE}"}}',
    )


@router.post(
    "/v1/auth/token",
    response_model=Token,
    tags=["auth"],
    responses=problems.responses(400, 401, 403, 413, 415, 422, 503),
)
def token(s: ServiceDep, body: TokenRequest) -> Token:
    """Redeem a signed challenge for a short-lived bearer token."""
    try:
        with s.lock:
            s.ledger.refresh()
            value, expires = s.gate.redeem(
                body.key, body.nonce, body.signature, s.ledger.state.registry
            )
    except Problem as refused:
        metrics.AUTH.labels(refused.code).inc()
        log.info("auth-refused", extra={"key": body.key, "problem": refused.code})
        raise
    metrics.AUTH.labels("granted").inc()
    log.info("auth-granted", extra={"key": body.key})
    return Token(token=value, token_type=BEARER_TYPE, key=body.key, expires=time_text(expires))


BearerDep = Annotated[Any, Depends(bearer)]
BEARER_TYPE = "Bearer"


def inspector(request: Request, s: ServiceDep, _: BearerDep) -> str:
    """The key id of the inspector whose bearer token came with the request."""
    try:
        with s.lock:
            s.ledger.refresh()
            return s.gate.holder(request.headers.get("authorization"), s.ledger.state.registry)
    except Problem as refused:
        metrics.AUTH.labels(refused.code).inc()
        raise


Inspector = Annotated[str, Depends(inspector)]
PRIVATE = problems.responses(401, 403, 404, 422, 503)


def person_view(record: Any) -> PersonView:
    """From a ``vault.people.PersonRecord``."""
    person = record.person
    return PersonView(
        pseudonym=record.pseudonym,
        campaign=record.campaign,
        pool=record.pool,
        group=record.group,
        affiliation=record.affiliation,
        leader=record.leader,
        erased=record.erased,
        erased_at=None if record.erased_at is None else time_text(record.erased_at),
        erased_reason=record.erased_reason,
        salt=None if record.salt is None else bytes(record.salt).hex(),
        commitment=record.commitment,
        person=None
        if person is None
        else PersonDetails(
            name=person.name,
            group=person.group,
            phone=person.phone,
            affiliation=person.affiliation,
            leader=person.leader,
            id_number=person.id_number,
        ),
    )


@contextmanager
def people_store(s: LedgerService) -> Iterator[Any]:
    """The private people store, open for one read; 503 if it cannot be read."""
    from vault.errors import PeopleStoreError
    from vault.people import open_people_store

    try:
        with open_people_store(s.settings.private_store) as store:
            yield store
    except PeopleStoreError:
        log.exception("private-store-unavailable")
        raise Problem(
            503,
            "private-store",
            "the private people store cannot be read; check PINGYI_PRIVATE_STORE "
            "and the server log",
        ) from None


@router.get(
    "/v1/private/people/{pseudonym}",
    response_model=PersonView,
    tags=["private"],
    responses=PRIVATE,
)
def person(
    s: ServiceDep,
    key: Inspector,
    pseudonym: Annotated[str, Path(pattern=PSEUDONYM, description="P and 20 hex digits")],
) -> PersonView:
    """Who is behind one pseudonym (inspector only; every read is logged)."""
    with people_store(s) as store:
        record = store.get(pseudonym)
    log.info("private-read", extra={"key": key, "pseudonym": pseudonym, "found": bool(record)})
    metrics.PRIVATE_READS.labels("person").inc()
    if record is None:
        raise Problem(404, "no-person", f"the private store holds no pseudonym {pseudonym}")
    return person_view(record)


@router.get(
    "/v1/private/pools/{campaign}/{pool}/people",
    response_model=PoolPeople,
    tags=["private"],
    responses=PRIVATE,
)
def pool_people(
    s: ServiceDep,
    key: Inspector,
    campaign: Annotated[str, Path(pattern=CODE)],
    pool: Annotated[str, Path(pattern=CODE)],
) -> PoolPeople:
    """Everyone enrolled in one pool, erased members as tombstones (inspector only; logged)."""
    with people_store(s) as store:
        records = store.people(campaign, pool)
    log.info(
        "private-read",
        extra={
            "key": key,
            "campaign": campaign,
            "pool": pool,
            "pseudonyms": [r.pseudonym for r in records],
        },
    )
    metrics.PRIVATE_READS.labels("pool").inc()
    if not records:
        raise Problem(
            404, "no-pool", f"the private store holds nobody for campaign {campaign} pool {pool}"
        )
    return PoolPeople(campaign=campaign, pool=pool, people=[person_view(r) for r in records])
