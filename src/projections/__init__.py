"""Scores and rankings derived from the record: rulebooks, pure scoring, replay.

A :class:`Rulebook` (YAML or JSON, validated, hashed) declares a campaign's
scheme; :func:`score` turns (rulebook, facts) into a :class:`CampaignResult`
with no I/O, clock, randomness or floats; :func:`explain` lists every entry
that moved a unit's score; :func:`check_fact` refuses facts naming unknown
units, components or levels before they are appended; :mod:`projections.render`
prints ranking tables and explanations as text and canonical JSON.
"""

from projections.checks import check_fact
from projections.errors import FactError, PresetError, ProjectionError, RulebookError
from projections.explain import Explanation, explain
from projections.presets import load_preset
from projections.render import (
    explanation_text,
    explanation_to_json,
    ranking_text,
    ranking_to_json,
)
from projections.result import CampaignResult
from projections.rulebook import (
    Rulebook,
    load_rulebook,
    revise,
    rulebook_from_data,
    rulebook_hash,
    rulebook_json_schema,
)
from projections.sampling import sample_size
from projections.scoring import score

__all__ = [
    "CampaignResult",
    "Explanation",
    "FactError",
    "PresetError",
    "ProjectionError",
    "Rulebook",
    "RulebookError",
    "check_fact",
    "explain",
    "explanation_text",
    "explanation_to_json",
    "load_preset",
    "load_rulebook",
    "ranking_text",
    "ranking_to_json",
    "revise",
    "rulebook_from_data",
    "rulebook_hash",
    "rulebook_json_schema",
    "sample_size",
    "score",
]
