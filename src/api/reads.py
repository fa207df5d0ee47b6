"""Public reads of the log: its state, checkpoints (C2SP text), entries, proofs."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import PlainTextResponse, StreamingResponse

from api import problems
from api.models import (
    ENTRY_ID,
    MAX_INDEX,
    ConsistencyProof,
    EntryPage,
    EntryView,
    InclusionProof,
    LogInfo,
)
from api.problems import Problem
from api.service import LedgerService, ServiceDep
from ledger.entry import Entry

NDJSON = "application/x-ndjson"
NOTE = "text/plain; charset=utf-8"

router = APIRouter(tags=["read"])

Index = Annotated[int, Query(ge=0, le=MAX_INDEX)]
After = Annotated[int, Query(ge=-1, le=MAX_INDEX, description="Entries with index > after")]


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def view(entry: Entry) -> EntryView:
    return EntryView(
        index=entry.index,
        hash=entry.hash,
        raw=entry.raw.decode(),
        statement=entry.statement,
        signature=entry.signature,
    )


def entry_at(s: LedgerService, index: int) -> EntryView:
    rows = s.ledger.recorder.read_entries(s.ledger.log_id, index - 1, 1)
    if not rows:
        raise Problem(404, "no-entry", f"the log has no entry {index}")
    return view(Entry.from_bytes(rows[0]))


def inclusion_proof(s: LedgerService, index: int, size: int | None) -> InclusionProof:
    """A proof with the checkpoint it is against (service lock held by the caller)."""
    n = s.ledger.size if size is None else size
    if n > s.ledger.size or index >= n:
        raise Problem(
            404,
            "out-of-range",
            f"index {index} / size {n}: the log has {s.ledger.size} entries",
        )
    proof = s.ledger.inclusion_proof(index, n)
    return InclusionProof(
        index=index,
        size=n,
        leaf_hash=b64(s.ledger.leaf_hash(index)),
        proof=[b64(h) for h in proof],
        checkpoint=s.ledger.sign_checkpoint(n),
    )


@router.get("/v1/log", response_model=LogInfo, responses=problems.responses(503))
def log_info(s: ServiceDep) -> LogInfo:
    """The log's origin, size, Merkle root and checkpoint key."""
    with s.lock:
        s.ledger.refresh()
        return LogInfo(
            origin=s.ledger.origin,
            size=s.ledger.size,
            root=b64(s.ledger.root()),
            log_key=s.ledger.state.log_key,
        )


@router.get(
    "/v1/checkpoint",
    response_class=PlainTextResponse,
    responses={
        200: {
            "content": {"text/plain": {"schema": {"type": "string"}}},
            "description": "C2SP signed checkpoint (a signed note)",
        },
        **problems.responses(503),
    },
)
def checkpoint(s: ServiceDep) -> PlainTextResponse:
    """The latest checkpoint (signed now if the log grew and this server holds the key)."""
    with s.lock:
        if s.ledger.log_signer is not None:
            note = s.ledger.checkpoint().note
        else:
            stored = s.ledger.checkpoints()
            if not stored:
                raise Problem(503, "no-checkpoint", "no checkpoint has been signed yet")
            note = stored[-1].note
    return PlainTextResponse(note, media_type=NOTE)


@router.get("/v1/checkpoints", response_model=list[str], responses=problems.responses(422, 503))
def checkpoints(
    s: ServiceDep,
    after: Annotated[int, Query(ge=0, le=MAX_INDEX, description="Checkpoints larger")] = 0,
    limit: Annotated[int, Query(ge=1, le=1000, description="At most this many")] = 1000,
) -> list[str]:
    """The stored checkpoints with size > after, oldest first, at most ``limit`` of them
    (ask again with ``after`` = the last one's size for the next page)."""
    with s.lock:
        return [c.note for c in s.ledger.checkpoints() if c.size > after][:limit]


@router.get("/v1/entries", response_model=EntryPage, responses=problems.responses(422, 503))
def entries(
    s: ServiceDep,
    after: After = -1,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> EntryPage:
    """A page of entries with index > after, as JSON."""
    page = [
        Entry.from_bytes(raw)
        for raw in s.ledger.recorder.read_entries(s.ledger.log_id, after, limit)
    ]
    more = len(page) == limit
    return EntryPage(entries=[view(e) for e in page], next_after=page[-1].index if more else None)


@router.get(
    "/v1/entries.ndjson",
    response_class=StreamingResponse,
    responses={
        200: {
            "content": {NDJSON: {"schema": {"type": "string"}}},
            "description": "Exact entry bytes, one per line",
        },
        **problems.responses(422, 503),
    },
)
def entries_stream(s: ServiceDep, after: After = -1) -> StreamingResponse:
    """Every entry's exact canonical bytes, one per line, from index after+1."""

    def lines() -> Iterator[bytes]:
        for raw in s.ledger.raw_entries(after):
            yield raw + b"\n"

    return StreamingResponse(lines(), media_type=NDJSON)


@router.get(
    "/v1/entries/{index}", response_model=EntryView, responses=problems.responses(404, 422, 503)
)
def entry(s: ServiceDep, index: Annotated[int, Path(ge=0, le=MAX_INDEX)]) -> EntryView:
    """One entry by its index."""
    return entry_at(s, index)


@router.get(
    "/v1/entry-ids/{entry_id}",
    response_model=EntryView,
    responses=problems.responses(404, 422, 503),
)
def entry_by_id(
    s: ServiceDep, entry_id: Annotated[str, Path(pattern=ENTRY_ID, description="Entry id (UUID)")]
) -> EntryView:
    """One entry by its id."""
    index = s.ledger.index_of(entry_id)
    if index is None:
        raise Problem(404, "no-entry", f"the log has no entry with id {entry_id}")
    return entry_at(s, index)


@router.get(
    "/v1/proofs/inclusion",
    response_model=InclusionProof,
    responses=problems.responses(404, 422, 503),
)
def inclusion(
    s: ServiceDep,
    index: Index,
    size: Annotated[int | None, Query(ge=1, le=MAX_INDEX)] = None,
) -> InclusionProof:
    """An inclusion proof with the signed checkpoint it is against."""
    with s.lock:
        s.ledger.refresh()
        return inclusion_proof(s, index, size)


@router.get(
    "/v1/proofs/consistency",
    response_model=ConsistencyProof,
    responses=problems.responses(404, 422, 503),
)
def consistency(
    s: ServiceDep,
    size1: Annotated[int, Query(ge=1, le=MAX_INDEX)],
    size2: Annotated[int | None, Query(ge=1, le=MAX_INDEX)] = None,
) -> ConsistencyProof:
    """A consistency proof from size1 to size2 (default: now), with the checkpoint at size2."""
    with s.lock:
        s.ledger.refresh()
        n = s.ledger.size if size2 is None else size2
        if size1 > n or n > s.ledger.size:
            raise Problem(
                404, "out-of-range", f"sizes {size1}..{n}: the log has {s.ledger.size} entries"
            )
        proof = s.ledger.consistency_proof(size1, n)
        return ConsistencyProof(
            size1=size1,
            size2=n,
            proof=[b64(h) for h in proof],
            checkpoint=s.ledger.sign_checkpoint(n),
        )
