"""Ed25519 checks spread over processes: signature checks dominate verification.

:class:`Checks` takes one job per signed entry while the caller is still
reading the log, so the workers check signatures while the caller parses and
hashes the entries after them. Small batches (fewer than ``MIN_PARALLEL`` jobs
in all) and ``workers=1`` are checked inline, without forking. Otherwise, once
``MIN_PARALLEL`` jobs are waiting, it forks a pool of workers that share an
anonymous memory ring with this process: each signed message is copied into the
ring once, and each chunk of jobs crosses to a worker as (position, key,
signature, where in the ring) only. A region of the ring is reused only once
the chunk that used it has been checked. Only positions of failures come back.
"""

from __future__ import annotations

import mmap
import multiprocessing
import os
from collections import deque
from collections.abc import Sequence
from multiprocessing.pool import AsyncResult, Pool
from types import TracebackType

from ledger.ed25519 import verify

# (position, public key, signature, signed message)
Job = tuple[int, bytes, bytes, bytes]
# (position, public key, signature, offset of the message in the ring, its length)
RingJob = tuple[int, bytes, bytes, int, int]
CHUNK = 1000  # jobs per chunk handed to a worker
MIN_PARALLEL = 2000  # fewer jobs in all are checked inline, without forking
RING_BYTES = 64 * 1024 * 1024  # shared ring of messages (a statement is at most 256 KiB)
CHUNK_BYTES = RING_BYTES // 8  # a chunk is handed over once it holds this many bytes
MAX_RING_MESSAGE = RING_BYTES // 8  # larger messages (no valid statement is) are checked inline

_ring: memoryview | None = None  # in a worker: the ring shared with the parent


def _check(jobs: Sequence[Job]) -> list[int]:
    """Positions of the jobs whose signature does not verify (inline)."""
    return [p for p, public, signature, message in jobs if not verify(public, signature, message)]


def _attach(ring: mmap.mmap) -> None:
    """Pool initializer: runs in each forked worker, which inherited the parent's ring."""
    global _ring  # noqa: PLW0603
    _ring = memoryview(ring)


def _check_ring(jobs: Sequence[RingJob]) -> list[int]:
    """Positions of the jobs whose signature does not verify (in a worker, messages in the ring)."""
    ring = _ring
    assert ring is not None
    return [
        p
        for p, public, signature, at, length in jobs
        if not verify(public, signature, ring[at : at + length])
    ]


class Checks:
    """Signature checks handed over chunk by chunk while the log is still being read.

    Use as a context manager (the pool is terminated on the way out, also on an
    error); :meth:`failing` waits for every check and returns the failures.
    """

    def __init__(self, workers: int | None = None) -> None:
        workers = workers or os.cpu_count() or 1
        self._workers = workers
        self._parallel = workers > 1 and "fork" in multiprocessing.get_all_start_methods()
        self._pending: list[Job] = []  # before the pool starts
        self._pool: Pool | None = None
        self._ring: mmap.mmap | None = None
        # Positions in the ring count bytes written since the start (offset = position %
        # RING_BYTES); a chunk occupies [start, end) of them until its result is in.
        self._written = 0
        self._chunk: list[RingJob] = []
        self._chunk_start = 0
        self._inflight: deque[tuple[int, AsyncResult[list[int]]]] = deque()
        self._bad: list[int] = []
        self.count = 0

    def add(self, position: int, public: bytes, signature: bytes, message: bytes) -> None:
        """Queue the check that ``signature`` by ``public`` is over ``message``."""
        self.count += 1
        if self._pool is None:
            self._pending.append((position, public, signature, message))
            if self._parallel and len(self._pending) >= MIN_PARALLEL:
                self._start()
            return
        if len(message) > MAX_RING_MESSAGE:  # only in a malformed log: check it here
            self._bad += _check([(position, public, signature, message)])
            return
        self._chunk.append((position, public, signature, self._put(message), len(message)))
        if len(self._chunk) >= CHUNK or self._written - self._chunk_start >= CHUNK_BYTES:
            self._submit()

    def _start(self) -> None:
        self._ring = mmap.mmap(-1, RING_BYTES)  # anonymous and shared: the workers see writes
        ctx = multiprocessing.get_context("fork")
        self._pool = ctx.Pool(self._workers, initializer=_attach, initargs=(self._ring,))
        pending, self._pending = self._pending, []
        self.count -= len(pending)
        for job in pending:
            self.add(*job)

    def _put(self, message: bytes) -> int:
        """Copy ``message`` into the ring; return its offset there."""
        assert self._ring is not None
        size = len(message)
        start = self._written
        if start % RING_BYTES + size > RING_BYTES:  # never split a message: skip to the start
            start += RING_BYTES - start % RING_BYTES
        # the bytes about to be overwritten belong to chunks started before this point
        while self._inflight and self._inflight[0][0] < start + size - RING_BYTES:
            self._collect()
        offset = start % RING_BYTES
        self._ring[offset : offset + size] = message
        self._written = start + size
        return offset

    def _submit(self) -> None:
        assert self._pool is not None
        if self._chunk:
            result = self._pool.apply_async(_check_ring, (self._chunk,))
            self._inflight.append((self._chunk_start, result))
        self._chunk = []
        self._chunk_start = self._written

    def _collect(self) -> None:
        _, result = self._inflight.popleft()
        self._bad += result.get()

    def failing(self) -> list[int]:
        """Wait for every check; the positions whose signature does not verify, in order."""
        if self._pool is None:
            self._bad += _check(self._pending)
            self._pending = []
        else:
            self._submit()
            while self._inflight:
                self._collect()
        self.close()
        return sorted(self._bad)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None
        if self._ring is not None:
            self._ring.close()
            self._ring = None

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
