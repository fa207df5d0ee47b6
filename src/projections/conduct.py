"""How a campaign is conducted: pools, draws, ballot windows, paper batches, samples, claims.

:class:`Conduct` is part of the campaign policy (``projections.policy``): pure,
replayed from the log, consulted on append and by every verifier. It refuses

- enrolling in a frozen pool, freezing with a digest that is not the pool's;
- committing a draw to a pool that is not frozen (or not the frozen contents);
- entering a draw's random values before its commitment, twice, or with a
  result that is not what the draw function gives for those values;
- issuing credentials, casting or transcribing ballots outside an open window of
  the right mode, for another component than the window's;
- countersigning a batch that is not a batch of that window, twice, or with
  another count; closing a paper window with a batch not countersigned or more
  ballots than voters checked in; closing a campaign with a window still open;
- a survey response whose respondent was not drawn in the campaign, or who
  already answered for that unit and component;
- approving a claim that is not an open ``item.claim`` for the same item.

Refusals are :class:`ledger.errors.PayloadError` naming the field.
Copies share append-only journals guarded by log position (see ``_Journal``),
so ``copy()`` stays cheap with tens of thousands of responses.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from ledger.errors import PayloadError
from projections.draw import DrawError, RevealMismatchError, pool_digest, verify_reveal


@dataclass(frozen=True)
class _Pool:
    members: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    frozen_at: int | None = None
    digest: str | None = None


@dataclass(frozen=True)
class _Draw:
    commit: Mapping[str, Any]
    committed_at: int
    revealed_at: int | None = None


@dataclass(frozen=True)
class _Window:
    component: str
    mode: str
    opened_at: int
    closed_at: int | None = None
    batches: Mapping[str, int] = field(default_factory=dict)  # batch entry id -> ballots
    countersigned: frozenset[str] = frozenset()


class _Journal:
    """Keys recorded at a log position, shared by every copy of a policy.

    A key counts for a copy only if it was recorded below the copy's size by the
    entry that still holds that position, so entries of an undone batch vanish.
    """

    def __init__(self) -> None:
        self.keys: dict[Any, tuple[int, str]] = {}
        self.at: dict[int, str] = {}

    def note(self, index: int, entry_id: str) -> None:
        self.at[index] = entry_id

    def add(self, key: Any, index: int, entry_id: str) -> None:
        self.keys[key] = (index, entry_id)

    def find(self, key: Any, size: int) -> int | None:
        found = self.keys.get(key)
        if found is None or found[0] >= size or self.at.get(found[0]) != found[1]:
            return None
        return found[0]


class Conduct:
    """The conduct rules of every campaign of a log (see the module docstring)."""

    def __init__(self) -> None:
        self.size = 0
        self.pools: dict[tuple[str, str], _Pool] = {}
        self.draws: dict[tuple[str, str], _Draw] = {}
        self.windows: dict[tuple[str, str], _Window] = {}
        self.journal = _Journal()

    def copy(self) -> Conduct:
        twin = Conduct.__new__(Conduct)
        twin.size = self.size
        twin.pools, twin.draws, twin.windows = (
            dict(self.pools),
            dict(self.draws),
            dict(self.windows),
        )
        twin.journal = self.journal
        return twin

    def window_component(self, campaign: str, window: str) -> str | None:
        found = self.windows.get((campaign, window))
        return None if found is None else found.component

    # -- checks -----------------------------------------------------------------------------

    def check(
        self, campaign: str, type_: str, payload: Mapping[str, Any], units: frozenset[str]
    ) -> None:
        """Raise PayloadError if an entry of ``type_`` may not be appended now."""
        check = _CHECKS.get(type_)
        if check is not None:
            check(self, campaign, payload, units)

    def _pool_enroll(self, campaign: str, p: Mapping[str, Any], units: frozenset[str]) -> None:
        pool = self.pools.get((campaign, p["pool"]), _Pool())
        if pool.frozen_at is not None:
            raise PayloadError(
                f"statement.payload.pool: pool {p['pool']!r} was frozen at entry {pool.frozen_at}; "
                "nobody can join it after that"
            )
        seen: set[str] = set()
        for n, member in enumerate(p["members"]):
            name = member["pseudonym"]
            if name in pool.members or name in seen:
                raise PayloadError(
                    f"statement.payload.members[{n}].pseudonym: {name} is already in pool "
                    f"{p['pool']!r}"
                )
            seen.add(name)

    def _pool_freeze(self, campaign: str, p: Mapping[str, Any], units: frozenset[str]) -> None:
        pool = self.pools.get((campaign, p["pool"]))
        if pool is None:
            raise PayloadError(
                f"statement.payload.pool: campaign {campaign!r} has no pool {p['pool']!r}"
            )
        if pool.frozen_at is not None:
            raise PayloadError(
                f"statement.payload.pool: pool {p['pool']!r} was already frozen at entry {pool.frozen_at}"
            )
        if p["size"] != len(pool.members):
            raise PayloadError(
                f"statement.payload.size: pool {p['pool']!r} has {len(pool.members)} members, "
                f"not {p['size']}"
            )
        digest = pool_digest(list(pool.members.values()))
        if p["digest"] != digest:
            raise PayloadError(
                f"statement.payload.digest: the pool's members hash to {digest}, not {p['digest']}"
            )

    def _draw_commit(self, campaign: str, p: Mapping[str, Any], units: frozenset[str]) -> None:
        if (campaign, p["draw"]) in self.draws:
            raise PayloadError(
                f"statement.payload.draw: campaign {campaign!r} already has a draw {p['draw']!r}"
            )
        pool = self.pools.get((campaign, p["pool"]))
        if pool is None or pool.frozen_at is None:
            raise PayloadError(
                f"statement.payload.pool: pool {p['pool']!r} is not frozen; freeze it "
                "(pool.freeze) before committing a draw from it"
            )
        if p["pool_digest"] != pool.digest:
            raise PayloadError(
                f"statement.payload.pool_digest: pool {p['pool']!r} was frozen with digest "
                f"{pool.digest}, not {p['pool_digest']}"
            )

    def _draw_reveal(self, campaign: str, p: Mapping[str, Any], units: frozenset[str]) -> None:
        draw = self.draws.get((campaign, p["draw"]))
        if draw is None:
            raise PayloadError(
                f"statement.payload.draw: draw {p['draw']!r} of campaign {campaign!r} has no "
                "commitment; the office must commit to pool, quotas and randomness source "
                "(draw.commit) before the random values are entered"
            )
        if draw.revealed_at is not None:
            raise PayloadError(
                f"statement.payload.draw: the values of draw {p['draw']!r} were entered at entry "
                f"{draw.revealed_at}"
            )
        pool = self.pools[(campaign, draw.commit["pool"])]
        try:
            verify_reveal(list(pool.members.values()), draw.commit, p, units)
        except RevealMismatchError as err:
            raise PayloadError(
                f"statement.payload.selected: re-running draw {p['draw']!r} with these values "
                f"does not give the people this entry names ({err}); run `pingyi draw reveal` "
                "to compute the result"
            ) from None
        except DrawError as err:
            raise PayloadError(f"statement.payload.values: {err}") from None

    def _window_open(self, campaign: str, p: Mapping[str, Any], units: frozenset[str]) -> None:
        found = self.windows.get((campaign, p["window"]))
        if found is not None:
            raise PayloadError(
                f"statement.payload.window: window {p['window']!r} was already opened at entry "
                f"{found.opened_at}"
            )

    def _open_window(self, campaign: str, p: Mapping[str, Any], mode: str, what: str) -> _Window:
        window = self.windows.get((campaign, p["window"]))
        if window is None:
            raise PayloadError(
                f"statement.payload.window: campaign {campaign!r} has no ballot window "
                f"{p['window']!r}; open it with window.open"
            )
        if window.closed_at is not None:
            raise PayloadError(
                f"statement.payload.window: window {p['window']!r} closed at entry "
                f"{window.closed_at}; {what} after close is refused"
            )
        if window.mode != mode:
            raise PayloadError(
                f"statement.payload.window: window {p['window']!r} takes {window.mode} ballots, "
                f"not {what}"
            )
        component = p.get("component")
        if component is not None and component != window.component:
            raise PayloadError(
                f"statement.payload.component: window {p['window']!r} is for component "
                f"{window.component!r}, not {component!r}"
            )
        return window

    def _credential_issue(self, campaign: str, p: Mapping[str, Any], units: frozenset[str]) -> None:
        self._open_window(campaign, p, "credential", "credentials issued")

    def _ballot_cast(self, campaign: str, p: Mapping[str, Any], units: frozenset[str]) -> None:
        self._open_window(campaign, p, "credential", "a ballot cast")

    def _ballot_batch(self, campaign: str, p: Mapping[str, Any], units: frozenset[str]) -> None:
        window = self._open_window(campaign, p, "paper", "a transcribed batch")
        if self.journal.find(("batch", campaign, p["window"], p["batch"]), self.size) is not None:
            raise PayloadError(
                f"statement.payload.batch: window {p['window']!r} already has a batch {p['batch']!r}"
            )
        del window

    def _ballot_countersign(
        self, campaign: str, p: Mapping[str, Any], units: frozenset[str]
    ) -> None:
        window = self._open_window(campaign, p, "paper", "a countersignature")
        count = window.batches.get(p["batch"])
        if count is None:
            raise PayloadError(
                f"statement.payload.batch: entry {p['batch']} is not a transcribed batch of "
                f"window {p['window']!r}"
            )
        if p["batch"] in window.countersigned:
            raise PayloadError(
                f"statement.payload.batch: batch {p['batch']} is already countersigned"
            )
        if p["count"] != count:
            raise PayloadError(
                f"statement.payload.count: batch {p['batch']} holds {count} ballots, not "
                f"{p['count']}; recount the paper ballots before countersigning"
            )

    def _window_close(self, campaign: str, p: Mapping[str, Any], units: frozenset[str]) -> None:
        window = self.windows.get((campaign, p["window"]))
        if window is None or window.closed_at is not None:
            state = "has no window" if window is None else "already closed window"
            raise PayloadError(
                f"statement.payload.window: campaign {campaign!r} {state} {p['window']!r}"
            )
        if window.mode != "paper":
            return
        if p.get("checked_in") is None:
            raise PayloadError(
                "statement.payload.checked_in: a paper window closes with the number of voters "
                "checked in, to reconcile the count"
            )
        pending = sorted(set(window.batches) - window.countersigned)
        if pending:
            raise PayloadError(
                f"statement.payload.window: {len(pending)} batch(es) of window {p['window']!r} are "
                f"not countersigned (first: entry {pending[0]}); a supervisor must countersign them"
            )
        cast = sum(window.batches.values())
        if cast > p["checked_in"]:
            raise PayloadError(
                f"statement.payload.checked_in: {cast} ballots were transcribed but only "
                f"{p['checked_in']} voters were checked in"
            )

    def _campaign_close(self, campaign: str, p: Mapping[str, Any], units: frozenset[str]) -> None:
        still = sorted(
            w for (c, w), s in self.windows.items() if c == campaign and s.closed_at is None
        )
        if still:
            raise PayloadError(
                f"statement.payload.campaign: ballot window(s) {', '.join(still)} are still open; "
                "close them (window.close) first"
            )

    def _survey(self, campaign: str, p: Mapping[str, Any], units: frozenset[str]) -> None:
        who = p.get("respondent")
        if who is None:
            return
        if self.journal.find(("drawn", campaign, who), self.size) is None:
            raise PayloadError(
                f"statement.payload.respondent: {who} was not drawn in campaign {campaign!r}; "
                "responses are recorded only from drawn respondents"
            )
        if (
            self.journal.find(("answered", campaign, who, p["unit"], p["component"]), self.size)
            is not None
        ):
            raise PayloadError(
                f"statement.payload.respondent: {who} already answered about unit {p['unit']!r} "
                f"for component {p['component']!r}"
            )

    def _claim_unit(self, campaign: str, p: Mapping[str, Any], units: frozenset[str]) -> None:
        if p["unit"] not in units:
            raise PayloadError(
                f"statement.payload.unit: campaign {campaign!r} has no unit {p['unit']!r}"
            )

    def _item_count(self, campaign: str, p: Mapping[str, Any], units: frozenset[str]) -> None:
        claim = p.get("claim")
        if claim is None:
            return
        key = ("claim", campaign, p["unit"], p["component"], p["item"], claim)
        if self.journal.find(key, self.size) is None:
            raise PayloadError(
                f"statement.payload.claim: entry {claim} is not an item.claim of campaign "
                f"{campaign!r} for unit {p['unit']!r}, item {p['item']!r}"
            )
        if self.journal.find(("approved", claim), self.size) is not None:
            raise PayloadError(f"statement.payload.claim: claim {claim} was already approved")

    # -- applying ---------------------------------------------------------------------------

    def seen(self, entry: Any) -> None:
        """Every entry of the log passes here first (keeps the journal's positions exact)."""
        self.size = entry.index + 1
        self.journal.note(entry.index, entry.id)

    def apply(self, campaign: str, entry: Any) -> None:
        """Record an accepted entry of ``campaign`` (after :meth:`seen`)."""
        index, p, type_ = entry.index, entry.payload, entry.type
        if type_ == "survey.response":  # most entries of a campaign: answered first
            if p.get("respondent") is not None:
                answer = ("answered", campaign, p["respondent"], p["unit"], p["component"])
                self.journal.add(answer, index, entry.id)
            return
        name = p.get("draw") if type_.startswith("draw.") else p.get("pool") or p.get("window")
        key = (campaign, str(name))
        if type_ == "pool.enroll":
            pool = self.pools.get((campaign, p["pool"]), _Pool())
            members = dict(pool.members)
            members.update((m["pseudonym"], m) for m in p["members"])
            self.pools[(campaign, p["pool"])] = replace(pool, members=members)
        elif type_ == "pool.freeze":
            self.pools[key] = replace(self.pools[key], frozen_at=index, digest=p["digest"])
        elif type_ == "draw.commit":
            self.draws[key] = _Draw(p, index)
        elif type_ == "draw.reveal":
            self.draws[key] = replace(self.draws[key], revealed_at=index)
            for names in (*p["selected"].values(), *p["alternates"].values()):
                for name in names:
                    self.journal.add(("drawn", campaign, name), index, entry.id)
        elif type_ == "window.open":
            self.windows[key] = _Window(p["component"], p["mode"], index)
        elif type_ == "window.close":
            self.windows[key] = replace(self.windows[key], closed_at=index)
        elif type_ == "ballot.batch":
            window = self.windows[key]
            self.windows[key] = replace(
                window, batches={**window.batches, entry.id: len(p["ballots"])}
            )
            self.journal.add(("batch", campaign, p["window"], p["batch"]), index, entry.id)
        elif type_ == "ballot.countersign":
            window = self.windows[key]
            self.windows[key] = replace(window, countersigned=window.countersigned | {p["batch"]})
        elif type_ == "item.claim":
            claim = ("claim", campaign, p["unit"], p["component"], p["item"], entry.id)
            self.journal.add(claim, index, entry.id)
        elif type_ == "item.count" and p.get("claim") is not None:
            self.journal.add(("approved", p["claim"]), index, entry.id)


_CHECKS = {
    "pool.enroll": Conduct._pool_enroll,
    "pool.freeze": Conduct._pool_freeze,
    "draw.commit": Conduct._draw_commit,
    "draw.reveal": Conduct._draw_reveal,
    "window.open": Conduct._window_open,
    "window.close": Conduct._window_close,
    "credential.issue": Conduct._credential_issue,
    "ballot.cast": Conduct._ballot_cast,
    "ballot.batch": Conduct._ballot_batch,
    "ballot.countersign": Conduct._ballot_countersign,
    "campaign.close": Conduct._campaign_close,
    "survey.response": Conduct._survey,
    "item.claim": Conduct._claim_unit,
    "item.count": Conduct._item_count,
}

__all__ = ["Conduct"]
