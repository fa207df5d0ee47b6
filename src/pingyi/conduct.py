"""Building the entries of a campaign's life: pool, draws, windows, credentials, ballots.

Each function returns payloads (or signed submissions) for the person whose
act it is; nothing here appends. :class:`Campaign` reads what the log already
holds (pool members, draws, windows, credentials) by replaying it through the
same campaign policy the log enforces, so commands compute exactly what the
policy will check.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from ledger.entry import Entry, Submission
from ledger.errors import PayloadError
from ledger.keys import Signer
from ledger.registry import KeyRegistry
from projections.draw import pool_digest, run_draw
from projections.policy import CampaignPolicy
from projections.rulebook import Rulebook

ENROL_CHUNK = 500
BATCH_SIZE = 50


class Campaign:
    """What the log says about one campaign's conduct, replayed with the log's own policy."""

    def __init__(self, campaign: str, entries: Iterable[Entry]) -> None:
        self.name = campaign
        self.policy = CampaignPolicy()
        self.registry = KeyRegistry()
        self.entries: dict[str, Entry] = {}
        for entry in entries:
            self.registry.apply(entry.type, entry.payload, entry.index, entry.signer)
            self.policy.apply(entry)
            if entry.payload.get("campaign") == campaign:
                self.entries[entry.id] = entry

    @property
    def rulebook(self) -> Rulebook:
        found = self.policy.rulebook(self.name)
        if found is None:
            raise PayloadError(f"campaign {self.name!r} has no rulebook in this log")
        return found[0]

    @property
    def units(self) -> frozenset[str]:
        return frozenset(u.code for u in self.rulebook.units)

    def members(self, pool: str) -> list[Mapping[str, Any]]:
        found = self.policy.conduct.pools.get((self.name, pool))
        if found is None:
            raise PayloadError(f"campaign {self.name!r} has no pool {pool!r}")
        return list(found.members.values())

    def draw_commit(self, draw: str) -> Mapping[str, Any]:
        found = self.policy.conduct.draws.get((self.name, draw))
        if found is None:
            raise PayloadError(f"campaign {self.name!r} has no committed draw {draw!r}")
        return found.commit

    def unspent(self, window: str) -> list[str]:
        """Key ids of the window's credentials neither spent nor declared unused."""
        return sorted(
            k
            for k, r in self.registry.keys.items()
            if r.scope == (self.name, window) and r.revoked_at is None
        )

    def of_type(self, type_: str) -> list[Entry]:
        return [e for e in self.entries.values() if e.type == type_]


# -- the pool -------------------------------------------------------------------------------


def enrol_payloads(
    campaign: str, pool: str, members: Sequence[Mapping[str, Any]]
) -> list[tuple[str, dict[str, Any]]]:
    """``pool.enroll`` entries (at most 500 members each) and the ``pool.freeze`` after them."""
    out: list[tuple[str, dict[str, Any]]] = []
    for start in range(0, len(members), ENROL_CHUNK):
        chunk = [dict(m) for m in members[start : start + ENROL_CHUNK]]
        out.append(("pool.enroll", {"campaign": campaign, "pool": pool, "members": chunk}))
    out.append(
        (
            "pool.freeze",
            {
                "campaign": campaign,
                "pool": pool,
                "size": len(members),
                "digest": pool_digest(members),
            },
        )
    )
    return out


# -- draws ----------------------------------------------------------------------------------


def commit_payload(
    campaign: str,
    draw: str,
    pool: str,
    members: Sequence[Mapping[str, Any]],
    *,
    strata: Sequence[Mapping[str, Any]],
    source: Mapping[str, Any],
    alternates: int = 0,
    exclude_groups: Sequence[str] = (),
) -> dict[str, Any]:
    return {
        "campaign": campaign,
        "draw": draw,
        "pool": pool,
        "pool_digest": pool_digest(members),
        "strata": [dict(s) for s in strata],
        "exclude_groups": list(exclude_groups),
        "exclude_leaders_of_evaluated_units": True,
        "alternates": alternates,
        "source": dict(source),
    }


def reveal_payload(state: Campaign, draw: str, values: Any) -> dict[str, Any]:
    """The ``draw.reveal`` for these values, with the result the draw function gives."""
    commit = state.draw_commit(draw)
    result = run_draw(state.members(str(commit["pool"])), commit, values, state.units)
    return {"campaign": state.name, "draw": draw, "values": values, **result.as_payload()}


def drawn(reveal: Mapping[str, Any]) -> list[str]:
    """Everyone a reveal selected, stratum by stratum, in draw order (alternates excluded)."""
    return [name for names in reveal["selected"].values() for name in names]


# -- credentials and ballots ------------------------------------------------------------------


@dataclass(frozen=True)
class Slip:
    """A ballot credential as handed to a voter: its private seed and what it may vote in."""

    log: str
    campaign: str
    window: str
    component: str
    group: str | None
    seed: str  # base64 of the 32-byte Ed25519 seed

    @property
    def signer(self) -> Signer:
        return Signer.from_seed(base64.b64decode(self.seed))

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> Slip:
        return cls(
            **{k: value[k] for k in ("log", "campaign", "window", "component", "group", "seed")}
        )


def new_slips(
    log: str, campaign: str, window: str, component: str, group: str | None, count: int, token: Any
) -> list[Slip]:
    """``count`` fresh credentials; ``token(n)`` is the random source (``os.urandom``)."""
    return [
        Slip(log, campaign, window, component, group, base64.b64encode(token(32)).decode())
        for _ in range(count)
    ]


def issue_payload(slips: Sequence[Slip]) -> dict[str, Any]:
    first = slips[0]
    return {
        "campaign": first.campaign,
        "window": first.window,
        "group": first.group,
        "keys": [s.signer.public_b64 for s in slips],
    }


def cast(slip: Slip, ratings: Mapping[str, str], time: datetime) -> Submission:
    """The voter's anonymous ballot, signed with the slip's one-time key."""
    payload = {
        "campaign": slip.campaign,
        "window": slip.window,
        "component": slip.component,
        "group": slip.group,
        "ratings": dict(ratings),
    }
    return Submission.new(slip.signer, log=slip.log, type="ballot.cast", payload=payload, time=time)


def batch_payloads(
    campaign: str, window: str, prefix: str, ballots: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """Paper ballots in clerk's batches of at most 50, named ``prefix-001``, ``prefix-002``…"""
    out = []
    for n, start in enumerate(range(0, len(ballots), BATCH_SIZE), 1):
        chunk = [
            {k: v for k, v in b.items() if k in ("ratings", "group") and v is not None}
            for b in ballots[start : start + BATCH_SIZE]
        ]
        out.append(
            {"campaign": campaign, "window": window, "batch": f"{prefix}-{n:03d}", "ballots": chunk}
        )
    return out


def read_ballots(path: Path) -> list[dict[str, Any]]:
    """Transcribed paper ballots: JSON list of {"ratings": {...}, "group": ...}, or NDJSON."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".ndjson":
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    data = json.loads(text)
    if not isinstance(data, list):
        raise PayloadError(f"{path}: expected a JSON list of ballots")
    return data


__all__ = [
    "Campaign",
    "Slip",
    "batch_payloads",
    "cast",
    "commit_payload",
    "drawn",
    "enrol_payloads",
    "issue_payload",
    "new_slips",
    "read_ballots",
    "reveal_payload",
]
