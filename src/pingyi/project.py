"""`pingyi project`: the projection worker that keeps the persisted read model up to date.

It follows the store's notification log with :class:`projections.view.ScoringView`
(the read model `pingyi replay --read-model` reads). ``ScoringView.catch_up``
writes each page of entries, each log's size and the tracking position in one
transaction, so a worker stopped at any moment (SIGTERM, a crash, a lost
connection) resumes exactly after the last page it committed, with nothing lost
and nothing applied twice.

Run one worker per store. A second one is safe but useless: whichever commits a
page second gets an integrity error, re-reads the tracked position and goes on.
In production the worker connects as the role of ``deploy/sql/projector_role.sql``
(reads the log, writes only the read model) with ``?create=no`` in its store URL.
"""

from __future__ import annotations

import signal
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from types import FrameType
from typing import Annotated, TextIO

import typer
from eventsourcing.persistence import (
    IntegrityError,
    InterfaceError,
    Notification,
    OperationalError,
    PersistenceError,
)
from rich.markup import escape

from ledger.errors import LedgerError
from ledger.store import STORE_ENV, redact, store_url
from ledger.store.app import Store
from pingyi import render
from projections.errors import ProjectionError
from projections.view import ScoringView
from projections.view.view import PAGE, NotificationSource

StoreOpt = Annotated[
    str | None,
    typer.Option(
        "--store",
        envvar=STORE_ENV,
        help="Store URL: sqlite:///file.db or postgresql://user@host/db",
    ),
]

#: Consecutive integrity errors (another worker committing the same pages) tolerated.
MAX_CONFLICTS = 5
#: How often a sleeping worker looks at its stop flag (seconds).
TICK = 0.1


class Stop:
    """A flag set by SIGTERM or SIGINT; the worker stops at the next page boundary.

    The handler only sets a boolean (no locks), so it is safe whatever the
    worker is doing when the signal arrives.
    """

    def __init__(self) -> None:
        self.reason: str | None = None

    @property
    def requested(self) -> bool:
        return self.reason is not None

    def set(self, reason: str) -> None:
        self.reason = reason

    def sleep(self, seconds: float) -> None:
        """Sleep up to ``seconds``, returning early once stopped."""
        deadline = time.monotonic() + seconds
        while not self.requested and (left := deadline - time.monotonic()) > 0:
            time.sleep(min(TICK, left))

    @contextmanager
    def on_signals(self) -> Iterator[Stop]:
        """Set the flag on SIGTERM and SIGINT while inside; restore the old handlers after."""

        def handler(signum: int, _frame: FrameType | None) -> None:
            self.set(signal.Signals(signum).name)

        previous = {}
        for sig in (signal.SIGTERM, signal.SIGINT):
            try:
                previous[sig] = signal.signal(sig, handler)
            except ValueError:  # not the main thread: the caller stops us with .set()
                break
        try:
            yield self
        finally:
            for sig, old in previous.items():
                signal.signal(sig, old)


class _Pages:
    """The store's notification source as the worker hands it to ``catch_up``.

    It hands out no more pages once the worker is asked to stop (so ``catch_up``
    returns at a page boundary, after a committed page), and reports progress:
    ``catch_up`` asks for the next page only after committing the previous one,
    so ``start - 1`` is always a committed position.
    """

    def __init__(
        self, source: NotificationSource, stop: Stop, report: Callable[[int], None]
    ) -> None:
        self.source = source
        self.stop = stop
        self.report = report

    def select_notifications(
        self, start: int | None, limit: int, stop: int | None = None, topics: Sequence[str] = ()
    ) -> Sequence[Notification]:
        if start is not None:
            self.report(start - 1)
        if self.stop.requested:
            return []
        return self.source.select_notifications(start, limit, stop=stop, topics=topics)


class Projector:
    """Follow one store's log into its read model; print one line per committed page."""

    def __init__(self, url: str, *, page: int = PAGE, out: TextIO | None = None) -> None:
        self.url = url
        self.page = page
        self.out = out or sys.stdout
        self.total = 0  # notifications this worker projected (committed pages only)
        self.store = Store(url)
        try:
            self.view = ScoringView(url)
            try:
                self.reported = self.view.position
            except BaseException:
                self.view.close()
                raise
        except BaseException:
            self.store.close()
            raise

    def close(self) -> None:
        self.view.close()
        self.store.close()

    def say(self, message: str) -> None:
        print(message, file=self.out, flush=True)

    def _report(self, position: int) -> None:
        """``position`` is committed: count and print what this worker added up to it."""
        if position > self.reported:
            self.say(f"投影 projected to position {position} (+{position - self.reported})")
            self.total += position - self.reported
            self.reported = position

    def catch_up(self, stop: Stop) -> None:
        """Project every notification after the tracked position (until ``stop``)."""
        conflicts = 0
        while True:
            try:
                self.view.catch_up(_Pages(self.store.recorder, stop, self._report), page=self.page)
            except IntegrityError as exc:
                conflicts += 1
                if conflicts > MAX_CONFLICTS:
                    raise
                self.say(f"another worker committed these entries first; resynchronising ({exc})")
                self.reported = self.view.position  # theirs: not counted as ours
                continue
            self._report(self.view.position)
            return


def run(
    url: str,
    *,
    once: bool,
    interval: float = 2.0,
    page: int = PAGE,
    stop: Stop | None = None,
    out: TextIO | None = None,
) -> int:
    """Run the worker; return how many notifications it projected.

    With ``once`` it catches up and returns. Otherwise it polls every
    ``interval`` seconds until ``stop`` is set (by SIGTERM or SIGINT when called
    from the command), riding out lost connections (it retries after
    ``interval``); any other error propagates.
    """
    if stop is None:
        stop = Stop()
    worker = Projector(url, page=page, out=out)
    try:
        where = f"from position {worker.reported}"
        if once:
            worker.say(f"投影 projecting {redact(url)} {where}")
            worker.catch_up(stop)
            state = "stopped" if stop.requested else "caught up"
            worker.say(
                f"{state}: {worker.total} notifications projected, position {worker.reported}"
            )
            return worker.total
        worker.say(f"投影 projecting {redact(url)} {where}, polling every {interval:g}s")
        while not stop.requested:
            try:
                worker.catch_up(stop)
            except (OperationalError, InterfaceError) as exc:
                worker.say(f"database unavailable, retrying in {interval:g}s: {exc}")
            stop.sleep(interval)
        worker.say(
            f"stopped ({stop.reason}): {worker.total} notifications projected, "
            f"position {worker.reported}"
        )
        return worker.total
    finally:
        worker.close()


def project_command(
    store: StoreOpt = None,
    once: Annotated[
        bool, typer.Option("--once", help="Catch up with the log and exit (default: keep polling)")
    ] = False,
    interval: Annotated[
        float,
        typer.Option("--interval", min=0.05, metavar="SECONDS", help="Seconds between polls"),
    ] = 2.0,
    page: Annotated[
        int, typer.Option("--page", min=1, help="Notifications per transaction")
    ] = PAGE,
) -> None:
    """Keep the read model up to date with the log (the projection worker).

    Each page of entries is committed with its tracking position, so stopping
    (SIGTERM, Ctrl-C) or crashing loses nothing; the next start resumes after
    the last committed page. Run one per store.
    """
    url = store_url(store)
    with Stop().on_signals() as stop:
        try:
            run(url, once=once, interval=interval, page=page, stop=stop)
        except (PersistenceError, LedgerError, ProjectionError) as exc:
            render.errors.print(f"[bold red]error:[/] {escape(f'{type(exc).__name__}: {exc}')}")
            raise typer.Exit(2) from None
