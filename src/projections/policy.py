"""The campaign policy: domain rules the log enforces on append and every verifier re-checks.

:class:`CampaignPolicy` is a ``ledger.state.Policy``: pure (no I/O, no clock),
replayed from the log like the key registry. Its rules:

1. a campaign adopts a rulebook (``rulebook.adopt``) before it opens; the
   rulebook must validate and its ``hash`` must be the content hash;
2. from ``campaign.open`` the rulebook is frozen: a change is a
   ``rulebook.revise`` entry, with its reason, that makes a new version
   (not after ``campaign.close``; a revision must change something);
3. a fact (ballot, response, finding, tier, ...) is recorded only while its
   campaign is open, and must name a unit, component, level, ... its rulebook
   knows (:func:`projections.check_fact`; a ballot breaking a forced
   distribution is recorded and excluded from the score by scoring, not here);
4. ``finding.withdraw`` targets a finding of the same campaign; ``appeal.file``
   and ``appeal.rule`` target an entry of the same campaign that holds a fact.

Refusals are :class:`ledger.errors.PayloadError` naming the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Protocol

from ledger.errors import PayloadError
from projections.checks import check_fact
from projections.conduct import Conduct
from projections.entries import (
    FACT_TYPES,
    RULEBOOK_TYPES,
    TARGET_FIELDS,
    campaign_of,
    facts_of,
)
from projections.errors import FactError, RulebookError
from projections.publication import PublicationPolicy
from projections.rulebook import Rulebook, rulebook_from_data, rulebook_hash

#: Entry types an appeal may target: those holding a scoring fact.
APPEALABLE = (FACT_TYPES - {"finding.withdraw", "appeal.rule"}) | {"ballot.batch"}
#: What ``finding.withdraw`` and ``finding.amend`` may target.
FINDINGS = frozenset({"finding.record", "finding.amend"})
#: Entry types allowed after a campaign closes (disputes are settled after the count).
AFTER_CLOSE = frozenset(TARGET_FIELDS) | {"ranking.publish"}


class _Item(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def type(self) -> str: ...

    @property
    def payload(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class _Campaign:
    rulebook: Rulebook | None = None
    hash: str | None = None
    opened: int | None = None
    closed: int | None = None


_NO_CAMPAIGN = _Campaign()  # the state of a campaign no entry named yet (frozen: shared)


class CampaignPolicy:
    """Enforces the campaign rules above. ``copy()`` is cheap (O(campaigns)).

    The entry index (id -> position, campaign, type) is shared between copies and
    only grows; a lookup counts only if the position is below this copy's size and
    still holds that id, so an undone batch leaves nothing visible.
    """

    def __init__(self) -> None:
        self.size = 0
        self._campaigns: dict[str, _Campaign] = {}
        self._where: dict[str, tuple[int, str, str]] = {}
        self._at: dict[int, str] = {}
        self._parsed: dict[str, Rulebook] = {}
        self.conduct = Conduct()

    # -- Policy protocol ----------------------------------------------------------------

    def copy(self) -> CampaignPolicy:
        twin = CampaignPolicy.__new__(CampaignPolicy)
        twin.size = self.size
        twin._campaigns = dict(self._campaigns)
        twin._where, twin._at, twin._parsed = self._where, self._at, self._parsed
        twin.conduct = self.conduct.copy()
        return twin

    def check(self, submission: _Item, index: int) -> None:
        """Raise PayloadError if ``submission`` may not become entry ``index``."""
        type_, payload = submission.type, submission.payload
        name = campaign_of(type_, payload)
        if name is None:
            return
        state = self._campaigns.get(name, _NO_CAMPAIGN)
        if type_ in RULEBOOK_TYPES:
            self._check_rulebook(name, state, type_, payload)
            return
        if type_ == "campaign.open":
            if state.rulebook is None:
                raise PayloadError(
                    f"statement.payload.campaign: campaign {name!r} has no rulebook; "
                    "adopt one (rulebook.adopt) before opening it"
                )
            if state.opened is not None:
                raise PayloadError(
                    f"statement.payload.campaign: campaign {name!r} was already opened "
                    f"at entry {state.opened}"
                )
            return
        if state.rulebook is None or state.opened is None:
            raise PayloadError(
                f"statement.payload.campaign: campaign {name!r} is not open"
                + ("" if state.rulebook else " and has no rulebook")
                + f"; {type_} entries are recorded only in an open campaign"
            )
        if state.closed is not None and (type_ == "campaign.close" or type_ not in AFTER_CLOSE):
            raise PayloadError(
                f"statement.payload.campaign: campaign {name!r} was closed at entry "
                f"{state.closed}; only withdrawals, amendments, appeals and publications "
                "are recorded after that"
            )
        if type_ in TARGET_FIELDS:
            self._check_target(name, type_, payload)
        units = state.rulebook.unit_codes
        self.conduct.check(name, type_, payload, units)
        if type_ == "ballot.batch":
            component = self.conduct.window_component(name, payload["window"])
            payload = {**payload, "component": component}
        try:
            for fact in facts_of(submission.id, index, type_, payload):
                check_fact(state.rulebook, fact)
        except FactError as err:
            raise PayloadError(f"statement.payload: {err.detail}") from None

    def apply(self, entry: Any) -> None:
        """Record an accepted entry (already checked, or replayed from a verified log)."""
        index: int = entry.index
        self.size = index + 1
        self._at[index] = entry.id
        self.conduct.seen(entry)
        name = campaign_of(entry.type, entry.payload)
        if name is None:
            return
        self._where[entry.id] = (index, name, entry.type)
        self.conduct.apply(name, entry)
        state = self._campaigns.get(name, _NO_CAMPAIGN)
        if entry.type in RULEBOOK_TYPES:
            try:
                rulebook = self._rulebook(entry.payload["rulebook"])
            except RulebookError:
                return  # only reachable on a log appended without this policy
            state = replace(state, rulebook=rulebook, hash=rulebook_hash(rulebook))
        elif entry.type == "campaign.open" and state.opened is None:
            state = replace(state, opened=index)
        elif entry.type == "campaign.close" and state.closed is None:
            state = replace(state, closed=index)
        else:
            return
        self._campaigns[name] = state

    # -- helpers ---------------------------------------------------------------------------

    def rulebook(self, campaign: str) -> tuple[Rulebook, str] | None:
        """The campaign's rulebook in force and its hash, if one was adopted."""
        state = self._campaigns.get(campaign)
        if state is None or state.rulebook is None or state.hash is None:
            return None
        return state.rulebook, state.hash

    def _rulebook(self, document: Any) -> Rulebook:
        rulebook = rulebook_from_data(document)
        digest = rulebook_hash(rulebook)
        return self._parsed.setdefault(digest, rulebook)

    def _check_rulebook(
        self, name: str, state: _Campaign, type_: str, payload: Mapping[str, Any]
    ) -> None:
        if type_ == "rulebook.adopt" and state.opened is not None:
            raise PayloadError(
                f"statement.type: the rulebook of campaign {name!r} is frozen since it opened "
                f"at entry {state.opened}; change it with rulebook.revise and a reason"
            )
        if type_ == "rulebook.revise":
            if state.rulebook is None:
                raise PayloadError(
                    f"statement.type: campaign {name!r} has no rulebook to revise; "
                    "adopt one with rulebook.adopt"
                )
            if state.closed is not None:
                raise PayloadError(
                    f"statement.payload.campaign: campaign {name!r} was closed at entry "
                    f"{state.closed}; its rulebook can no longer change"
                )
        try:
            rulebook = self._rulebook(payload["rulebook"])
        except RulebookError as err:
            raise PayloadError(f"statement.payload.rulebook: {err}") from None
        digest = rulebook_hash(rulebook)
        if payload["hash"] != digest:
            raise PayloadError(
                f"statement.payload.hash: the rulebook hashes to {digest}, "
                f"not {payload['hash']}; sign the hash of the document you adopt"
            )
        if type_ == "rulebook.revise" and digest == state.hash:
            raise PayloadError(
                f"statement.payload.rulebook: the revision is identical to the rulebook in "
                f"force ({digest}); a revision must change something"
            )

    def _check_target(self, name: str, type_: str, payload: Mapping[str, Any]) -> None:
        field = TARGET_FIELDS[type_]
        target = str(payload[field])
        found = self._where.get(target)
        if found is not None and (found[0] >= self.size or self._at.get(found[0]) != target):
            found = None
        if found is None:
            raise PayloadError(f"statement.payload.{field}: no entry {target} in this log")
        index, campaign, target_type = found
        if campaign != name:
            raise PayloadError(
                f"statement.payload.{field}: entry {target} (#{index}) belongs to campaign "
                f"{campaign!r}, not {name!r}"
            )
        finding = type_.startswith("finding.")
        wanted = FINDINGS if finding else APPEALABLE
        if target_type not in wanted:
            what = "a finding" if finding else "an entry holding a fact"
            raise PayloadError(
                f"statement.payload.{field}: entry {target} (#{index}) is a {target_type}, "
                f"not {what}"
            )


def default_policies() -> list[CampaignPolicy | PublicationPolicy]:
    """The domain policies a pingyi ledger is opened with (on append and in the verifier)."""
    return [CampaignPolicy(), PublicationPolicy()]


__all__ = ["APPEALABLE", "CampaignPolicy", "default_policies"]
