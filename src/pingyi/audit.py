"""Verify a whole store with the offline verifier: read its bytes, then check them with no trust."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ledger.entry import Entry
from ledger.errors import LedgerError
from ledger.state import Policy
from ledger.store import redact
from ledger.store.app import Store
from verifier.log import Progress, verify_log
from verifier.report import Report


def verify_store(
    url: str | None = None,
    *,
    workers: int | None = None,
    progress: Progress | None = None,
    policies: Callable[[], Sequence[Policy]] = tuple,
) -> Report:
    """Verify every log in the store; ``policies`` makes fresh domain policies per log."""
    store = Store(url)
    report = Report(subject=redact(store.url))
    try:
        recorder = store.log_recorder
        log_ids = recorder.log_ids()
        if not log_ids:
            report.fail("?", None, "store", "the store holds no log (no genesis entry)")
        for log_id in log_ids:
            first = recorder.read_entries(log_id, -1, 1)
            try:
                origin: str | None = str(Entry.from_bytes(first[0]).statement["log"])
            except (LedgerError, IndexError):
                origin = None
            notes = [c.note for c in recorder.checkpoints(log_id)]
            verify_log(
                recorder.iter_entries(log_id),
                notes,
                report=report,
                origin=origin,
                workers=workers,
                progress=progress,
                policies=policies(),
            )
            report.count("logs")
    finally:
        store.close()
    return report
