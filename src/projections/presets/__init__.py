"""Preset rulebooks, one per seed scheme in ``shared/seeds`` (``000`` ... ``004``).

Each preset is a YAML rulebook shipped with the package. Units (and, for seed
004, tasks) are campaign data: presets carry the seed's own units where it names
them and labelled placeholders otherwise; replace them with
:func:`projections.rulebook.revise` before adopting a preset for a campaign.
"""

from __future__ import annotations

from importlib import resources

from projections.errors import PresetError
from projections.rulebook import Rulebook, load_rulebook

PRESETS: dict[str, str] = {
    "000": "seed000.yaml",
    "001": "seed001.yaml",
    "002": "seed002.yaml",
    "003": "seed003.yaml",
    "004": "seed004.yaml",
    #: seed 000 with a county's own supplement (findings and bonuses); the demo's rulebook
    "000-county": "seed000_county.yaml",
}


def preset_text(name: str) -> str:
    """The YAML text of a preset."""
    try:
        filename = PRESETS[name]
    except KeyError:
        raise PresetError(f"unknown preset {name!r}; known presets: {', '.join(PRESETS)}") from None
    return resources.files(__package__).joinpath(filename).read_text(encoding="utf-8")


def load_preset(name: str) -> Rulebook:
    """The validated preset rulebook for seed ``name`` (``"000"`` ... ``"004"``)."""
    return load_rulebook(preset_text(name), format="yaml")
