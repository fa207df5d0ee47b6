"""Ed25519 checks spread over processes: signature checks dominate verification.

:class:`Checks` takes one job per signed entry while the caller is still
reading the log. Every ``CHUNK`` jobs it hands the batch to a pool of forked
workers (started at the first full chunk) with ``apply_async``, so the workers
check signatures while the caller parses and hashes the entries after them;
the caller collects the failing positions at the end. A log with fewer than
``CHUNK`` signed entries, or ``workers=1``, is checked inline, without forking.
Jobs cross to the workers pickled (about 4 MB per chunk of ballot-sized
entries); only positions of failures come back.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Sequence
from multiprocessing.pool import AsyncResult, Pool
from types import TracebackType

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

# (position, public key, signature, signed message)
Job = tuple[int, bytes, bytes, bytes]
CHUNK = 2000
MIN_PARALLEL = CHUNK


def _check(jobs: Sequence[Job]) -> list[int]:
    """Positions of the jobs whose signature does not verify (runs in a worker or inline)."""
    bad: list[int] = []
    keys: dict[bytes, Ed25519PublicKey] = {}
    for position, public, signature, message in jobs:
        key = keys.get(public)
        if key is None:
            key = keys[public] = Ed25519PublicKey.from_public_bytes(public)
        try:
            key.verify(signature, message)
        except InvalidSignature:
            bad.append(position)
    return bad


class Checks:
    """Signature checks handed over chunk by chunk while the log is still being read.

    Use as a context manager (the pool is terminated on the way out, also on an
    error); :meth:`failing` waits for every check and returns the failures.
    """

    def __init__(self, workers: int | None = None) -> None:
        workers = workers or os.cpu_count() or 1
        self._workers = workers
        self._parallel = workers > 1 and "fork" in multiprocessing.get_all_start_methods()
        self._pending: list[Job] = []
        self._pool: Pool | None = None
        self._results: list[AsyncResult[list[int]]] = []
        self.count = 0

    def add(self, position: int, public: bytes, signature: bytes, message: bytes) -> None:
        """Queue the check that ``signature`` by ``public`` is over ``message``."""
        self._pending.append((position, public, signature, message))
        self.count += 1
        if self._parallel and len(self._pending) >= CHUNK:
            self._submit()

    def _submit(self) -> None:
        if self._pool is None:
            self._pool = multiprocessing.get_context("fork").Pool(self._workers)
        self._results.append(self._pool.apply_async(_check, (self._pending,)))
        self._pending = []

    def failing(self) -> list[int]:
        """Wait for every check; the positions whose signature does not verify, in order."""
        bad: list[int] = []
        if self._pending:
            if self._pool is None:
                bad += _check(self._pending)
                self._pending = []
            else:
                self._submit()
        for result in self._results:
            bad += result.get()
        self._results = []
        self.close()
        return sorted(bad)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None

    def __enter__(self) -> Checks:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def failing(jobs: Sequence[tuple[bytes, bytes, bytes]], workers: int | None = None) -> list[int]:
    """Positions in ``jobs`` (public key, signature, message) that do not verify, in order."""
    with Checks(workers) as checks:
        for position, (public, signature, message) in enumerate(jobs):
            checks.add(position, public, signature, message)
        return checks.failing()
