"""ScoringView: follow a store's log, keep campaign entries, replay rankings from them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.persistence import (
    InfrastructureFactory,
    IntegrityError,
    Notification,
    Tracking,
)
from eventsourcing.utils import Environment

from ledger.entry import Entry
from ledger.store import eventsourcing_env, store_url
from ledger.store.sequencer import ENTRY_TOPIC
from projections.entries import campaign_of
from projections.replay import CampaignFold, Replay
from projections.view.base import ViewEntry, ViewRecorder, payload_text

#: The upstream application whose notification log the view tracks (``ledger.store.app.Store``).
UPSTREAM = "Ledger"
PAGE = 1000


class NotificationSource(Protocol):
    """The part of an eventsourcing application recorder the view reads."""

    def select_notifications(
        self, start: int | None, limit: int, stop: int | None = None, topics: Sequence[str] = ()
    ) -> Sequence[Notification]: ...


class ScoringView:
    """The persisted read model of one store (SQLite or PostgreSQL, same interface).

    ``catch_up(source)`` reads notifications after the tracked position in pages
    and writes, per page, the campaign entries, each log's size and the new
    tracking position in one transaction. ``replay(log_id, campaign, as_of)``
    rebuilds a campaign from the view's rows alone.
    """

    def __init__(self, url: str | None = None) -> None:
        self.url = store_url(url)
        env = eventsourcing_env(self.url)
        env.pop("APPLICATION_RECORDER_TOPIC", None)
        self.factory: Any = InfrastructureFactory.construct(
            Environment(name="ScoringView", env=env)
        )
        if env["PERSISTENCE_MODULE"].endswith("sqlite"):
            from projections.view.sqlite import SQLiteViewRecorder

            self.recorder: ViewRecorder = self.factory.tracking_recorder(SQLiteViewRecorder)
        else:
            from projections.view.postgres import PostgresViewRecorder

            self.recorder = self.factory.tracking_recorder(PostgresViewRecorder)
        self._position: int | None = None

    def close(self) -> None:
        self.factory.close()

    def __enter__(self) -> ScoringView:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- following the log ----------------------------------------------------------------

    @property
    def position(self) -> int:
        """The last notification id processed (0 before the first)."""
        if self._position is None:
            self._position = self.recorder.max_tracking_id(UPSTREAM) or 0
        return self._position

    def catch_up(self, source: NotificationSource, *, page: int = PAGE) -> int:
        """Process every notification after the tracked position; return how many."""
        done = 0
        while True:
            notes = source.select_notifications(self.position + 1, page)
            if not notes:
                return done
            self.process(notes)
            done += len(notes)
            if len(notes) < page:
                return done

    def process(self, notes: Sequence[Notification]) -> None:
        """Write one batch of notifications (in order, after the tracked position)."""
        rows: list[ViewEntry] = []
        sizes: dict[str, int] = {}
        for note in notes:
            if note.topic != ENTRY_TOPIC:
                continue
            entry = Entry.from_bytes(note.state)
            log_id = UUID(str(note.originator_id)).hex
            sizes[log_id] = entry.index + 1
            campaign = campaign_of(entry.type, entry.payload)
            if campaign is not None:
                rows.append(
                    ViewEntry(
                        log_id,
                        campaign,
                        entry.index,
                        entry.id,
                        entry.type,
                        payload_text(entry.payload),
                    )
                )
        last = notes[-1].id
        try:
            self.recorder.write(rows, sizes, Tracking(UPSTREAM, last))
        except IntegrityError:
            self._position = None  # another process wrote this batch first: resynchronise
            raise
        self._position = last

    def rebuild(self, source: NotificationSource, *, page: int = PAGE) -> int:
        """Forget everything and project the whole log again."""
        self.recorder.clear(UPSTREAM)
        self._position = None
        return self.catch_up(source, page=page)

    # -- reading ---------------------------------------------------------------------------

    def log_size(self, log_id: UUID) -> int:
        """How many entries of the log the view has processed."""
        return self.recorder.log_size(log_id.hex)

    def campaigns(self, log_id: UUID) -> list[str]:
        return self.recorder.campaigns(log_id.hex)

    def replay(self, log_id: UUID, campaign: str, as_of: int | None = None) -> Replay:
        """The campaign as of log position ``as_of`` (default: all the view has seen)."""
        last = self.log_size(log_id) - 1
        position = last if as_of is None else min(as_of, last)
        fold = CampaignFold(campaign)
        for row in self.recorder.select(log_id.hex, campaign, position):
            fold.apply(row.decoded())
        fold.position = position
        return fold.snapshot()
