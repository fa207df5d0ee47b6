"""`pingyi receipt verify FILE`: check a receipt (entry + C2SP tlog-proof) offline with the log's key."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from ledger.errors import LedgerError
from pingyi import render
from pingyi.verify_cli import read_vkey
from verifier.receipt import verify_receipt

receipt_app = typer.Typer(
    help="Check receipts (an entry with its inclusion proof).", no_args_is_help=True
)


@receipt_app.command("verify")
def receipt_verify(
    file: Annotated[Path, typer.Argument(help="The receipt: a .tlog-proof file")],
    vkey: Annotated[
        str | None,
        typer.Option(
            "--vkey",
            help="The log's verifier key (C2SP vkey, or a file holding it); "
            "default: log.vkey next to the receipt",
        ),
    ] = None,
    entry: Annotated[
        Path | None,
        typer.Option("--entry", help="The entry's exact bytes, if the proof does not carry them"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable JSON output")] = False,
) -> None:
    """Verify offline that an entry is in the log under a checkpoint signed by the log's key."""
    key = read_vkey(vkey)
    source = "given with --vkey"
    beside = file.parent / "log.vkey"
    if key is None and beside.is_file():
        key, source = beside.read_text(encoding="utf-8").strip(), f"{beside} (next to the receipt)"
    if key is None:
        _fail("give the log's verifier key with --vkey (get it from a source you trust)", 2)
    assert key is not None
    try:
        verified = verify_receipt(
            file.read_bytes(), key, None if entry is None else entry.read_bytes()
        )
    except (LedgerError, OSError) as exc:
        if as_json:
            render.print_json({"verdict": "fail", "problem": str(exc), "log_key": key})
            raise typer.Exit(1) from None
        _fail(f"未通过 FAIL: {exc}", 1)
    e, c = verified.entry, verified.checkpoint
    if as_json:
        render.print_json(
            {
                "verdict": "pass",
                "index": e.index,
                "entry": e.id,
                "type": e.type,
                "entry_hash": e.hash,
                "log": c.origin,
                "checkpoint_size": c.size,
                "log_key": key,
                "log_key_source": source,
            }
        )
        return
    render.console.print(
        f"[bold green]通过 PASS[/] entry #{e.index} ({escape(e.type)}, {e.id}) is in log "
        f"{escape(c.origin)} under the checkpoint of size {c.size} signed by\n  {escape(key)} "
        f"({escape(source)})\n  entry hash {e.hash}; signed by key {e.signer} at {e.statement['time']}"
    )


def _fail(message: str, code: int) -> None:
    render.errors.print(f"[bold red]error:[/] {escape(message)}")
    raise typer.Exit(code)


__all__ = ["receipt_app"]
