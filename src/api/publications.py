"""Published rankings (``ranking.publish`` entries) with inclusion proofs.

The payload is returned as recorded (the office signed it); what it binds
(campaign, rulebook hash, checkpoint, digest of the ranking document) is
checked by the log's policies on append and by the verifier, not here.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from api import problems
from api.catalogue import Publication
from api.models import CODE, ENTRY_ID, PublicationList, PublicationProof, PublicationView
from api.problems import Problem
from api.reads import entry_at, inclusion_proof
from api.service import ServiceDep

router = APIRouter(tags=["publications"])


def view(p: Publication) -> PublicationView:
    return PublicationView(
        index=p.index,
        id=p.id,
        hash=p.hash,
        signer=p.signer,
        time=p.time,
        campaign=p.campaign,
        payload=p.payload,
    )


@router.get(
    "/v1/publications", response_model=PublicationList, responses=problems.responses(422, 503)
)
def publications(
    s: ServiceDep,
    campaign: Annotated[str | None, Query(pattern=CODE, description="Only this campaign")] = None,
) -> PublicationList:
    """Every published ranking in log order (corrections name the one they replace)."""
    size, found = s.catalogue.publication_list(campaign)
    return PublicationList(size=size, publications=[view(p) for p in found])


@router.get(
    "/v1/publications/{entry_id}",
    response_model=PublicationProof,
    responses=problems.responses(404, 422, 503),
)
def publication(
    s: ServiceDep,
    entry_id: Annotated[str, Path(pattern=ENTRY_ID, description="The publication's entry id")],
) -> PublicationProof:
    """One publication, its exact entry bytes and an inclusion proof against a signed checkpoint."""
    found = s.catalogue.publication(entry_id)
    if found is None:
        index = s.ledger.index_of(entry_id)
        if index is None:
            raise Problem(404, "no-publication", f"the log has no entry with id {entry_id}")
        kind = entry_at(s, index).statement.get("type")
        raise Problem(
            404,
            "no-publication",
            f"entry {entry_id} (index {index}) is a {kind} entry, not a ranking.publish; "
            f"read it at /v1/entry-ids/{entry_id}",
        )
    with s.lock:
        s.ledger.refresh()
        proof = inclusion_proof(s, found.index, None)
    return PublicationProof(
        publication=view(found), entry=entry_at(s, found.index), inclusion=proof
    )
