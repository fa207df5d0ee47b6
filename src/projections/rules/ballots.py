"""Helpers shared by the ballot rule kinds (rating_mean, forced_distribution)."""

from __future__ import annotations

from collections.abc import Sequence

from projections.facts import Ballot, Fact
from projections.fields import Label
from projections.rules.base import Applied, Excluded, excluded, supersede


def voter_key(fact: Fact) -> tuple[str, ...] | None:
    """Ballots of the same named voter replace each other; anonymous ones never do."""
    if isinstance(fact, Ballot) and fact.voter is not None:
        return (fact.voter,)
    return None


def ballots(
    facts: Sequence[Applied], component: str, one_per_voter: bool
) -> tuple[list[tuple[Applied, Ballot]], list[Excluded]]:
    """The component's ballots, with earlier ballots of a named voter superseded."""
    dropped: list[Excluded] = []
    kept = list(facts)
    if one_per_voter:
        kept, dropped = supersede(kept, voter_key, component)
    out: list[tuple[Applied, Ballot]] = []
    for applied in kept:
        if isinstance(applied.fact, Ballot):
            out.append((applied, applied.fact))
        else:
            dropped.append(excluded(applied, "not a ballot", component))
    return out, dropped


def level_text(key: str, label: Label | None, points: object = None) -> str:
    """``基本满意 / basically satisfied (60)`` for explanations."""
    name = label.both() if label is not None else key
    return f"{name} ({points})" if points is not None else name


def voter_text(ballot: Ballot, disclose: bool) -> str:
    """Who cast the ballot, unless the rule keeps voters private."""
    if disclose and ballot.voter:
        return f" by {ballot.voter}"
    return ""
