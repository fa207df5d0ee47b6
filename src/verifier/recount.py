"""Recounting a campaign at each checkpoint, in the verifier's one pass over the log.

:class:`Recount` has the shape of a ``ledger.state.Policy`` so that
``verify_log`` hands it every accepted entry in order; it never refuses one. It
folds the campaign's entries (:class:`projections.replay.CampaignFold`, the code
``pingyi replay`` runs) and marks, at every checkpoint size, how far the fold
had got. The fold's facts only grow, so a mark is a prefix length: a ranking at
any checkpoint is rebuilt afterwards from the facts before it, without a second
pass over the log and without copying the facts at every checkpoint.

:func:`check_publications` then recomputes each ``ranking.publish`` of the
campaign from the rulebook in force at its checkpoint and compares digest,
rulebook and root with what the office signed.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ledger import merkle
from ledger.entry import Entry
from projections.publication import PUBLISH, ranking_digest
from projections.render import ranking_document
from projections.replay import CampaignFold, Replay
from projections.rulebook import Rulebook
from verifier.report import Report

RULEBOOK_TYPES = ("rulebook.adopt", "rulebook.revise")


@dataclass(frozen=True)
class _Mark:
    facts: int
    versions: int
    rulebook: Rulebook | None
    hash: str | None
    opened: int | None
    closed: int | None


@dataclass(frozen=True)
class PublicationVerdict:
    """What the verifier found for one publication."""

    index: int
    entry: str
    campaign: str
    size: int
    digest: str
    recomputed: str | None
    rulebook: str
    replaces: str | None
    reason: str | None
    problem: str | None

    @property
    def ok(self) -> bool:
        return self.problem is None

    def to_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "entry": self.entry,
            "campaign": self.campaign,
            "checkpoint_size": self.size,
            "digest": self.digest,
            "recomputed_digest": self.recomputed,
            "rulebook": self.rulebook,
            "replaces": self.replaces,
            "reason": self.reason,
            "verdict": "pass" if self.ok else "fail",
            "problem": self.problem,
        }


class Recount:
    """Folds one campaign while the log is verified; collects its rulebooks and publications."""

    def __init__(self, campaign: str, sizes: Iterable[int]) -> None:
        self.campaign = campaign
        self.fold = CampaignFold(campaign)
        self._pending = sorted(set(sizes), reverse=True)  # checkpoint sizes still to mark
        self.marks: dict[int, _Mark] = {}
        self.publications: list[Entry] = []
        self.rulebooks: list[Entry] = []
        self.problems: list[tuple[int, str]] = []

    # -- Policy shape (verify_log calls these) ----------------------------------------------

    def check(self, submission: object, index: int) -> None:
        """Never refuses: the domain policies decide what is valid."""

    def copy(self) -> Recount:
        return self  # the verifier never undoes an entry

    def apply(self, entry: Entry) -> None:
        self._mark_up_to(entry.index)
        payload = entry.payload
        if payload.get("campaign") == self.campaign:
            if entry.type == PUBLISH:
                self.publications.append(entry)
            elif entry.type in RULEBOOK_TYPES:
                self.rulebooks.append(entry)
        try:
            self.fold.apply(entry)
        except Exception as exc:  # a fold that cannot read an entry is a finding, not a crash
            self.problems.append((entry.index, f"{type(exc).__name__}: {exc}"))

    # -- afterwards -----------------------------------------------------------------------

    def finish(self, size: int) -> None:
        """Mark the checkpoints at sizes up to ``size`` not marked yet (the log has ended)."""
        self._mark_up_to(size)

    def replay_at(self, size: int) -> Replay | None:
        """The campaign as of the first ``size`` entries, if ``size`` was marked and has a rulebook."""
        mark = self.marks.get(size)
        if mark is None or mark.rulebook is None or mark.hash is None:
            return None
        fold = self.fold
        return Replay(
            self.campaign,
            mark.rulebook,
            mark.hash,
            tuple(fold.facts[: mark.facts]),
            size - 1,
            tuple(fold.versions[: mark.versions]),
            mark.opened,
            mark.closed,
        )

    def _mark_up_to(self, index: int) -> None:
        """Record the fold's state for every pending size <= ``index`` (entries before it applied)."""
        pending = self._pending
        fold = self.fold
        while pending and pending[-1] <= index:
            size = pending.pop()
            self.marks[size] = _Mark(
                len(fold.facts),
                len(fold.versions),
                fold.rulebook,
                fold.hash,
                fold.opened,
                fold.closed,
            )


def check_publications(
    recount: Recount,
    tree: merkle.MerkleTree,
    signed_sizes: Sequence[int],
    report: Report,
    log: str,
) -> list[PublicationVerdict]:
    """Recompute every publication of the campaign and compare it with what was signed."""
    for index, trouble in recount.problems:
        report.fail(log, index, "recount", f"the campaign cannot be replayed here: {trouble}")
    signed = set(signed_sizes)
    verdicts = []
    for entry in recount.publications:
        payload = entry.payload
        size = int(payload["checkpoint"]["size"])
        recomputed: str | None = None
        problem: str | None
        try:
            problem, recomputed = _check_one(recount, tree, signed, payload, size)
        except Exception as exc:  # scoring failed: report it, never pass it
            problem = f"the ranking cannot be recomputed: {type(exc).__name__}: {exc}"
        if problem is None:
            report.count("rankings recomputed")
        else:
            report.fail(log, entry.index, "publication", problem)
        report.count("publications")
        verdicts.append(
            PublicationVerdict(
                entry.index,
                entry.id,
                str(payload["campaign"]),
                size,
                str(payload["digest"]),
                recomputed,
                str(payload["rulebook"]),
                payload.get("replaces"),
                payload.get("reason"),
                problem,
            )
        )
    return verdicts


def _check_one(
    recount: Recount,
    tree: merkle.MerkleTree,
    signed: set[int],
    payload: Mapping[str, Any],
    size: int,
) -> tuple[str | None, str | None]:
    if size > tree.size:
        return (
            f"it cites checkpoint size {size}, beyond the {tree.size} entries of the bundle",
            None,
        )
    root = base64.b64encode(tree.root(size)).decode("ascii")
    if payload["checkpoint"]["root"] != root:
        return (
            f"it cites root {payload['checkpoint']['root']} at size {size}, but the log's root "
            f"there is {root}",
            None,
        )
    if size not in signed:
        return f"it cites size {size}, at which the bundle carries no signed checkpoint", None
    state = recount.replay_at(size)
    if state is None:
        return f"the campaign has no rulebook in the first {size} entries", None
    if state.hash != payload["rulebook"]:
        return (
            f"it names rulebook {payload['rulebook']}, but the rulebook in force at size {size} "
            f"is {state.hash}",
            None,
        )
    document = ranking_document(state.result())
    digest = ranking_digest(document)
    if digest != payload["digest"]:
        return (
            f"its digest {payload['digest']} is not that of the ranking recomputed at size "
            f"{size} ({digest}): {first_difference(payload['ranking'], document)}",
            digest,
        )
    return None, digest


def first_difference(published: Mapping[str, Any], recomputed: Mapping[str, Any]) -> str:
    """The first unit whose published row differs from the recomputed one, in words."""
    rows_a = _rows(published)
    rows_b = _rows(recomputed)
    for unit in sorted(set(rows_a) | set(rows_b)):
        a, b = rows_a.get(unit), rows_b.get(unit)
        if a == b:
            continue
        if a is None or b is None:
            return (
                f"unit {unit} is only in the {'recomputed' if a is None else 'published'} ranking"
            )
        for field in ("rank", "total", "bands", "components", "tied", "outside", "forfeit"):
            if a.get(field) != b.get(field):
                return (
                    f"unit {unit}: published {field} {a.get(field)!r}, recomputed {b.get(field)!r}"
                )
        return f"unit {unit}: its row differs"
    for key in sorted(set(published) | set(recomputed)):
        if published.get(key) != recomputed.get(key):
            return f"the documents differ in {key!r}"
    return "the documents differ"


def _rows(document: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    rows: dict[str, Mapping[str, Any]] = {}
    tables = document.get("tables")
    if isinstance(tables, list):
        for table in tables:
            for row in table.get("rows", []) if isinstance(table, Mapping) else []:
                if isinstance(row, Mapping) and isinstance(row.get("unit"), str):
                    rows.setdefault(str(row["unit"]), row)
    return rows


__all__ = ["PublicationVerdict", "Recount", "check_publications", "first_difference"]
