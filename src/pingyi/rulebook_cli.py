"""`pingyi rulebook`: validate a rulebook document, and adopt one into a campaign by a signed entry."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pingyi import render
from projections.errors import ProjectionError
from projections.presets import load_preset, preset_text
from projections.rulebook import Rulebook, load_rulebook, rulebook_document, rulebook_hash

rulebook_app = typer.Typer(help="Validate and adopt rulebooks.", no_args_is_help=True)

Source = Annotated[Path | None, typer.Argument(help="Rulebook file (YAML or JSON)")]
Preset = Annotated[str | None, typer.Option(help="A seed preset instead of a file: 000..004")]


def read(source: Path | None, preset: str | None) -> Rulebook:
    if (source is None) == (preset is None):
        render.errors.print("[bold red]error:[/] give a rulebook file or --preset, not both")
        raise typer.Exit(2)
    try:
        if preset is not None:
            return load_preset(preset)
        assert source is not None
        return load_rulebook(source.read_text(encoding="utf-8"))
    except (ProjectionError, OSError) as exc:
        render.errors.print(f"[bold red]invalid rulebook:[/] {exc}")
        raise typer.Exit(2) from None


@rulebook_app.command("validate")
def validate(source: Source = None, preset: Preset = None) -> None:
    """Check a rulebook; print its content hash, or every problem with its field path."""
    rulebook = read(source, preset)
    render.console.print(
        f"valid rulebook, {len(rulebook.units)} units; hash {rulebook_hash(rulebook)}"
    )


@rulebook_app.command("show")
def show(preset: Annotated[str, typer.Argument(help="Preset 000..004")]) -> None:
    """Print a preset rulebook (YAML), to copy and adapt."""
    print(preset_text(preset), end="")


def adoption_payload(campaign: str, rulebook: Rulebook, reason: str) -> dict[str, object]:
    return {
        "campaign": campaign,
        "rulebook": rulebook_document(rulebook),
        "hash": rulebook_hash(rulebook),
        "reason": reason,
    }
