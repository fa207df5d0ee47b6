"""`pingyi publish`: sign a checkpoint, recompute the ranking there, append the publication,
and write what is published: the receipt, the JSON document and the printable page.

Files written to ``--out`` (``<i>`` is the publication's entry index):

- ``publication-<i>.tlog-proof``: C2SP tlog-proof of the entry against a checkpoint
  that covers it; its ``extra`` line is the exact entry bytes (base64), so
  ``pingyi receipt verify`` needs nothing else but the log's key;
- ``publication-<i>.json``: the publication document (``pingyi.publication/1``);
- ``ranking-<i>.json``: the ranking document alone, canonical bytes: its SHA-256 is the digest;
- ``publication-<i>.html``: the printable page;
- ``log.vkey``: the log's verifier key (C2SP vkey).
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from ledger import canonical, merkle
from ledger.entry import Entry, Submission
from ledger.errors import LedgerError
from ledger.keys import Signer
from ledger.note import format_tlog_proof, open_checkpoint, parse_tlog_proof, parse_verifier_key
from ledger.store import STORE_ENV, store_url
from ledger.store.app import Ledger
from pingyi import render
from pingyi.keyfiles import load_log_signer, load_signer, other_log_key
from pingyi.publication_page import publication_html
from pingyi.remote import Fetch, HttpError, get_json, get_text, post_json, request, urllib_fetch
from projections.errors import ProjectionError
from projections.policy import default_policies
from projections.publication import PUBLISH, publication_document, publication_payload
from projections.replay import Replay, replay

Clock = Callable[[], datetime]


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Published:
    """A publication appended to the log, with what is needed to publish it."""

    entry: Entry
    origin: str
    log_key: str
    proof: str  # tlog-proof with the entry bytes as extra data
    takes: dict[str, str]  # result band -> "top" | "bottom", from the rulebook

    def document(self) -> dict[str, Any]:
        return publication_document(
            origin=self.origin,
            index=self.entry.index,
            entry_hash=self.entry.hash,
            statement=self.entry.statement,
        )


def _takes(state: Replay) -> dict[str, str]:
    return {band.key: band.take for band in state.rulebook.bands}


def publish_to_store(
    url: str,
    campaign: str,
    signer: Signer,
    log_key_file: Path,
    *,
    replaces: str | None = None,
    reason: str | None = None,
    clock: Clock = _now,
) -> Published:
    """Publish ``campaign``'s ranking in the store at ``url`` (the log key signs checkpoints)."""
    with Ledger.open(url) as probe:
        origin = probe.origin
    log_signer = load_log_signer(log_key_file, origin)
    with Ledger.open(
        url, log_signer=log_signer, policies=default_policies(), clock=clock
    ) as ledger:
        return publish_in(ledger, campaign, signer, replaces=replaces, reason=reason)


def publish_in(
    ledger: Ledger,
    campaign: str,
    signer: Signer,
    *,
    replaces: str | None = None,
    reason: str | None = None,
) -> Published:
    """Publish in an open ledger that holds the checkpoint key."""
    at = ledger.checkpoint()  # signs one at the current size if the log grew
    state = replay(ledger.entries(), campaign, as_of=at.size - 1)
    payload = publication_payload(
        campaign, state, size=at.size, root=at.root, replaces=replaces, reason=reason
    )
    submission = Submission.new(
        signer, log=ledger.origin, type=PUBLISH, payload=payload, time=ledger.clock()
    )
    index = ledger.append([submission])[0].index
    covering = ledger.checkpoint()
    entry = ledger.entry(index)
    proof = format_tlog_proof(
        index, ledger.inclusion_proof(index, covering.size), covering.note, extra=entry.raw
    )
    assert ledger.state.log_key is not None
    return Published(entry, ledger.origin, ledger.state.log_key, proof, _takes(state))


def publish_via_api(
    fetch: Fetch,
    campaign: str,
    signer: Signer,
    *,
    replaces: str | None = None,
    reason: str | None = None,
    log_key: str | None = None,
    clock: Clock = _now,
) -> Published:
    """Publish through a running server: its checkpoint, its entries, its append endpoint.

    The ranking is computed here from the entries the server sends, after checking
    that they hash to the root of the checkpoint it signed.
    """
    info = get_json(fetch, "/v1/log")
    origin, vkey = str(info["origin"]), str(log_key or info["log_key"])
    verifier = parse_verifier_key(vkey)
    at = open_checkpoint(get_text(fetch, "/v1/checkpoint"), [verifier], origin=origin)
    raws = request(fetch, "GET", "/v1/entries.ndjson").split(b"\n")[: at.size]
    if len(raws) < at.size or merkle.root_of([merkle.leaf_hash(r) for r in raws]) != at.root:
        raise HttpError("the server's entries do not hash to the root of its own checkpoint")
    state = replay((Entry.from_bytes(r) for r in raws), campaign, as_of=at.size - 1)
    payload = publication_payload(
        campaign, state, size=at.size, root=at.root, replaces=replaces, reason=reason
    )
    submission = Submission.new(signer, log=origin, type=PUBLISH, payload=payload, time=clock())
    body = canonical.canonical(submission.to_value())
    receipt = post_json(fetch, "/v1/entries", body)
    index = int(receipt["index"])
    raw = str(get_json(fetch, f"/v1/entries/{index}")["raw"]).encode()
    entry = Entry.from_bytes(raw)
    if entry.hash != receipt["entry_hash"] or not submission.same_as(entry):
        raise HttpError(f"the server's entry {index} is not the publication it was sent")
    given = parse_tlog_proof(str(receipt["tlog_proof"]))
    proof = format_tlog_proof(index, given.proof, given.checkpoint, extra=raw)
    get_text(fetch, "/v1/checkpoint")  # let the server store a checkpoint covering it
    return Published(entry, origin, vkey, proof, _takes(state))


def write_publication(published: Published, out: Path) -> dict[str, Path]:
    """Write the published files into ``out``; return them by kind.

    A ``log.vkey`` already there is never replaced: if it holds another key, it is
    left out of the result (the caller warns).
    """
    out.mkdir(parents=True, exist_ok=True)
    i = published.entry.index
    document = published.document()
    paths = {
        "proof": out / f"publication-{i}.tlog-proof",
        "document": out / f"publication-{i}.json",
        "ranking": out / f"ranking-{i}.json",
        "page": out / f"publication-{i}.html",
        "log_key": out / "log.vkey",
    }
    paths["proof"].write_text(published.proof, encoding="utf-8")
    paths["document"].write_bytes(canonical.canonical(document))
    paths["ranking"].write_bytes(canonical.canonical(document["ranking"]))
    if other_log_key(paths["log_key"], published.log_key) is not None:
        del paths["log_key"]
    elif not paths["log_key"].is_file():
        paths["log_key"].write_text(published.log_key + "\n", encoding="utf-8")
    page = publication_html(
        document,
        takes=published.takes,
        log_key=published.log_key,
        files={"ranking": paths["ranking"].name, "proof": paths["proof"].name},
    )
    paths["page"].write_text(page, encoding="utf-8")
    return paths


def publish_command(
    campaign: Annotated[str, typer.Argument(help="Campaign code, e.g. c2026")],
    key: Annotated[Path, typer.Option("--key", help="The office's encrypted private key file")],
    log_key: Annotated[
        Path | None,
        typer.Option(
            "--log-key",
            envvar="PINGYI_LOG_KEY",
            help="The log's checkpoint key file (needed with --store)",
        ),
    ] = None,
    store: Annotated[
        str | None, typer.Option("--store", envvar=STORE_ENV, help="Store URL")
    ] = None,
    url: Annotated[
        str | None, typer.Option("--url", help="Publish through a running pingyi server instead")
    ] = None,
    out: Annotated[Path, typer.Option("--out", help="Directory for the published files")] = Path(
        "publication"
    ),
    replaces: Annotated[
        str | None, typer.Option("--replaces", help="Entry id of the publication this corrects")
    ] = None,
    reason: Annotated[
        str | None, typer.Option("--reason", help="Why (required with --replaces)")
    ] = None,
) -> None:
    """Publish a campaign's ranking: a signed entry at a checkpoint, a receipt, JSON and a page."""
    if replaces is not None and not reason:
        _fail("a correction needs --reason: say why the earlier publication is replaced")
    try:
        signer = load_signer(key)
        if url is not None:
            published = publish_via_api(
                urllib_fetch(url), campaign, signer, replaces=replaces, reason=reason
            )
        else:
            if log_key is None:
                _fail("give --log-key (the checkpoint key) to publish in a store, or use --url")
            assert log_key is not None
            published = publish_to_store(
                store_url(store), campaign, signer, log_key, replaces=replaces, reason=reason
            )
    except (LedgerError, ProjectionError, HttpError, OSError) as exc:
        _fail(str(exc))
    paths = write_publication(published, out)
    payload = published.entry.payload
    root = base64.b64decode(payload["checkpoint"]["root"]).hex()
    render.console.print(
        f"已公示 published campaign {escape(campaign)} as entry {published.entry.index} "
        f"({published.entry.id})\n"
        f"  checkpoint size {payload['checkpoint']['size']}, root {root[:16]}…\n"
        f"  digest {payload['digest']}"
    )
    for kind, path in paths.items():
        render.console.print(f"  {kind:9} {escape(str(path))}")
    if "log_key" not in paths:
        render.errors.print(
            f"[bold yellow]warning:[/] {escape(str(out / 'log.vkey'))} holds another log's key "
            f"and was left as it is; this log's key is\n  {escape(published.log_key)}\n"
            "publish into another directory, or compare both with the key the office publishes"
        )


def _fail(message: str) -> None:
    render.errors.print(f"[bold red]error:[/] {escape(message)}")
    raise typer.Exit(2)


__all__ = [
    "Published",
    "publish_command",
    "publish_in",
    "publish_to_store",
    "publish_via_api",
    "write_publication",
]
