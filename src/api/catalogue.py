"""Campaigns and publications of the log, followed incrementally for the read endpoints.

The catalogue reads entries it has not seen yet from the store and applies
them to one :class:`projections.replay.CampaignFold` per campaign (the same
pure fold ``pingyi replay`` uses), so the ranking at the head costs one pass
over new entries plus scoring. A ranking *as of* an earlier position is
replayed from the log itself (:func:`projections.replay.replay`). Results are
cached by (campaign, position): a log position never changes meaning.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from api.problems import Problem
from ledger.entry import Entry
from ledger.store.app import Ledger
from projections.entries import campaign_of
from projections.errors import ReplayError
from projections.replay import CampaignFold, Replay, replay

PUBLISH = "ranking.publish"
CACHED = 16


@dataclass(frozen=True)
class Publication:
    index: int
    id: str
    hash: str
    signer: str
    time: str
    campaign: str | None
    payload: dict[str, Any]


@dataclass
class _Campaign:
    fold: CampaignFold
    title: str | None = None
    broken: str | None = None  # why the fold stopped (a log appended without the policy)


class Catalogue:
    """Thread-safe; every method first catches up with the store."""

    def __init__(self, ledger: Ledger) -> None:
        self.recorder = ledger.recorder
        self.log_id = ledger.log_id
        self.position = -1
        self.campaigns: dict[str, _Campaign] = {}
        self.publications: list[Publication] = []
        self.by_id: dict[str, Publication] = {}
        self._lock = threading.Lock()
        self._cache: OrderedDict[tuple[str, int], Replay] = OrderedDict()

    @property
    def size(self) -> int:
        return self.position + 1

    def catch_up(self) -> None:
        with self._lock:
            for raw in self.recorder.iter_entries(self.log_id, self.position):
                self._apply(Entry.from_bytes(raw))

    def _apply(self, entry: Entry) -> None:
        if entry.index != self.position + 1:
            raise ReplayError(f"the store skipped from entry {self.position} to {entry.index}")
        self.position = entry.index
        name = campaign_of(entry.type, entry.payload)
        if entry.type == PUBLISH:
            publication = Publication(
                entry.index,
                entry.id,
                entry.hash,
                entry.signer,
                str(entry.statement["time"]),
                name,
                entry.payload,
            )
            self.publications.append(publication)
            self.by_id[entry.id] = publication
        if name is None:
            return
        campaign = self.campaigns.get(name)
        if campaign is None:
            campaign = self.campaigns[name] = _Campaign(CampaignFold(name))
        if entry.type == "campaign.open" and campaign.title is None:
            campaign.title = str(entry.payload.get("title"))
        if campaign.broken is None:
            try:
                campaign.fold.apply(entry)
            except ReplayError as err:
                campaign.broken = str(err)

    # -- queries ------------------------------------------------------------------------------

    def listing(self) -> tuple[int, list[tuple[str, _Campaign]]]:
        self.catch_up()
        with self._lock:
            return self.size, sorted(self.campaigns.items())

    def replay(self, campaign: str, as_of: int | None) -> Replay:
        """The campaign as of ``as_of`` (default: the head); 404 problems for what is not there."""
        self.catch_up()
        with self._lock:
            head = self.position
            state = self.campaigns.get(campaign)
            if state is None:
                known = ", ".join(sorted(self.campaigns)) or "none"
                raise Problem(
                    404,
                    "no-campaign",
                    f"the log has no campaign {campaign!r} (campaigns: {known}); see /v1/campaigns",
                )
            if as_of is not None and as_of > head:
                raise Problem(
                    404,
                    "out-of-range",
                    f"as_of {as_of}: the log has {head + 1} entries (positions 0 to {head})",
                )
            position = head if as_of is None else as_of
            cached = self._cache.get((campaign, position))
            if cached is not None:
                self._cache.move_to_end((campaign, position))
                return cached
            if position == head:
                if state.broken is not None:
                    raise ReplayError(state.broken)
                state.fold.position = head
                result = self._snapshot(state.fold, campaign, position)
                self._remember(campaign, position, result)
                return result
        entries = (Entry.from_bytes(raw) for raw in self.recorder.iter_entries(self.log_id))
        try:
            result = replay(entries, campaign, position)
        except ReplayError as err:
            if "no rulebook" in str(err):
                raise Problem(404, "no-rulebook", str(err)) from None
            raise
        with self._lock:
            self._remember(campaign, position, result)
        return result

    @staticmethod
    def _snapshot(fold: CampaignFold, campaign: str, position: int) -> Replay:
        if fold.rulebook is None:
            raise Problem(
                404,
                "no-rulebook",
                f"campaign {campaign!r} has no rulebook adopted as of log position {position}",
            )
        return fold.snapshot()

    def _remember(self, campaign: str, position: int, result: Replay) -> None:
        self._cache[(campaign, position)] = result
        while len(self._cache) > CACHED:
            self._cache.popitem(last=False)

    def publication_list(self, campaign: str | None) -> tuple[int, list[Publication]]:
        self.catch_up()
        with self._lock:
            found = [p for p in self.publications if campaign is None or p.campaign == campaign]
            return self.size, found

    def publication(self, entry_id: str) -> Publication | None:
        self.catch_up()
        with self._lock:
            return self.by_id.get(entry_id)
