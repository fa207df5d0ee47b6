"""A small HTTP client for talking to a running pingyi server (stdlib only).

``Fetch`` is the one seam: a function from (method, path with query, body) to
(status, bytes). :func:`urllib_fetch` makes one for a base URL; tests may pass
another (e.g. over starlette's TestClient).

Failures are :class:`HttpError`, in three kinds a caller may tell apart:
:class:`Unreachable` (no answer at all), :class:`HttpStatusError` (an answer
with an error status) and :class:`BadAnswer` (a success status, but an answer
that is oversized, not JSON, not UTF-8 or lacks a member).
"""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any, BinaryIO
from urllib.parse import urlencode

Fetch = Callable[[str, str, bytes | None], tuple[int, bytes]]

#: The most bytes read from one answer (streams excepted, see :func:`urllib_fetch`).
MAX_ANSWER = 16 * 1024 * 1024
_ERROR_BODY = 64 * 1024  # of an error answer, only the start is shown


class HttpError(Exception):
    """The server could not be reached or answered with an error; the message says which."""


class Unreachable(HttpError):
    """No answer: the connection was refused, timed out or broke off."""


class HttpStatusError(HttpError):
    """The server answered with an error status (4xx, 5xx)."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class BadAnswer(HttpError):
    """A success status, but an answer that cannot be used (oversized, malformed, incomplete)."""


def urllib_fetch(
    base: str,
    *,
    timeout: float = 30.0,
    max_bytes: int = MAX_ANSWER,
    stream_max_bytes: int | None = None,
) -> Fetch:
    """A Fetch for ``base``; an answer longer than ``max_bytes`` is refused as oversized.

    Streams (paths ending in ``.ndjson``) are held to ``stream_max_bytes`` instead,
    unbounded by default: their callers check them against a signed root.
    """
    root = base.rstrip("/")
    if not root.startswith(("http://", "https://")):
        raise HttpError(f"{base!r} is not an http:// or https:// URL")

    def fetch(method: str, path: str, body: bytes | None) -> tuple[int, bytes]:
        request = urllib.request.Request(root + path, data=body, method=method)  # noqa: S310
        if body is not None:
            request.add_header("content-type", "application/json")
        stream = path.partition("?")[0].endswith(".ndjson")
        limit = stream_max_bytes if stream else max_bytes
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                return int(response.status), _read(response, limit, f"{method} {path}")
        except urllib.error.HTTPError as exc:
            return int(exc.code), bytes(exc.read(_ERROR_BODY))
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
            raise Unreachable(f"cannot reach {root}: {exc}") from None

    return fetch


def _read(response: BinaryIO, limit: int | None, what: str) -> bytes:
    if limit is None:
        return bytes(response.read())
    data = bytes(response.read(limit + 1))
    if len(data) > limit:
        raise BadAnswer(f"{what}: the server's answer is oversized (more than {limit:,} bytes)")
    return data


def path_with(path: str, **params: object) -> str:
    given = {k: v for k, v in params.items() if v is not None}
    return path + ("?" + urlencode(given) if given else "")


def request(fetch: Fetch, method: str, path: str, body: bytes | None = None) -> bytes:
    """The body of a successful answer; HttpError naming the server's problem otherwise."""
    status, data = fetch(method, path, body)
    if not 200 <= status < 300:
        detail = data[:500].decode("utf-8", "replace")
        try:
            problem = json.loads(data)
            if isinstance(problem, dict):
                detail = str(problem.get("detail") or problem.get("title") or detail)
        except ValueError:
            pass
        raise HttpStatusError(f"{method} {path}: the server answered {status}: {detail}", status)
    return data


def get_json(fetch: Fetch, path: str) -> Any:
    data = request(fetch, "GET", path)
    try:
        return json.loads(data)
    except ValueError as exc:
        raise BadAnswer(f"GET {path}: the answer is not JSON: {exc}") from None


def post_json(fetch: Fetch, path: str, body: bytes) -> Any:
    data = request(fetch, "POST", path, body)
    try:
        return json.loads(data)
    except ValueError as exc:
        raise BadAnswer(f"POST {path}: the answer is not JSON: {exc}") from None


def get_text(fetch: Fetch, path: str) -> str:
    data = request(fetch, "GET", path)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise BadAnswer(f"GET {path}: the answer is not UTF-8 text") from None


def member(answer: Any, key: str, path: str, method: str = "GET") -> Any:
    """``answer[key]`` of a JSON object answer; BadAnswer naming the request if it lacks it."""
    if not isinstance(answer, dict):
        raise BadAnswer(f"the server's answer to {method} {path} is not a JSON object")
    if key not in answer:
        raise BadAnswer(f"the server's answer to {method} {path} lacks {key!r}")
    return answer[key]


__all__ = [
    "MAX_ANSWER",
    "BadAnswer",
    "Fetch",
    "HttpError",
    "HttpStatusError",
    "Unreachable",
    "get_json",
    "get_text",
    "member",
    "path_with",
    "post_json",
    "request",
    "urllib_fetch",
]
