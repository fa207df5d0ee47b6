"""Replay: a campaign's rulebook and facts as of any log position, from its entries.

Pure: :func:`replay` reads entries (a ``ledger.entry.Entry`` or anything with
``index``, ``id``, ``type`` and ``payload``, such as a read-model row) in log
order, keeps those of one campaign at positions ``<= as_of``, and returns the
rulebook version in force at that position (the latest ``rulebook.adopt`` or
``rulebook.revise``), its content hash and the facts. Scoring and explanations
then come from the pure core, and name the rulebook hash and the position.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from projections.entries import RULEBOOK_TYPES, EntryLike, FactReader, campaign_of
from projections.errors import FactError, ReplayError, RulebookError
from projections.explain import Explanation, explain_from
from projections.facts import Fact
from projections.result import CampaignResult
from projections.rulebook import Rulebook, rulebook_from_data, rulebook_hash
from projections.scoring import Worksheet, work


@dataclass(frozen=True)
class RulebookVersion:
    """One adopted or revised rulebook version and the entry that made it."""

    index: int
    entry: str
    type: str
    hash: str
    reason: str


@dataclass(frozen=True)
class Replay:
    """A campaign as of log position ``position``: rulebook, its hash, facts, history."""

    campaign: str
    rulebook: Rulebook
    hash: str
    facts: tuple[Fact, ...]
    position: int
    versions: tuple[RulebookVersion, ...]
    opened: int | None = None
    closed: int | None = None
    _sheet: list[Worksheet] = field(default_factory=list, repr=False, compare=False)

    def worksheet(self) -> Worksheet:
        """The scoring worksheet (computed once)."""
        if not self._sheet:
            self._sheet.append(work(self.rulebook, self.facts))
        return self._sheet[0]

    def result(self) -> CampaignResult:
        """The ranking under the rulebook in force at ``position``."""
        return self.worksheet().result

    def explain(self, unit: str) -> Explanation:
        """Every entry that moved ``unit``'s score, and by how much."""
        if self.rulebook.unit(unit) is None:
            known = ", ".join(u.code for u in self.rulebook.units[:10])
            raise ReplayError(
                f"campaign {self.campaign!r} has no unit {unit!r} (units: {known}, ...)"
            )
        return explain_from(self.worksheet(), unit)


class CampaignFold:
    """The state of one campaign as its entries are applied in log order (pure)."""

    def __init__(self, campaign: str) -> None:
        self.campaign = campaign
        self.rulebook: Rulebook | None = None
        self.hash: str | None = None
        self.versions: list[RulebookVersion] = []
        self.facts: list[Fact] = []
        self.reader = FactReader()
        self.opened: int | None = None
        self.closed: int | None = None
        self.position = -1

    def apply(self, entry: EntryLike) -> None:
        """Apply one entry of the campaign (entries of other campaigns are ignored)."""
        index, type_ = entry.index, entry.type  # properties of an Entry: read once
        self.position = max(self.position, index)
        if campaign_of(type_, entry.payload) != self.campaign:
            return
        if type_ in RULEBOOK_TYPES:
            self._adopt(entry)
        elif type_ == "campaign.open":
            self.opened = index
        elif type_ == "campaign.close":
            self.closed = index
        else:
            try:
                self.facts.extend(self.reader.facts(entry))
            except (FactError, KeyError, ValueError, TypeError) as err:
                raise ReplayError(
                    f"entry {entry.index} ({entry.type}, {entry.id}) cannot be read as a fact: {err}"
                ) from None

    def _adopt(self, entry: EntryLike) -> None:
        payload: dict[str, Any] = entry.payload
        try:
            rulebook = rulebook_from_data(payload["rulebook"])
        except RulebookError as err:
            raise ReplayError(f"entry {entry.index} ({entry.type}): {err}") from None
        digest = rulebook_hash(rulebook)
        if digest != payload.get("hash"):
            raise ReplayError(
                f"entry {entry.index} ({entry.type}): the rulebook hashes to {digest}, "
                f"the entry says {payload.get('hash')}"
            )
        self.rulebook, self.hash = rulebook, digest
        self.versions.append(
            RulebookVersion(entry.index, entry.id, entry.type, digest, str(payload.get("reason")))
        )

    def snapshot(self) -> Replay:
        """The campaign as of the last entry applied."""
        if self.rulebook is None or self.hash is None:
            where = f"as of log position {self.position}" if self.position >= 0 else "in the log"
            raise ReplayError(f"campaign {self.campaign!r} has no rulebook adopted {where}")
        return Replay(
            self.campaign,
            self.rulebook,
            self.hash,
            tuple(self.facts),
            self.position,
            tuple(self.versions),
            self.opened,
            self.closed,
        )


def replay(entries: Iterable[EntryLike], campaign: str, as_of: int | None = None) -> Replay:
    """The campaign's rulebook, hash and facts from entries with ``index <= as_of``.

    ``entries`` must be in log order; reading stops at the first entry past ``as_of``.
    """
    if as_of is not None and as_of < 0:
        raise ReplayError(f"as_of must be a log position (>= 0), got {as_of}")
    fold = CampaignFold(campaign)
    for entry in entries:
        if as_of is not None and entry.index > as_of:
            break
        fold.apply(entry)
    return fold.snapshot()


__all__ = ["CampaignFold", "Replay", "RulebookVersion", "replay"]
