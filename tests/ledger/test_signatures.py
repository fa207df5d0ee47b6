"""Parallel signature checks find exactly the bad signatures, in order."""

from __future__ import annotations

from tests.support import labelled_key

from verifier import signatures


def test_parallel_and_serial_checks_agree() -> None:
    keys = [labelled_key(f"signer {n}") for n in range(3)]
    jobs = []
    for n in range(signatures.MIN_PARALLEL + 500):
        key = keys[n % 3]
        message = f"message {n}".encode()
        jobs.append((key.public_bytes, key.sign_raw(message), message))
    bad = [7, 1999, signatures.MIN_PARALLEL + 499]
    for i in bad:
        public, sig, message = jobs[i]
        jobs[i] = (public, sig, message + b"!")
    assert signatures.failing(jobs, workers=2) == bad
    assert signatures.failing(jobs, workers=1) == bad
