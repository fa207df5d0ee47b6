"""`pingyi diff A B`: which units' scores and ranks changed between two publications, and why.

A and B are publication documents (``publication-<i>.json``), receipts
(``publication-<i>.tlog-proof``), bare ranking documents (``ranking-<i>.json``),
or entry ids of publications in the store. With the log's entries (from
``--store``, or ``--bundle DIR``) and both checkpoints known, each changed unit
lists the entries between the two checkpoints that moved it, read from the
unit's explanation at each checkpoint (``pingyi explain``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from ledger import canonical
from ledger.entry import Entry
from ledger.errors import LedgerError
from ledger.note import parse_tlog_proof
from ledger.store import STORE_ENV, store_url
from ledger.store.app import Ledger
from pingyi import render
from projections.diff import UnitChange, causes, compare_rankings
from projections.errors import ProjectionError
from projections.publication import PUBLICATION_FORMAT, PUBLISH, ranking_digest
from projections.render import RANKING_FORMAT, ranking_document
from projections.replay import replay
from verifier.bundle_files import BundleFiles
from verifier.bundle_format import BundleError, parse_manifest


class DiffError(Exception):
    """An input that is not a publication, or entries that cannot be read."""


@dataclass(frozen=True)
class Side:
    """One publication being compared."""

    label: str
    ranking: dict[str, Any]
    campaign: str | None = None
    size: int | None = None  # checkpoint size the ranking was computed at
    index: int | None = None
    entry: str | None = None
    digest: str | None = None


def _from_entry(entry: Entry, label: str) -> Side:
    if entry.type != PUBLISH:
        raise DiffError(f"{label}: entry #{entry.index} is a {entry.type}, not a publication")
    p = entry.payload
    return Side(
        label,
        p["ranking"],
        p["campaign"],
        p["checkpoint"]["size"],
        entry.index,
        entry.id,
        p["digest"],
    )


def read_side(value: str, ledger: Ledger | None) -> Side:
    """A publication from a file, or by entry id from the store."""
    path = Path(value)
    if path.is_file():
        data = path.read_bytes()
        if data.startswith(b"c2sp.org/tlog-proof@v1\n"):
            proof = parse_tlog_proof(data)
            if proof.extra is None:
                raise DiffError(f"{value}: the receipt does not carry its entry")
            return _from_entry(Entry.from_bytes(proof.extra), value)
        doc = canonical.parse_json(data, value)
        if isinstance(doc, dict) and doc.get("format") == PUBLICATION_FORMAT:
            return Side(
                value,
                doc["ranking"],
                doc["campaign"],
                doc["checkpoint"]["size"],
                doc["index"],
                doc["entry"],
                doc["digest"],
            )
        if isinstance(doc, dict) and doc.get("format") == RANKING_FORMAT:
            return Side(value, doc)
        raise DiffError(f"{value}: neither a publication nor a ranking document")
    if ledger is None:
        raise DiffError(f"{value} is not a file; to name a publication by entry id, give --store")
    index = ledger.index_of(value)
    if index is None:
        raise DiffError(f"the store's log has no entry {value}")
    return _from_entry(ledger.entry(index), value)


def _bundle_entries(path: Path) -> Iterator[Entry]:
    files = BundleFiles.open(path)
    manifest = parse_manifest(files.read("bundle.json"))
    for line in files.read(manifest.entries.file).split(b"\n"):
        if line:
            yield Entry.from_bytes(line)


def explain_changes(
    a: Side, b: Side, changes: list[UnitChange], entries: list[Entry]
) -> tuple[list[UnitChange], list[str]]:
    """Attach causes to each change; also say whether each ranking is what the log recomputes."""
    notes: list[str] = []
    if a.size is None or b.size is None or a.campaign is None or a.campaign != b.campaign:
        notes.append("the causes need two publications of one campaign with their checkpoints")
        return changes, notes
    low, high = sorted((a.size, b.size))
    before = replay(iter(entries), a.campaign, as_of=low - 1)
    after = replay(iter(entries), a.campaign, as_of=high - 1)
    for side, state in (
        (a, before if a.size == low else after),
        (b, after if b.size == high else before),
    ):
        recomputed = ranking_digest(ranking_document(state.result()))
        if side.digest is not None and recomputed != side.digest:
            notes.append(
                f"WARNING {side.label}: its digest {side.digest} is not that of the ranking "
                f"the log gives at size {side.size} ({recomputed})"
            )
    if before.hash != after.hash:
        notes.append(f"the rulebook changed between the checkpoints: {before.hash} -> {after.hash}")
    out = []
    for change in changes:
        if before.rulebook.unit(change.unit) is None or after.rulebook.unit(change.unit) is None:
            out.append(change)
            continue
        out.append(
            causes(change, before.explain(change.unit), after.explain(change.unit), (low, high))
        )
    return out, notes


def diff_text(a: Side, b: Side, changes: list[UnitChange], notes: list[str]) -> str:
    def where(side: Side) -> str:
        at = f" #{side.index}" if side.index is not None else ""
        size = f", checkpoint size {side.size}" if side.size is not None else ""
        return f"{side.label}{at}{size}"

    out = [f"公示对比 Publication diff\n  A: {where(a)}\n  B: {where(b)}"]
    out += [f"  {n}" for n in notes]
    if not changes:
        out.append("没有变化 No unit's rank, total, bands or scores changed.")
    for c in changes:
        rank = f"{c.rank[0]}{'=' if c.tied[0] else ''} → {c.rank[1]}{'=' if c.tied[1] else ''}"
        out.append(f"\n{c.unit} {c.zh} / {c.en} ({c.category})")
        out.append(f"  排名 rank {rank}; 总分 total {c.total[0]} → {c.total[1]}")
        if c.bands[0] != c.bands[1]:
            out.append(
                f"  结果 bands {', '.join(c.bands[0]) or '-'} → {', '.join(c.bands[1]) or '-'}"
            )
        for key, x, y in c.components:
            out.append(f"  [{key}] {x} → {y}")
        for cause in c.causes:
            part = f" [{cause.component}]" if cause.component else ""
            delta = f" {cause.delta}" if cause.delta else ""
            out.append(
                f"    entry {cause.entry} #{cause.index} {cause.kind}{part}{delta}: {cause.note}"
            )
    return "\n".join(out) + "\n"


def diff_command(
    a: Annotated[str, typer.Argument(help="Publication A: file or entry id")],
    b: Annotated[str, typer.Argument(help="Publication B: file or entry id")],
    store: Annotated[
        str | None, typer.Option("--store", help="Store URL (or PINGYI_STORE)")
    ] = None,
    bundle: Annotated[
        Path | None, typer.Option("--bundle", help="Read the log's entries from a bundle")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable JSON output")] = False,
) -> None:
    """Compare two publications: changed ranks and scores, and the entries that caused them."""
    url = store or os.environ.get(STORE_ENV)
    ledger = None
    try:
        if url is not None:
            try:
                ledger = Ledger.open(store_url(url))
            except LedgerError:
                if store is not None:  # named on the command line: it must open
                    raise
                ledger = None  # PINGYI_STORE names no usable log: files alone will do
        side_a, side_b = read_side(a, ledger), read_side(b, ledger)
        changes = compare_rankings(side_a.ranking, side_b.ranking)
        notes: list[str] = []
        if bundle is not None:
            changes, notes = explain_changes(side_a, side_b, changes, list(_bundle_entries(bundle)))
        elif ledger is not None:
            changes, notes = explain_changes(side_a, side_b, changes, list(ledger.entries()))
        else:
            notes.append("give --store or --bundle to see the entries that caused each change")
    except (DiffError, LedgerError, ProjectionError, BundleError, OSError, KeyError) as exc:
        render.errors.print(f"[bold red]error:[/] {escape(str(exc))}")
        raise typer.Exit(2) from None
    finally:
        if ledger is not None:
            ledger.close()
    if as_json:
        render.print_json(
            {
                "a": {k: v for k, v in side_a.__dict__.items() if k != "ranking"},
                "b": {k: v for k, v in side_b.__dict__.items() if k != "ranking"},
                "notes": notes,
                "changes": [c.to_json() for c in changes],
            }
        )
    else:
        print(diff_text(side_a, side_b, changes, notes), end="")


__all__ = ["diff_command", "read_side"]
