"""`pingyi replay` and `pingyi explain`: a campaign's ranking, or one unit's explanation,
rebuilt from the log as of any log position.

By default both replay the log itself (pure, no state of their own); with
``--read-model`` they first bring the persisted read model up to date and
replay from it. Every output names the rulebook version (content hash) and the
log position it reflects.
"""

from __future__ import annotations

from typing import Annotated, Any

import rfc8785
import typer
from rich.markup import escape

from ledger.entry import Entry
from ledger.errors import LedgerError
from ledger.store import STORE_ENV, store_url
from ledger.store.app import Store, log_id_for
from pingyi import render
from projections.errors import ProjectionError
from projections.render import (
    explanation_document,
    explanation_text,
    ranking_document,
    ranking_text,
)
from projections.replay import Replay, replay
from projections.view import ScoringView

REPLAY_FORMAT = "pingyi.replay/1"

StoreOpt = Annotated[
    str | None,
    typer.Option(
        "--store",
        envvar=STORE_ENV,
        help="Store URL: sqlite:///file.db or postgresql://user@host/db",
    ),
]
AsOfOpt = Annotated[
    int | None,
    typer.Option("--as-of", min=0, help="Log position: ignore every entry after it"),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Canonical JSON (RFC 8785)")]
LogOpt = Annotated[
    str | None, typer.Option("--log", help="The log's origin (when the store holds several)")
]
ViewOpt = Annotated[
    bool,
    typer.Option(
        "--read-model", help="Update the persisted read model and replay from it, not the log"
    ),
]


def _fail(message: str) -> None:
    render.errors.print(f"[bold red]error:[/] {escape(message)}")
    raise typer.Exit(2)


def load(
    store: str | None, campaign: str, as_of: int | None, origin: str | None, read_model: bool
) -> tuple[str, Replay]:
    """The log's origin and the campaign replayed as of ``as_of``."""
    app = Store(store_url(store))
    try:
        origins = app.origins()
        if origin is None:
            if len(origins) != 1:
                _fail(f"the store holds {len(origins)} logs ({origins}); name one with --log")
            origin = origins[0]
        elif origin not in origins:
            _fail(f"the store holds no log {origin!r} (it holds {origins})")
        log_id = log_id_for(origin)
        if read_model:
            with ScoringView(app.url) as view:
                view.catch_up(app.recorder)
                return origin, view.replay(log_id, campaign, as_of)
        entries = (Entry.from_bytes(raw) for raw in app.log_recorder.iter_entries(log_id))
        return origin, replay(entries, campaign, as_of)
    finally:
        app.close()


def _envelope(origin: str, state: Replay) -> dict[str, Any]:
    return {
        "format": REPLAY_FORMAT,
        "log": origin,
        "campaign": state.campaign,
        "as_of": state.position,
        "rulebook_versions": [
            {"index": v.index, "entry": v.entry, "type": v.type, "hash": v.hash, "reason": v.reason}
            for v in state.versions
        ],
    }


def _header(origin: str, state: Replay) -> str:
    versions = len(state.versions)
    return (
        f"日志 Log {origin} · 活动 Campaign {state.campaign} · "
        f"截至日志位置 as of log position {state.position}\n"
        f"规则版本 Rulebook version {versions} of {versions}: {state.hash} "
        f"(entry #{state.versions[-1].index}: {state.versions[-1].reason})\n"
    )


def _emit(document: dict[str, Any]) -> None:
    print(rfc8785.dumps(document).decode())


def replay_command(
    campaign: Annotated[str, typer.Argument(help="Campaign code, e.g. c2026")],
    as_of: AsOfOpt = None,
    as_json: JsonOpt = False,
    store: StoreOpt = None,
    origin: LogOpt = None,
    read_model: ViewOpt = False,
) -> None:
    """Rebuild a campaign's ranking from its entries, as of any log position."""
    try:
        name, state = load(store, campaign, as_of, origin, read_model)
        result = state.result()
    except (LedgerError, ProjectionError) as exc:
        _fail(str(exc))
    if as_json:
        _emit({**_envelope(name, state), "ranking": ranking_document(result)})
    else:
        print(_header(name, state) + ranking_text(result), end="")


def explain_command(
    campaign: Annotated[str, typer.Argument(help="Campaign code, e.g. c2026")],
    unit: Annotated[str, typer.Argument(help="Unit code")],
    as_of: AsOfOpt = None,
    as_json: JsonOpt = False,
    store: StoreOpt = None,
    origin: LogOpt = None,
    read_model: ViewOpt = False,
) -> None:
    """List every entry that moved a unit's score and by how much, as of any log position."""
    try:
        name, state = load(store, campaign, as_of, origin, read_model)
        explanation = state.explain(unit)
    except (LedgerError, ProjectionError) as exc:
        _fail(str(exc))
    if as_json:
        _emit({**_envelope(name, state), "explanation": explanation_document(explanation)})
    else:
        print(_header(name, state) + explanation_text(explanation), end="")
