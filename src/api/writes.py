"""Signed appends: ``POST /v1/entries`` and ``POST /v1/batches``, with group commit.

A client signs with its own key; the server checks signature, role and
payload (``Ledger.append``), appends, and answers with the index, the entry
hash and an inclusion proof against a checkpoint it signs.

Group commit: requests that arrive while this process is writing wait and are
then appended together, in one transaction and under one signed checkpoint,
instead of one transaction each. Each request keeps its own answer: if the
shared append is refused (one bad submission makes ``Ledger.append`` refuse
all), each request of the group is appended alone, in arrival order, so a
request is accepted or refused exactly as if it had come alone; a request of
several submissions (``/v1/batches``) stays all or nothing.
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from api import metrics, problems
from api.models import BASE64_SIGNATURE, ENTRY_ID, KEY_ID, Receipt
from api.problems import Problem
from api.service import LedgerService, ServiceDep
from ledger.entry import Submission
from ledger.errors import LedgerError
from ledger.note import format_tlog_proof
from ledger.store.sequencer import Receipt as Recorded

MAX_GROUP = 500  # submissions per shared transaction

router = APIRouter(tags=["write"])

Outcome = list[dict[str, Any]] | BaseException


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


class Committer:
    """Appends the submissions of concurrent requests of one process in shared transactions."""

    def __init__(self, service: LedgerService) -> None:
        self.service = service
        self.pending: list[tuple[list[Submission], asyncio.Future[list[dict[str, Any]]]]] = []
        self.task: asyncio.Task[None] | None = None
        # One writer thread: the database waits happen off the event loop.
        self.thread = ThreadPoolExecutor(1, thread_name_prefix="pingyi-writer")

    def close(self) -> None:
        self.thread.shutdown(wait=True)

    async def append(self, submissions: list[Submission]) -> list[dict[str, Any]]:
        """Receipts (as JSON data) for ``submissions``, all appended or none."""
        if self.service.ledger.log_signer is None:
            raise Problem(
                503,
                "no-log-key",
                "this server has no checkpoint key, so it cannot answer appends with a signed "
                "proof; it serves reads only (start it with --log-key)",
            )
        loop = asyncio.get_running_loop()
        future: asyncio.Future[list[dict[str, Any]]] = loop.create_future()
        self.pending.append((submissions, future))
        if self.task is None:
            self.task = loop.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        try:
            while self.pending:
                count, take = 0, 0
                for subs, _ in self.pending:
                    if take and count + len(subs) > MAX_GROUP:
                        break
                    count += len(subs)
                    take += 1
                group, self.pending = self.pending[:take], self.pending[take:]
                try:
                    outcomes = await asyncio.get_running_loop().run_in_executor(
                        self.thread, self._write, [s for s, _ in group]
                    )
                except Exception as exc:  # the store failed: every request of the group hears it
                    outcomes = [exc] * len(group)
                for (_, future), outcome in zip(group, outcomes, strict=True):
                    if future.done():  # the client went away; its entries stand
                        continue
                    if isinstance(outcome, BaseException):
                        future.set_exception(outcome)
                    else:
                        future.set_result(outcome)
        finally:
            self.task = None

    def _write(self, requests: Sequence[list[Submission]]) -> list[Outcome]:
        """Append (in a worker thread, under the ledger lock) and build every answer."""
        s = self.service
        with s.lock:
            results: list[list[Recorded] | BaseException] = []
            try:
                recorded = s.ledger.append([sub for subs in requests for sub in subs])
            except LedgerError as exc:
                if len(requests) == 1:
                    return [exc]
                for subs in requests:
                    try:
                        results.append(s.ledger.append(subs))
                    except LedgerError as each:
                        results.append(each)
            else:
                start = 0
                for subs in requests:
                    results.append(recorded[start : start + len(subs)])
                    start += len(subs)
            return answers(s, results)


def answers(s: LedgerService, results: list[list[Recorded] | BaseException]) -> list[Outcome]:
    """Receipts with inclusion proofs, all against one checkpoint signed now (lock held)."""
    ledger = s.ledger
    size = ledger.size
    note = ledger.sign_checkpoint(size)
    out: list[Outcome] = []
    for result in results:
        if isinstance(result, BaseException):
            out.append(result)
            continue
        receipts = []
        for r in result:
            proof = ledger.inclusion_proof(r.index, size)
            receipts.append(
                {
                    "index": r.index,
                    "entry_hash": r.entry_hash,
                    "leaf_hash": b64(ledger.leaf_hash(r.index)),
                    "duplicate": r.duplicate,
                    "checkpoint": note,
                    "inclusion_proof": [b64(h) for h in proof],
                    "tlog_proof": format_tlog_proof(r.index, proof, note),
                }
            )
        metrics.APPENDED.inc(sum(not r.duplicate for r in result))
        out.append(receipts)
    return out


async def append_fast(committer: Committer, body: bytes) -> tuple[int, bytes]:
    """``POST /v1/entries`` without the framework (see :class:`api.app.Frontdoor`).

    The route below is the same operation for the OpenAPI description and for any
    request that does not take this path; errors raise as they do there.
    """
    submission = Submission.from_json(body)
    (answer,) = await committer.append([submission])
    return 200 if answer["duplicate"] else 201, json.dumps(answer).encode()


def committer(request: Request, s: LedgerService) -> Committer:
    found: Committer = request.app.state.committer
    return found


def parse_line(number: int, line: bytes) -> Submission:
    try:
        return Submission.from_json(line)
    except LedgerError as exc:
        raise type(exc)(f"line {number}: {exc}") from None


STATEMENT_SCHEMA = {
    "type": "object",
    "description": "What the author signs (docs/verification.md): "
    'b"pingyi/statement/v1\\n" + RFC 8785 JSON of this object',
    "required": ["v", "log", "id", "type", "version", "signer", "time", "payload"],
    "additionalProperties": False,
    "properties": {
        "v": {"type": "integer", "enum": [1]},
        "log": {"type": "string", "description": "The log's origin"},
        "id": {"type": "string", "pattern": ENTRY_ID, "description": "A new UUID per entry"},
        "type": {"type": "string", "pattern": r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*){0,3}$"},
        "version": {"type": "integer", "description": "Payload version"},
        "signer": {"type": "string", "pattern": KEY_ID, "description": "Key id of the signer"},
        "time": {"type": "string", "description": "UTC, e.g. 2026-11-21T09:00:00Z"},
        "payload": {"type": "object", "description": "The entry type's payload"},
        "prev": {"type": "string", "pattern": r"^[0-9a-f]{64}$", "description": "Optional head"},
    },
}
SUBMISSION_SCHEMA = {
    "type": "object",
    "required": ["statement", "signature"],
    "additionalProperties": False,
    "properties": {
        "statement": STATEMENT_SCHEMA,
        "signature": {
            "type": "string",
            "pattern": BASE64_SIGNATURE,
            "description": "base64 Ed25519 signature of the statement message",
        },
    },
}
SUBMISSION_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": SUBMISSION_SCHEMA}},
    }
}

BATCH_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/x-ndjson": {
                "schema": {
                    "type": "string",
                    "minLength": 1,
                    "description": 'One {"statement", "signature"} object per line '
                    "(the submission schema of POST /v1/entries)",
                }
            }
        },
    }
}

WRITE_PROBLEMS = problems.responses(400, 403, 409, 413, 422, 503)


@router.post(
    "/v1/entries",
    status_code=201,
    response_model=Receipt,
    summary="Append one signed entry",
    responses={
        200: {"model": Receipt, "description": "Already recorded (same signed bytes)"},
        **WRITE_PROBLEMS,
    },
    openapi_extra=SUBMISSION_BODY,
)
async def append(request: Request, s: ServiceDep) -> JSONResponse:
    """Append ``{"statement": {...}, "signature": "<base64>"}``; resubmitting is safe."""
    submission = Submission.from_json(await request.body())
    (answer,) = await committer(request, s).append([submission])
    return JSONResponse(answer, status_code=200 if answer["duplicate"] else 201)


@router.post(
    "/v1/batches",
    status_code=201,
    response_model=list[Receipt],
    summary="Append signed entries, all or none",
    responses=WRITE_PROBLEMS,
    openapi_extra=BATCH_BODY,
)
async def append_batch(request: Request, s: ServiceDep) -> JSONResponse:
    """Append NDJSON submissions, one per line, all or none."""
    lines = (await request.body()).splitlines()
    subs = [parse_line(n, line) for n, line in enumerate(lines, start=1) if line.strip()]
    if not subs:
        raise Problem(422, "empty", "the batch holds no submission (one JSON object per line)")
    return JSONResponse(await committer(request, s).append(subs), status_code=201)
