"""Where the command appends and reads: a local store, or a pingyi server by URL.

Either way the command signs locally; a server never sees a private key. A
server is spoken to with the standard library only (``urllib``), through the
public API: ``GET /v1/log``, ``GET /v1/entries.ndjson`` and ``POST /v1/batches``.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

from ledger import canonical
from ledger.entry import Entry, Submission
from ledger.errors import LedgerError
from ledger.store import store_url
from ledger.store.app import Ledger
from projections.policy import default_policies
from vault.evidence import EvidenceStore, check_submission_evidence

URL_ENV = "PINGYI_URL"


@dataclass(frozen=True)
class Recorded:
    index: int
    entry_hash: str
    duplicate: bool


class Target(Protocol):
    origin: str

    def append(self, submissions: Sequence[Submission]) -> list[Recorded]: ...

    def entries(self) -> Iterator[Entry]: ...


class LocalTarget:
    """A store on this machine; entries naming evidence are checked against the evidence store."""

    def __init__(self, ledger: Ledger, evidence: EvidenceStore | None = None) -> None:
        self.ledger = ledger
        self.origin = ledger.origin
        self.evidence = evidence or EvidenceStore()

    def append(self, submissions: Sequence[Submission]) -> list[Recorded]:
        for sub in submissions:
            check_submission_evidence(sub.type, sub.payload, self.evidence)
        return [
            Recorded(r.index, r.entry_hash, r.duplicate) for r in self.ledger.append(submissions)
        ]

    def entries(self) -> Iterator[Entry]:
        return iter(self.ledger.entries(-1))


class ServerError(LedgerError):
    """The server refused a request; the message is its problem document's detail."""


class RemoteTarget:
    def __init__(self, url: str, *, timeout: float = 60.0) -> None:
        if not url.startswith(("http://", "https://")):
            raise ServerError(f"server URL {url!r} must start with http:// or https://")
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.origin = str(json.loads(self._get("/v1/log"))["origin"])

    def _request(self, request: urllib.request.Request) -> bytes:
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 (http(s) only, checked in __init__)
                body: bytes = response.read()
                return body
        except urllib.error.HTTPError as err:
            detail = err.read().decode("utf-8", "replace")
            try:
                problem = json.loads(detail)
                detail = f"{problem.get('title', '')}: {problem.get('detail', detail)}"
            except ValueError:
                pass
            raise ServerError(f"{self.url} answered {err.code}: {detail}") from None
        except (urllib.error.URLError, OSError) as err:
            raise ServerError(f"cannot reach {self.url}: {err}") from None

    def _get(self, path: str) -> bytes:
        return self._request(urllib.request.Request(self.url + path))  # noqa: S310

    def append(self, submissions: Sequence[Submission]) -> list[Recorded]:
        body = b"".join(canonical.canonical(s.to_value()) + b"\n" for s in submissions)
        request = urllib.request.Request(  # noqa: S310 (http(s) only, checked in __init__)
            self.url + "/v1/batches",
            data=body,
            method="POST",
            headers={"Content-Type": "application/x-ndjson"},
        )
        answer: list[dict[str, Any]] = json.loads(self._request(request))
        return [Recorded(a["index"], a["entry_hash"], a["duplicate"]) for a in answer]

    def entries(self) -> Iterator[Entry]:
        for line in self._get("/v1/entries.ndjson").splitlines():
            if line.strip():
                yield Entry.from_bytes(line)


@contextmanager
def open_target(
    store: str | None, url: str | None, evidence: EvidenceStore | None = None
) -> Iterator[Target]:
    """A server if ``url`` is given, else the local store (with the domain policies)."""
    if url:
        yield RemoteTarget(url)
        return
    with Ledger.open(store_url(store), policies=default_policies()) as ledger:
        yield LocalTarget(ledger, evidence)


__all__ = [
    "URL_ENV",
    "LocalTarget",
    "Recorded",
    "RemoteTarget",
    "ServerError",
    "Target",
    "open_target",
]
