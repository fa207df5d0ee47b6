"""Withdrawals and appeal rulings, applied to the facts they target.

A :class:`~projections.facts.Withdrawal` removes the facts of its target entry.
A :class:`~projections.facts.Ruling` on a target entry: ``upheld`` removes its
facts, ``partly_upheld`` replaces their points with ``adjusted``, ``rejected``
changes nothing but is shown. When several rulings target one entry, the one
latest in the log decides.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from projections.facts import (
    Ballot,
    DeadlineClosed,
    Fact,
    PreviousCampaignList,
    Ruling,
    Submission,
    Withdrawal,
    fact_units,
)
from projections.rules.base import Applied, Excluded, excluded

# Facts whose effect is not a number of points: a partly-upheld ruling cannot adjust them.
_NOT_ADJUSTABLE = (Ballot, Submission, DeadlineClosed, PreviousCampaignList)


@dataclass(frozen=True)
class Settled:
    """Facts that count (with their rulings), facts that do not, and notes."""

    applied: tuple[Applied, ...]
    excluded: tuple[Excluded, ...]
    warnings: tuple[str, ...]
    rulings: tuple[tuple[Ruling, tuple[str, ...]], ...]


def settle(facts: Sequence[Fact]) -> Settled:
    """Apply withdrawals and rulings to facts already in log order."""
    targets: dict[str, list[Fact]] = {}
    for fact in facts:
        if not isinstance(fact, Withdrawal | Ruling):
            targets.setdefault(fact.entry, []).append(fact)
    withdrawn: dict[str, Withdrawal] = {}
    ruled: dict[str, Ruling] = {}
    warnings: list[str] = []
    for fact in facts:
        if isinstance(fact, Withdrawal | Ruling) and fact.target not in targets:
            warnings.append(
                f"entry {fact.entry} ({fact.kind}) targets entry {fact.target}, "
                "which holds no scoring fact: ignored"
            )
        elif isinstance(fact, Withdrawal):
            withdrawn[fact.target] = fact
        elif isinstance(fact, Ruling):
            ruled[fact.target] = fact
    applied: list[Applied] = []
    dropped: list[Excluded] = []
    for fact in facts:
        if isinstance(fact, Withdrawal | Ruling):
            continue
        component = getattr(fact, "component", None)
        w = withdrawn.get(fact.entry)
        r = ruled.get(fact.entry)
        if w is not None:
            why = f": {w.reason}" if w.reason else ""
            dropped.append(excluded(fact, f"withdrawn by entry {w.entry}{why}", component))
        elif r is not None and r.outcome == "upheld":
            why = f": {r.reason}" if r.reason else ""
            dropped.append(
                excluded(fact, f"removed: objection upheld by ruling {r.entry}{why}", component)
            )
        elif r is not None and r.outcome == "partly_upheld":
            if isinstance(fact, _NOT_ADJUSTABLE):
                warnings.append(
                    f"ruling {r.entry} partly upholds an objection to a {fact.kind} "
                    f"(entry {fact.entry}), which has no points to adjust: it counts unchanged"
                )
                applied.append(Applied(fact, None, r))
            else:
                applied.append(Applied(fact, r.adjusted, r))
        else:
            applied.append(Applied(fact, None, r))
    rulings = tuple(
        (r, tuple(u for f in targets[t] for u in fact_units(f))) for t, r in sorted(ruled.items())
    )
    return Settled(tuple(applied), tuple(dropped), tuple(warnings), rulings)
