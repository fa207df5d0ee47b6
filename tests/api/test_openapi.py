"""The OpenAPI description is complete: every route, its models, and its problem responses."""

from __future__ import annotations

from typing import Any

from fastapi.routing import APIRoute

from api.app import create_app
from api.service import Settings

PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
NO_STORE = {"/healthz", "/metrics"}  # answered without the store


def described() -> tuple[Any, dict[str, Any]]:
    app = create_app(Settings("sqlite:///unused.db", None, 1024))
    return app, app.openapi()


def test_every_route_is_described() -> None:
    app, spec = described()

    def walk(routes: list[Any]) -> list[APIRoute]:
        found = []
        for route in routes:
            if isinstance(route, APIRoute):
                found.append(route)
            elif hasattr(route, "original_router"):  # an included router
                found += walk(route.original_router.routes)
        return found

    routes = {(m.lower(), route.path) for route in walk(app.routes) for m in route.methods}
    documented = {(m, p) for p, ops in spec["paths"].items() for m in ops}
    assert routes == documented
    assert len(documented) >= 23


def test_every_route_declares_its_problems_with_the_problem_schema() -> None:
    _, spec = described()
    problem = spec["components"]["schemas"]["Problem"]
    assert set(problem["required"]) == {"type", "title", "status", "detail"}
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            where = f"{method.upper()} {path}"
            statuses = {int(s) for s in op["responses"]}
            for status, response in op["responses"].items():
                if int(status) >= 400:
                    assert response["content"] == PROBLEM, where
                else:
                    assert response["content"], where  # every answer has a declared body
            params = op.get("parameters", [])
            need = set()
            if params or "requestBody" in op:
                need.add(422)
            if any(p["in"] == "path" for p in params):
                need.add(404)
            if "requestBody" in op:
                need |= {400, 413}
            if path not in NO_STORE:
                need.add(503)
            if op.get("security"):
                need |= {401, 403}
            assert need <= statuses, f"{where} does not declare {sorted(need - statuses)}"
            assert any(200 <= s < 300 for s in statuses), where


def test_models_are_referenced() -> None:
    _, spec = described()
    paths = spec["paths"]

    def ok(path: str, method: str = "get", status: str = "200") -> dict[str, Any]:
        content: dict[str, Any] = paths[path][method]["responses"][status]["content"]
        return content

    assert ok("/v1/entries", "post", "201")["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Receipt"
    }
    ranking = ok("/v1/campaigns/{campaign}/ranking")
    assert ranking["application/json"]["schema"]["$ref"].endswith("RankingDocument")
    assert "text/plain" in ranking
    token = paths["/v1/auth/token"]["post"]["requestBody"]["content"]["application/json"]
    assert token["schema"]["$ref"].endswith("TokenRequest")
    private = paths["/v1/private/people/{pseudonym}"]["get"]
    assert private["security"] == [{"inspector": []}]
    assert spec["components"]["securitySchemes"]["inspector"]["scheme"] == "bearer"
    statement = paths["/v1/entries"]["post"]["requestBody"]["content"]["application/json"]
    assert "statement" in statement["schema"]["required"]
