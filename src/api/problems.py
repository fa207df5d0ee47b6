"""RFC 9457 problem documents: every error the API returns, mapped in this one place."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from ledger import errors

MEDIA_TYPE = "application/problem+json"

# Ledger errors to HTTP status codes (the most specific class wins).
STATUS: list[tuple[type[errors.LedgerError], int]] = [
    (errors.ConflictError, 409),
    (errors.StaleHeadError, 409),
    (errors.UnknownKeyError, 403),
    (errors.RevokedKeyError, 403),
    (errors.RoleError, 403),
    (errors.ClockSkewError, 422),
    (errors.PayloadError, 422),
    (errors.SignatureError, 400),
    (errors.EncodingError, 400),
    (errors.ProofError, 400),
    (errors.NoteError, 503),
    (errors.StoreError, 503),
    (errors.LedgerError, 400),
]

TITLES = {
    400: "Bad request",
    401: "Not authenticated",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Request body too large",
    415: "Unsupported media type",
    422: "Invalid content",
    503: "Unavailable",
}


class Problem(Exception):
    """Raise to answer with a problem document."""

    def __init__(self, status: int, code: str, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.status, self.code, self.detail, self.extra = status, code, detail, extra


def problem(status: int, code: str, detail: str, instance: str = "", **extra: Any) -> JSONResponse:
    body = {
        "type": f"urn:pingyi:problem:{code}",
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        **({"instance": instance} if instance else {}),
        **extra,
    }
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE)


def status_of(exc: errors.LedgerError) -> int:
    for kind, status in STATUS:
        if isinstance(exc, kind):
            return status
    return 400


def install(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def on_problem(request: Request, exc: Problem) -> JSONResponse:
        return problem(exc.status, exc.code, exc.detail, request.url.path, **exc.extra)

    @app.exception_handler(errors.LedgerError)
    async def on_ledger(request: Request, exc: errors.LedgerError) -> JSONResponse:
        return problem(status_of(exc), exc.code, str(exc), request.url.path)

    @app.exception_handler(RequestValidationError)
    async def on_validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        parts = []
        for item in exc.errors():
            where = ".".join(str(p) for p in item.get("loc", ()))
            parts.append(f"{where}: {item.get('msg', 'invalid')}")
        return problem(422, "invalid-request", "; ".join(parts), request.url.path)

    @app.exception_handler(HTTPException)
    async def on_http(request: Request, exc: HTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else TITLES.get(exc.status_code, "Error")
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"no such endpoint: {request.method} {request.url.path}; see /docs"
        return problem(exc.status_code, "http", detail, request.url.path)
