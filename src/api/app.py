"""The HTTP API: thin over the ledger. Validate, call, map errors (problems.py).

Writes: a client signs an entry with its own key and POSTs it; the server checks
signature, role and payload, appends, and answers with the index, the entry
hash, and an inclusion proof together with the checkpoint it belongs to.
Reads: checkpoints (C2SP text), entries (paged JSON and exact bytes as NDJSON),
inclusion and consistency proofs.
"""

from __future__ import annotations

import base64
import logging
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import FastAPI, Query, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse, StreamingResponse
from pydantic import BaseModel, Field

from api import logs, metrics, problems
from api.problems import Problem
from api.service import LedgerService, Settings
from ledger.entry import Entry, Submission
from ledger.note import format_tlog_proof

log = logging.getLogger("pingyi.api")

NDJSON = "application/x-ndjson"
NOTE = "text/plain; charset=utf-8"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


class Receipt(BaseModel):
    index: int = Field(description="The entry's index in the log")
    entry_hash: str = Field(description="hex SHA-256 of the entry bytes")
    leaf_hash: str = Field(description="base64 RFC 9162 leaf hash")
    duplicate: bool = Field(description="True when this exact signed entry was already recorded")
    checkpoint: str = Field(description="C2SP signed checkpoint the proof is against")
    inclusion_proof: list[str] = Field(description="base64 RFC 9162 inclusion proof hashes")
    tlog_proof: str = Field(description="The same proof as a c2sp.org/tlog-proof@v1 text")


class EntryView(BaseModel):
    index: int
    hash: str
    raw: str = Field(description="The exact canonical entry bytes (hash these)")
    statement: dict[str, Any]
    signature: str


class EntryPage(BaseModel):
    entries: list[EntryView]
    next_after: int | None = Field(description="Pass as ?after= for the next page; null at the end")


class LogInfo(BaseModel):
    origin: str
    size: int
    root: str
    log_key: str | None = Field(description="C2SP verifier key of the checkpoint key")


class InclusionProof(BaseModel):
    index: int
    size: int
    leaf_hash: str
    proof: list[str]
    checkpoint: str


class ConsistencyProof(BaseModel):
    size1: int
    size2: int
    proof: list[str]
    checkpoint: str = Field(description="Signed checkpoint at size2")


def view(entry: Entry) -> EntryView:
    return EntryView(
        index=entry.index,
        hash=entry.hash,
        raw=entry.raw.decode(),
        statement=entry.statement,
        signature=entry.signature,
    )


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings.from_env()
    service: LedgerService | None = None

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        nonlocal service
        service = LedgerService(settings)
        log.info("started", extra={"settings": settings.describe()})
        yield
        service.close()

    app = FastAPI(
        title="pingyi 评议",
        version="1",
        summary="Signed, append-only scoring ledger for public evaluations",
        lifespan=lifespan,
    )
    problems.install(app)

    def svc() -> LedgerService:
        if service is None:
            raise Problem(503, "starting", "the service is starting; retry shortly")
        return service

    @app.middleware("http")
    async def limits_and_logs(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        started = time.perf_counter()
        request_id = request.headers.get("x-request-id") or uuid.uuid4().hex
        length = request.headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > settings.max_body):
            response: Response = problems.problem(
                413,
                "too-large",
                f"the body is {length} bytes; the limit is {settings.max_body}",
                request.url.path,
            )
        else:
            response = await call_next(request)
        elapsed = time.perf_counter() - started
        metrics.observe(request.method, request.scope.get("route"), response.status_code, elapsed)
        log.info(
            "request",
            extra={
                "request_id": request_id,
                "method": request.method,
                "path": request.url.path,
                "status": response.status_code,
                "ms": round(elapsed * 1000, 2),
            },
        )
        response.headers["x-request-id"] = request_id
        return response

    async def body_of(request: Request) -> bytes:
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > settings.max_body:
                raise Problem(
                    413, "too-large", f"the body exceeds the limit of {settings.max_body} bytes"
                )
        return bytes(body)

    def receipt_for(s: LedgerService, index: int, entry_hash: str, duplicate: bool) -> Receipt:
        ledger = s.ledger
        size = ledger.size
        note = ledger.sign_checkpoint(size)
        proof = ledger.inclusion_proof(index, size)
        return Receipt(
            index=index,
            entry_hash=entry_hash,
            leaf_hash=b64(ledger.leaf_hash(index)),
            duplicate=duplicate,
            checkpoint=note,
            inclusion_proof=[b64(h) for h in proof],
            tlog_proof=format_tlog_proof(index, proof, note),
        )

    @app.post(
        "/v1/entries",
        status_code=201,
        response_model=Receipt,
        tags=["write"],
        responses={200: {"model": Receipt, "description": "Already recorded (same signed bytes)"}},
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["statement", "signature"],
                            "properties": {
                                "statement": {"type": "object"},
                                "signature": {"type": "string"},
                            },
                        }
                    }
                },
            }
        },
    )
    async def append(request: Request) -> JSONResponse:
        """Append one signed entry ``{"statement": {...}, "signature": "<base64>"}``."""
        submission = Submission.from_json(await body_of(request))
        s = svc()
        with s.lock:
            receipt = s.ledger.append([submission])[0]
            answer = receipt_for(s, receipt.index, receipt.entry_hash, receipt.duplicate)
        metrics.APPENDED.inc(0 if receipt.duplicate else 1)
        return JSONResponse(answer.model_dump(), status_code=200 if receipt.duplicate else 201)

    @app.post("/v1/batches", status_code=201, response_model=list[Receipt], tags=["write"])
    async def append_batch(request: Request) -> JSONResponse:
        """Append NDJSON submissions, one per line, all or none."""
        lines = [line for line in (await body_of(request)).splitlines() if line.strip()]
        if not lines:
            raise Problem(422, "empty", "the batch holds no submission (one JSON object per line)")
        subs = [Submission.from_json(line) for line in lines]
        s = svc()
        with s.lock:
            receipts = s.ledger.append(subs)
            answers = [
                receipt_for(s, r.index, r.entry_hash, r.duplicate).model_dump() for r in receipts
            ]
        metrics.APPENDED.inc(sum(not r.duplicate for r in receipts))
        return JSONResponse(answers, status_code=201)

    @app.get("/v1/log", response_model=LogInfo, tags=["read"])
    def log_info() -> LogInfo:
        s = svc()
        with s.lock:
            s.ledger.refresh()
            return LogInfo(
                origin=s.ledger.origin,
                size=s.ledger.size,
                root=b64(s.ledger.root()),
                log_key=s.ledger.state.log_key,
            )

    @app.get(
        "/v1/checkpoint",
        response_class=PlainTextResponse,
        tags=["read"],
        responses={200: {"content": {NOTE: {}}, "description": "C2SP signed checkpoint"}},
    )
    def checkpoint() -> PlainTextResponse:
        """The latest checkpoint (signed now if the log grew and this server holds the key)."""
        s = svc()
        with s.lock:
            if s.ledger.log_signer is not None:
                note = s.ledger.checkpoint().note
            else:
                stored = s.ledger.checkpoints()
                if not stored:
                    raise Problem(503, "no-checkpoint", "no checkpoint has been signed yet")
                note = stored[-1].note
        return PlainTextResponse(note, media_type=NOTE)

    @app.get("/v1/checkpoints", tags=["read"], response_model=list[str])
    def checkpoints(after: Annotated[int, Query(ge=0)] = 0) -> list[str]:
        """Every stored checkpoint with size > after, oldest first."""
        s = svc()
        with s.lock:
            return [c.note for c in s.ledger.checkpoints() if c.size > after]

    @app.get("/v1/entries", response_model=EntryPage, tags=["read"])
    def entries(
        after: Annotated[int, Query(ge=-1, description="Entries with index > after")] = -1,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    ) -> EntryPage:
        s = svc()
        page = [
            Entry.from_bytes(raw)
            for raw in s.ledger.recorder.read_entries(s.ledger.log_id, after, limit)
        ]
        more = len(page) == limit
        return EntryPage(
            entries=[view(e) for e in page], next_after=page[-1].index if more else None
        )

    @app.get(
        "/v1/entries.ndjson",
        tags=["read"],
        response_class=StreamingResponse,
        responses={
            200: {"content": {NDJSON: {}}, "description": "Exact entry bytes, one per line"}
        },
    )
    def entries_stream(after: Annotated[int, Query(ge=-1)] = -1) -> StreamingResponse:
        """Every entry's exact canonical bytes, one per line, from index after+1."""
        s = svc()

        def lines() -> Iterator[bytes]:
            for raw in s.ledger.raw_entries(after):
                yield raw + b"\n"

        return StreamingResponse(lines(), media_type=NDJSON)

    @app.get("/v1/entries/{index}", response_model=EntryView, tags=["read"])
    def entry(index: int) -> EntryView:
        s = svc()
        rows = s.ledger.recorder.read_entries(s.ledger.log_id, index - 1, 1)
        if index < 0 or not rows:
            raise Problem(404, "no-entry", f"the log has no entry {index}")
        return view(Entry.from_bytes(rows[0]))

    @app.get("/v1/entry-ids/{entry_id}", response_model=EntryView, tags=["read"])
    def entry_by_id(entry_id: str) -> EntryView:
        s = svc()
        index = s.ledger.index_of(entry_id)
        if index is None:
            raise Problem(404, "no-entry", f"the log has no entry with id {entry_id}")
        return entry(index)

    @app.get("/v1/proofs/inclusion", response_model=InclusionProof, tags=["read"])
    def inclusion(
        index: Annotated[int, Query(ge=0)], size: Annotated[int | None, Query(ge=1)] = None
    ) -> InclusionProof:
        """An inclusion proof with the signed checkpoint it is against."""
        s = svc()
        with s.lock:
            s.ledger.refresh()
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

    @app.get("/v1/proofs/consistency", response_model=ConsistencyProof, tags=["read"])
    def consistency(
        size1: Annotated[int, Query(ge=1)], size2: Annotated[int | None, Query(ge=1)] = None
    ) -> ConsistencyProof:
        """A consistency proof from size1 to size2 (default: now), with the checkpoint at size2."""
        s = svc()
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

    @app.get("/healthz", tags=["operations"])
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", tags=["operations"])
    def readyz() -> dict[str, object]:
        s = svc()
        with s.lock:
            s.ledger.refresh()
            return {"status": "ready", "size": s.ledger.size}

    @app.get("/metrics", tags=["operations"], response_class=PlainTextResponse)
    def prometheus() -> Response:
        body, media_type = metrics.render()
        return Response(body, media_type=media_type)

    return app


def app_from_env() -> FastAPI:
    """uvicorn factory: ``uvicorn --factory api.app:app_from_env``."""
    logs.configure()
    return create_app()
