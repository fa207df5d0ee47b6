"""`pingyi export CAMPAIGN --out BUNDLE`: write a self-contained verification bundle.

The bundle holds the log prefix up to the latest signed checkpoint (decision
0001), the checkpoints with consistency proofs between consecutive ones, the
campaign's rulebooks and publications and the log's verifier key; see
:mod:`pingyi.bundle_writer` and docs/verification.md §8.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.progress import Progress

from ledger.entry import Entry
from ledger.errors import LedgerError
from ledger.store import STORE_ENV, store_url
from ledger.store.app import Ledger, Store, log_id_for
from pingyi import render
from pingyi.bundle_writer import BundleWriteError, write_bundle
from pingyi.keyfiles import load_log_signer
from verifier.bundle_files import ARCHIVE_SUFFIXES


def export_store(
    url: str,
    campaign: str,
    out: Path,
    *,
    origin: str | None = None,
    log_key_file: Path | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Write the bundle of ``campaign`` from the store at ``url``; return its manifest."""
    if log_key_file is not None:  # first sign a checkpoint at the current size
        with Ledger.open(url, origin) as probe:
            name = probe.origin
        with Ledger.open(url, name, log_signer=load_log_signer(log_key_file, name)) as ledger:
            ledger.checkpoint()
    store = Store(url)
    try:
        origins = store.origins()
        if origin is None:
            if len(origins) != 1:
                raise BundleWriteError(
                    f"the store holds {len(origins)} logs ({origins}); name one with --log"
                )
            origin = origins[0]
        elif origin not in origins:
            raise BundleWriteError(f"the store holds no log {origin!r} (it holds {origins})")
        recorder = store.log_recorder
        log_id = log_id_for(origin)
        stored = recorder.checkpoints(log_id)
        if not stored:
            raise BundleWriteError("the log has no signed checkpoint; run `pingyi checkpoint`")
        genesis = Entry.from_bytes(recorder.read_entries(log_id, -1, 1)[0])
        size = stored[-1].size
        task = None if progress is None else progress.add_task("export", total=size)

        def advance(done: int) -> None:
            if progress is not None and task is not None:
                progress.update(task, completed=done)

        return write_bundle(
            out,
            origin=origin,
            campaign=campaign,
            log_key=str(genesis.payload["log_key"]),
            entries=recorder.iter_entries(log_id),
            checkpoints=[c.note for c in stored],
            progress=advance,
            generator="pingyi export",
        )
    finally:
        store.close()


def export_command(
    campaign: Annotated[str, typer.Argument(help="Campaign code, e.g. c2026")],
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            help=f"A new directory, or an archive ({', '.join(ARCHIVE_SUFFIXES)})",
        ),
    ],
    store: Annotated[
        str | None, typer.Option("--store", envvar=STORE_ENV, help="Store URL")
    ] = None,
    origin: Annotated[
        str | None, typer.Option("--log", help="The log's origin (when the store holds several)")
    ] = None,
    log_key: Annotated[
        Path | None,
        typer.Option(
            "--log-key", help="Sign a checkpoint at the current size first (checkpoint key file)"
        ),
    ] = None,
) -> None:
    """Write a self-contained verification bundle for a campaign (see its README.txt)."""
    with render.counting("导出 exporting") as bar:
        try:
            manifest = export_store(
                store_url(store), campaign, out, origin=origin, log_key_file=log_key, progress=bar
            )
        except (LedgerError, BundleWriteError, OSError) as exc:
            render.errors.print(f"[bold red]error:[/] {escape(str(exc))}")
            raise typer.Exit(2) from None
    entries = manifest["entries"]
    render.console.print(
        f"已导出 exported {escape(str(out))}: {entries['count']:,} entries, "
        f"{len(manifest['checkpoints'])} checkpoints, "
        f"{len(manifest['rulebooks'])} rulebook(s), "
        f"{len(manifest['publications'])} publication(s)\n"
        f"verify it with: pingyi verify {escape(str(out))}"
    )


__all__ = ["export_command", "export_store"]
