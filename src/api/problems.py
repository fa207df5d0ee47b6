"""RFC 9457 problem documents: every error the API returns, mapped in this one place."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException
from starlette.routing import compile_path

from ledger import errors
from projections.errors import ProjectionError

MEDIA_TYPE = "application/problem+json"
SCHEMA_REF = "#/components/schemas/Problem"

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
    500: "Internal error",
    503: "Unavailable",
}


class ProblemDocument(BaseModel):
    """RFC 9457 problem details, as every error of this API is answered."""

    model_config = ConfigDict(extra="allow", title="Problem")

    type: str = Field(description="urn:pingyi:problem:<code>; the code names the problem")
    title: str = Field(description="Short summary of the status")
    status: int = Field(description="The HTTP status code")
    detail: str = Field(description="What is wrong and what to do about it")
    instance: str | None = Field(default=None, description="The request path")


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses=`` entries: each status answered with a problem document."""
    return {
        status: {
            "description": TITLES.get(status, "Error"),
            "content": {MEDIA_TYPE: {"schema": {"$ref": SCHEMA_REF}}},
        }
        for status in statuses
    }


def add_schema(openapi: dict[str, Any]) -> None:
    """Put the Problem schema into an OpenAPI document's components."""
    schemas = openapi.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = ProblemDocument.model_json_schema(
        ref_template="#/components/schemas/{model}"
    )


class Problem(Exception):
    """Raise to answer with a problem document."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.status, self.code, self.detail, self.extra = status, code, detail, extra
        self.headers = headers or {}


def problem(
    status: int,
    code: str,
    detail: str,
    instance: str = "",
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body = {
        "type": f"urn:pingyi:problem:{code}",
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        **({"instance": instance} if instance else {}),
        **extra,
    }
    return JSONResponse(
        body, status_code=status, media_type=MEDIA_TYPE, headers=dict(headers or {})
    )


def internal(instance: str) -> JSONResponse:
    return problem(
        500,
        "internal",
        "the server failed unexpectedly; if you were appending, resubmit the same signed "
        "entry (that is safe) to learn whether it was recorded, and report the x-request-id",
        instance,
    )


def status_of(exc: errors.LedgerError) -> int:
    for kind, status in STATUS:
        if isinstance(exc, kind):
            return status
    return 400


def allowed_methods(request: Request) -> str:
    """Every method the API answers at the request's path (routes are per method)."""
    table: list[tuple[Any, set[str]]] | None = getattr(request.app.state, "allow", None)
    if table is None:
        table = [
            (compile_path(path)[0], {method.upper() for method in operations})
            for path, operations in request.app.openapi()["paths"].items()
        ]
        request.app.state.allow = table
    methods = {m for pattern, found in table if pattern.match(request.url.path) for m in found}
    if "GET" in methods:
        methods.add("HEAD")
    return ", ".join(sorted(methods))


def install(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def on_problem(request: Request, exc: Problem) -> JSONResponse:
        return problem(exc.status, exc.code, exc.detail, request.url.path, exc.headers, **exc.extra)

    @app.exception_handler(errors.LedgerError)
    async def on_ledger(request: Request, exc: errors.LedgerError) -> JSONResponse:
        return problem(status_of(exc), exc.code, str(exc), request.url.path)

    @app.exception_handler(ProjectionError)
    async def on_projection(request: Request, exc: ProjectionError) -> JSONResponse:
        # The log holds something the projections cannot read (appended without the
        # campaign policy): the request is fine, the resource cannot be built.
        return problem(409, exc.code, str(exc), request.url.path)

    @app.exception_handler(RequestValidationError)
    async def on_validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        media = request.headers.get("content-type", "")
        if "json" not in media and any(tuple(i.get("loc", ())) == ("body",) for i in exc.errors()):
            return problem(
                415,
                "media-type",
                f"the body must be JSON sent as Content-Type: application/json "
                f"(got {media or 'no Content-Type'})",
                request.url.path,
            )
        parts = []
        malformed = False
        for item in exc.errors():
            where = ".".join(str(p) for p in item.get("loc", ()))
            if item.get("type") == "json_invalid":
                malformed = True
                context = item.get("ctx", {}).get("error", "")
                parts.append(f"{where}: malformed JSON: {context}".rstrip(": "))
            else:
                parts.append(f"{where}: {item.get('msg', 'invalid')}")
        if malformed:
            return problem(400, "encoding", "; ".join(parts), request.url.path)
        return problem(422, "invalid-request", "; ".join(parts), request.url.path)

    @app.exception_handler(Exception)
    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        return internal(request.url.path)

    @app.exception_handler(HTTPException)
    async def on_http(request: Request, exc: HTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else TITLES.get(exc.status_code, "Error")
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"no such endpoint: {request.method} {request.url.path}; see /docs"
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = allowed_methods(request)
            detail = (
                f"{request.method} is not allowed on {request.url.path}; use {headers['Allow']}"
            )
        return problem(exc.status_code, "http", detail, request.url.path, headers)
