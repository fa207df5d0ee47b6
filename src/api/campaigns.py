"""Campaigns, rankings and explanations, replayed from the log as of any position.

The JSON documents are exactly ``projections.render.ranking_to_json`` and
``explanation_to_json`` (RFC 8785 canonical JSON); ``?format=text`` or
``Accept: text/plain`` gives the bilingual tables ``pingyi replay`` prints.
The log position and rulebook version a document reflects are in the
``Pingyi-Log-Position`` and ``Pingyi-Rulebook`` headers (and in the text).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from api import problems
from api.models import CODE, MAX_INDEX, CampaignList, CampaignView, RulebookVersionView
from api.models import ExplanationDocument as ExplanationModel
from api.models import RankingDocument as RankingModel
from api.problems import Problem
from api.service import ServiceDep
from projections.render import (
    explanation_text,
    explanation_to_json,
    ranking_text,
    ranking_to_json,
)
from projections.replay import Replay

JSON = "application/json"
TEXT = "text/plain; charset=utf-8"

router = APIRouter(tags=["rankings"])

Campaign = Annotated[str, Path(pattern=CODE, description="Campaign code, e.g. c2026")]
AsOf = Annotated[
    int | None,
    Query(ge=0, le=MAX_INDEX, description="Log position: ignore every entry after it"),
]
Format = Annotated[
    Literal["json", "text"] | None,
    Query(description="json (default) or text; or send Accept: text/plain"),
]

POSITION_HEADERS = {
    "Pingyi-Log-Position": {
        "description": "The log position the document reflects",
        "schema": {"type": "integer"},
    },
    "Pingyi-Rulebook": {
        "description": "Content hash of the rulebook version in force there",
        "schema": {"type": "string"},
    },
}


def document_responses(model: type[Any]) -> dict[int | str, dict[str, Any]]:
    return {
        200: {
            "description": "The document (JSON) or the bilingual table (text)",
            "headers": POSITION_HEADERS,
            "content": {
                JSON: {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}},
                "text/plain": {"schema": {"type": "string"}},
            },
        },
        **problems.responses(404, 409, 422, 503),
    }


def wants_text(request: Request, format: str | None) -> bool:
    if format is not None:
        return format == "text"
    accept = request.headers.get("accept", "")
    return "text/plain" in accept and JSON not in accept


def header(origin: str, state: Replay) -> str:
    """The two lines ``pingyi replay`` prints above its tables."""
    last = state.versions[-1]
    count = len(state.versions)
    return (
        f"日志 Log {origin} · 活动 Campaign {state.campaign} · "
        f"截至日志位置 as of log position {state.position}\n"
        f"规则版本 Rulebook version {count} of {count}: {state.hash} "
        f"(entry #{last.index}: {last.reason})\n"
    )


def answer(body: bytes | str, text: bool, state: Replay) -> Response:
    headers = {"Pingyi-Log-Position": str(state.position), "Pingyi-Rulebook": state.hash}
    return Response(body, media_type=TEXT if text else JSON, headers=headers)


@router.get("/v1/campaigns", response_model=CampaignList, responses=problems.responses(503))
def campaigns(s: ServiceDep) -> CampaignList:
    """Every campaign in the log: its rulebook versions and where it opened and closed."""
    size, found = s.catalogue.listing()
    return CampaignList(
        size=size,
        campaigns=[
            CampaignView(
                campaign=name,
                title=c.title,
                rulebook=c.fold.hash,
                rulebook_versions=[
                    RulebookVersionView(index=v.index, entry=v.entry, type=v.type, hash=v.hash)
                    for v in c.fold.versions
                ],
                opened=c.fold.opened,
                closed=c.fold.closed,
            )
            for name, c in found
        ],
    )


@router.get(
    "/v1/campaigns/{campaign}/ranking",
    response_model=RankingModel,
    responses=document_responses(RankingModel),
)
def ranking(
    request: Request, s: ServiceDep, campaign: Campaign, as_of: AsOf = None, format: Format = None
) -> Response:
    """The campaign's ranking as of a log position (default: now)."""
    state = s.catalogue.replay(campaign, as_of)
    result = state.result()
    if wants_text(request, format):
        return answer(header(s.ledger.origin, state) + ranking_text(result), True, state)
    return answer(ranking_to_json(result), False, state)


@router.get(
    "/v1/campaigns/{campaign}/units/{unit}/explanation",
    response_model=ExplanationModel,
    responses=document_responses(ExplanationModel),
)
def explanation(
    request: Request,
    s: ServiceDep,
    campaign: Campaign,
    unit: Annotated[str, Path(pattern=CODE, description="Unit code")],
    as_of: AsOf = None,
    format: Format = None,
) -> Response:
    """Every entry that moved the unit's score, and by how much, as of a log position."""
    state = s.catalogue.replay(campaign, as_of)
    if state.rulebook.unit(unit) is None:
        raise Problem(
            404,
            "no-unit",
            f"campaign {campaign!r} has no unit {unit!r} under rulebook {state.hash}; "
            "the ranking lists its units",
        )
    exp = state.explain(unit)
    if wants_text(request, format):
        return answer(header(s.ledger.origin, state) + explanation_text(exp), True, state)
    return answer(explanation_to_json(exp), False, state)
