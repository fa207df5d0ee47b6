"""Ed25519 checks spread over processes: signature checks dominate verification.

Jobs are handed to forked workers through a module global (inherited
copy-on-write at fork), so no entry bytes are pickled; only index ranges and
the indices of failures cross process boundaries.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Sequence

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

# (public key, signature, message) per job; set before forking workers.
_JOBS: Sequence[tuple[bytes, bytes, bytes]] = ()
MIN_PARALLEL = 2000


def _check_range(bounds: tuple[int, int]) -> list[int]:
    bad: list[int] = []
    keys: dict[bytes, Ed25519PublicKey] = {}
    for i in range(*bounds):
        public, signature, message = _JOBS[i]
        key = keys.get(public)
        if key is None:
            key = keys[public] = Ed25519PublicKey.from_public_bytes(public)
        try:
            key.verify(signature, message)
        except InvalidSignature:
            bad.append(i)
    return bad


def failing(jobs: Sequence[tuple[bytes, bytes, bytes]], workers: int | None = None) -> list[int]:
    """Positions in ``jobs`` whose signature does not verify, in order."""
    global _JOBS  # noqa: PLW0603
    workers = workers or os.cpu_count() or 1
    _JOBS = jobs
    try:
        if (
            workers <= 1
            or len(jobs) < MIN_PARALLEL
            or "fork" not in multiprocessing.get_all_start_methods()
        ):
            return _check_range((0, len(jobs)))
        step = max(1, len(jobs) // (workers * 4))
        ranges = [(start, min(start + step, len(jobs))) for start in range(0, len(jobs), step)]
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            return sorted(i for part in pool.map(_check_range, ranges) for i in part)
    finally:
        _JOBS = ()
