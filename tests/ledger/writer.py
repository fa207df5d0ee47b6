"""A writer process for the concurrency and crash tests.

    python -m tests.ledger.writer URL ACKS COUNT BATCH TAG

Appends COUNT findings signed by the labelled TEST supervisor key, BATCH per
append, and after each append returns writes "index hash id" per entry to ACKS
(flushed and fsynced): those are the acknowledged entries that must survive.
Transient database errors (a restarting server) are retried with the same
submissions, which is safe because appends are idempotent.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time

from tests.support import World, fixed_clock

from ledger.errors import LedgerError
from ledger.store.app import Ledger


def main() -> None:
    url, acks, count, batch, tag = (
        sys.argv[1],
        sys.argv[2],
        int(sys.argv[3]),
        int(sys.argv[4]),
        sys.argv[5],
    )
    world = World.__new__(World)
    World.__init__(world, url, None)  # type: ignore[arg-type]
    ledger = None
    with open(acks, "a") as out:
        for start in range(0, count, batch):
            subs = [
                world.finding(hash((tag, n)) % 100_000)
                for n in range(start, min(start + batch, count))
            ]
            for attempt in range(200):
                try:
                    if ledger is None:
                        ledger = Ledger.open(url, clock=fixed_clock)
                    receipts = ledger.append(subs)
                    break
                except LedgerError:
                    raise
                except Exception as exc:  # connection lost: retry the same submissions
                    print(f"retry {attempt}: {type(exc).__name__}", file=sys.stderr)
                    if ledger is not None:
                        with contextlib.suppress(Exception):
                            ledger.close()
                    ledger = None
                    time.sleep(0.1)
            else:
                raise SystemExit("gave up")
            for sub, receipt in zip(subs, receipts, strict=True):
                out.write(f"{receipt.index} {receipt.entry_hash} {sub.id}\n")
            out.flush()
            os.fsync(out.fileno())


if __name__ == "__main__":
    main()
