"""A small HTTP client for talking to a running pingyi server (stdlib only).

``Fetch`` is the one seam: a function from (method, path with query, body) to
(status, bytes). :func:`urllib_fetch` makes one for a base URL; tests may pass
another (e.g. over starlette's TestClient).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

Fetch = Callable[[str, str, bytes | None], tuple[int, bytes]]


class HttpError(Exception):
    """The server could not be reached or answered with an error; the message says which."""


def urllib_fetch(base: str, *, timeout: float = 30.0) -> Fetch:
    root = base.rstrip("/")
    if not root.startswith(("http://", "https://")):
        raise HttpError(f"{base!r} is not an http:// or https:// URL")

    def fetch(method: str, path: str, body: bytes | None) -> tuple[int, bytes]:
        request = urllib.request.Request(root + path, data=body, method=method)  # noqa: S310
        if body is not None:
            request.add_header("content-type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                return int(response.status), bytes(response.read())
        except urllib.error.HTTPError as exc:
            return int(exc.code), bytes(exc.read())
        except (urllib.error.URLError, OSError) as exc:
            raise HttpError(f"cannot reach {root}: {exc}") from None

    return fetch


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
        raise HttpError(f"{method} {path}: the server answered {status}: {detail}")
    return data


def get_json(fetch: Fetch, path: str) -> Any:
    data = request(fetch, "GET", path)
    try:
        return json.loads(data)
    except ValueError as exc:
        raise HttpError(f"GET {path}: the answer is not JSON: {exc}") from None


def post_json(fetch: Fetch, path: str, body: bytes) -> Any:
    data = request(fetch, "POST", path, body)
    try:
        return json.loads(data)
    except ValueError as exc:
        raise HttpError(f"POST {path}: the answer is not JSON: {exc}") from None


def get_text(fetch: Fetch, path: str) -> str:
    data = request(fetch, "GET", path)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise HttpError(f"GET {path}: the answer is not UTF-8 text") from None


__all__ = [
    "Fetch",
    "HttpError",
    "get_json",
    "get_text",
    "path_with",
    "post_json",
    "request",
    "urllib_fetch",
]
