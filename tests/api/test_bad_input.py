"""Bad input on every endpoint: a 4xx problem document naming the problem, and the log unchanged.

Each case is (method, path, request keywords, status, problem code, words in the
detail). Cases that need signed data build it from the world. After every case
the log's size, Merkle root and head are compared with those before.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.auth import auth_message
from tests.support import World, labelled_key

Case = tuple[str, str, Any, int, str, str]
JSON = {"content-type": "application/json"}
UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"
TOO_BIG = b"x" * 70_000


def signed(world: World, n: int, **change: Any) -> bytes:
    sub = world.finding(n)
    return json.dumps({**sub.to_value(), **change}).encode()


def token_request(client: TestClient, world: World, signer_label: str, **change: str) -> bytes:
    key = labelled_key(signer_label) if signer_label != "supervisor" else world.supervisor
    nonce = client.post("/v1/auth/challenge").json()["nonce"]
    signature = base64.b64encode(key.sign_raw(auth_message(world.ledger.origin, nonce, key.key_id)))
    value = {"key": key.key_id, "nonce": nonce, "signature": signature.decode()} | change
    return json.dumps(value).encode()


def entries_cases(w: World, c: TestClient) -> list[Case]:
    office_finding = w.sign(w.office, "finding.record", w.finding(1).payload)
    nope = w.sign(w.supervisor, "finding.record", dict(w.finding(1).payload, unit="NOPE"))
    return [
        ("POST", "/v1/entries", {"content": b"{not json"}, 400, "encoding", "malformed JSON"),
        ("POST", "/v1/entries", {"content": b"\xff\xfe"}, 400, "encoding", "not UTF-8"),
        (
            "POST",
            "/v1/entries",
            {"content": b'{"statement":{},"statement":{}}'},
            400,
            "encoding",
            "duplicate key",
        ),
        (
            "POST",
            "/v1/entries",
            {"content": b'{"statement": 5, "signature": "x"}'},
            422,
            "bad-payload",
            "JSON object",
        ),
        (
            "POST",
            "/v1/entries",
            {"content": signed(w, 1, signature=5)},
            422,
            "bad-payload",
            "signature must be",
        ),
        ("POST", "/v1/entries", {"content": b'{"statement": {}}'}, 422, "bad-payload", "exactly"),
        ("POST", "/v1/entries", {"content": TOO_BIG}, 413, "too-large", "limit"),
        (
            "POST",
            "/v1/entries",
            {"content": signed(w, 1, signature=w.finding(2).signature)},
            400,
            "bad-signature",
            "does not verify",
        ),
        (
            "POST",
            "/v1/entries",
            {"content": json.dumps(office_finding.to_value()).encode()},
            403,
            "wrong-role",
            "needs a key with role",
        ),
        (
            "POST",
            "/v1/entries",
            {"content": json.dumps(w.finding(1, labelled_key("x")).to_value()).encode()},
            403,
            "unknown-key",
            "register it",
        ),
        (
            "POST",
            "/v1/entries",
            {"content": json.dumps(nope.to_value()).encode()},
            422,
            "bad-payload",
            "NOPE",
        ),
        (
            "GET",
            "/v1/entries",
            {"params": {"limit": "many"}},
            422,
            "invalid-request",
            "query.limit",
        ),
        ("GET", "/v1/entries", {"params": {"limit": 0}}, 422, "invalid-request", "query.limit"),
        ("GET", "/v1/entries", {"params": {"after": 2**62}}, 422, "invalid-request", "query.after"),
        ("DELETE", "/v1/entries", {}, 405, "http", "not allowed"),
    ]


def batches_cases(w: World, c: TestClient) -> list[Case]:
    good = signed(w, 1)
    return [
        ("POST", "/v1/batches", {"content": good + b"\n{not json"}, 400, "encoding", "line 2"),
        ("POST", "/v1/batches", {"content": good + b"\n[1, 2]"}, 422, "bad-payload", "line 2"),
        (
            "POST",
            "/v1/batches",
            {"content": good + b'\n{"statement": {}}'},
            422,
            "bad-payload",
            "exactly",
        ),
        ("POST", "/v1/batches", {"content": b"\n\n"}, 422, "empty", "no submission"),
        ("POST", "/v1/batches", {"content": TOO_BIG}, 413, "too-large", "limit"),
        # all or none: a valid first line is not appended when the second is refused
        (
            "POST",
            "/v1/batches",
            {"content": good + b"\n" + signed(w, 2, signature=w.finding(3).signature)},
            400,
            "bad-signature",
            "does not verify",
        ),
        (
            "POST",
            "/v1/batches",
            {
                "content": good
                + b"\n"
                + json.dumps(
                    w.sign(w.office, "finding.record", w.finding(4).payload).to_value()
                ).encode()
            },
            403,
            "wrong-role",
            "needs a key with role",
        ),
    ]


def log_cases(w: World, c: TestClient) -> list[Case]:
    return [
        ("DELETE", "/v1/log", {}, 405, "http", "use GET"),
        ("POST", "/v1/checkpoint", {}, 405, "http", "use GET"),
        (
            "GET",
            "/v1/checkpoints",
            {"params": {"after": -5}},
            422,
            "invalid-request",
            "query.after",
        ),
        (
            "GET",
            "/v1/checkpoints",
            {"params": {"after": "x"}},
            422,
            "invalid-request",
            "query.after",
        ),
        (
            "GET",
            "/v1/entries.ndjson",
            {"params": {"after": "x"}},
            422,
            "invalid-request",
            "query.after",
        ),
        ("GET", "/v1/entries/99", {}, 404, "no-entry", "no entry 99"),
        ("GET", "/v1/entries/-1", {}, 422, "invalid-request", "path.index"),
        ("GET", "/v1/entries/abc", {}, 422, "invalid-request", "path.index"),
        ("GET", f"/v1/entries/{2**63}", {}, 422, "invalid-request", "path.index"),
        ("GET", f"/v1/entry-ids/{UNKNOWN_ID}", {}, 404, "no-entry", UNKNOWN_ID),
        ("GET", "/v1/entry-ids/x", {}, 422, "invalid-request", "path.entry_id"),
        ("GET", "/v1/proofs/inclusion", {}, 422, "invalid-request", "query.index: Field required"),
        ("GET", "/v1/proofs/inclusion", {"params": {"index": 99}}, 404, "out-of-range", "99"),
        (
            "GET",
            "/v1/proofs/inclusion",
            {"params": {"index": 3, "size": 2}},
            404,
            "out-of-range",
            "size 2",
        ),
        (
            "GET",
            "/v1/proofs/inclusion",
            {"params": {"index": 0, "size": 0}},
            422,
            "invalid-request",
            "query.size",
        ),
        ("GET", "/v1/proofs/consistency", {}, 422, "invalid-request", "query.size1"),
        ("GET", "/v1/proofs/consistency", {"params": {"size1": 99}}, 404, "out-of-range", "99"),
        (
            "GET",
            "/v1/proofs/consistency",
            {"params": {"size1": 3, "size2": 2}},
            404,
            "out-of-range",
            "3..2",
        ),
        ("POST", "/healthz", {}, 405, "http", "use GET"),
        ("POST", "/readyz", {}, 405, "http", "use GET"),
        ("POST", "/metrics", {}, 405, "http", "use GET"),
        ("GET", "/v1/nowhere", {}, 404, "http", "no such endpoint"),
    ]


def ranking_cases(w: World, c: TestClient) -> list[Case]:
    return [
        ("POST", "/v1/campaigns", {}, 405, "http", "use GET"),
        ("GET", "/v1/campaigns/c1999/ranking", {}, 404, "no-campaign", "c1999"),
        (
            "GET",
            "/v1/campaigns/c2026/ranking",
            {"params": {"as_of": -1}},
            422,
            "invalid-request",
            "query.as_of",
        ),
        (
            "GET",
            "/v1/campaigns/c2026/ranking",
            {"params": {"as_of": "x"}},
            422,
            "invalid-request",
            "query.as_of",
        ),
        (
            "GET",
            "/v1/campaigns/c2026/ranking",
            {"params": {"as_of": 50}},
            404,
            "out-of-range",
            "as_of 50",
        ),
        (
            "GET",
            "/v1/campaigns/c2026/ranking",
            {"params": {"format": "xml"}},
            422,
            "invalid-request",
            "query.format",
        ),
        ("GET", "/v1/campaigns/bad code/ranking", {}, 422, "invalid-request", "path.campaign"),
        ("GET", "/v1/campaigns/c2026/units/NOPE/explanation", {}, 404, "no-unit", "NOPE"),
        ("GET", "/v1/campaigns/c1999/units/OT001/explanation", {}, 404, "no-campaign", "c1999"),
        ("GET", "/v1/campaigns/c2026/units/!/explanation", {}, 422, "invalid-request", "path.unit"),
        (
            "GET",
            "/v1/publications",
            {"params": {"campaign": "bad code"}},
            422,
            "invalid-request",
            "query.campaign",
        ),
        ("GET", f"/v1/publications/{UNKNOWN_ID}", {}, 404, "no-publication", UNKNOWN_ID),
        ("GET", "/v1/publications/12", {}, 422, "invalid-request", "path.entry_id"),
    ]


def auth_cases(w: World, c: TestClient) -> list[Case]:
    post = "/v1/auth/token"
    return [
        ("GET", "/v1/auth/challenge", {}, 405, "http", "use POST"),
        ("POST", "/v1/auth/challenge", {"content": TOO_BIG}, 413, "too-large", "limit"),
        ("POST", post, {"content": b"{bad", "headers": JSON}, 400, "encoding", "malformed JSON"),
        (
            "POST",
            post,
            {"content": b'{"key": 5}', "headers": JSON},
            422,
            "invalid-request",
            "body.key",
        ),
        (
            "POST",
            post,
            {"content": b'{"key": "' + b"0" * 32 + b'"}', "headers": JSON},
            422,
            "invalid-request",
            "body.nonce: Field required",
        ),
        (
            "POST",
            post,
            {"content": token_request(c, w, "inspector", extra="x"), "headers": JSON},
            422,
            "invalid-request",
            "body.extra",
        ),
        ("POST", post, {"content": b"[1]", "headers": JSON}, 422, "invalid-request", "body"),
        (
            "POST",
            post,
            {"content": token_request(c, w, "inspector")},
            415,
            "media-type",
            "application/json",
        ),
        ("POST", post, {"content": TOO_BIG, "headers": JSON}, 413, "too-large", "limit"),
        (
            "POST",
            post,
            {"content": token_request(c, w, "inspector", nonce="B" * 43), "headers": JSON},
            401,
            "unknown-nonce",
            "challenge",
        ),
        (
            "POST",
            post,
            {
                "content": token_request(c, w, "inspector", signature="A" * 86 + "=="),
                "headers": JSON,
            },
            401,
            "bad-signature",
            "does not verify",
        ),
        (
            "POST",
            post,
            {"content": token_request(c, w, "supervisor"), "headers": JSON},
            403,
            "wrong-role",
            "inspector",
        ),
        (
            "POST",
            post,
            {"content": token_request(c, w, "nobody"), "headers": JSON},
            401,
            "unknown-key",
            "register",
        ),
    ]


def private_cases(w: World, c: TestClient) -> list[Case]:
    person = "/v1/private/people/P0123456789abcdef0123"
    pool = "/v1/private/pools/c2026/deputies/people"
    junk = {"headers": {"authorization": "Bearer junk"}}
    grant = c.post("/v1/auth/token", content=token_request(c, w, "inspector"), headers=JSON)
    valid = {"headers": {"authorization": f"Bearer {grant.json()['token']}"}}
    return [
        ("GET", person, {}, 401, "no-token", "Authorization: Bearer"),
        ("GET", person, junk, 401, "bad-token", "get a new one"),
        ("GET", pool, {}, 401, "no-token", "Authorization: Bearer"),
        ("GET", pool, {"headers": {"authorization": "Token abc"}}, 401, "no-token", "Bearer"),
        ("GET", "/v1/private/people/bob", valid, 422, "invalid-request", "path.pseudonym"),
        (
            "GET",
            "/v1/private/pools/c2026/bad pool/people",
            valid,
            422,
            "invalid-request",
            "path.pool",
        ),
        ("GET", person, valid, 404, "no-person", "P0123456789abcdef0123"),
        ("GET", pool, valid, 404, "no-pool", "deputies"),
        ("POST", pool, {}, 405, "http", "use GET"),
    ]


def head(client: TestClient, world: World) -> tuple[int, str, str]:
    info = client.get("/v1/log").json()
    with world.reopen() as ledger:
        return info["size"], info["root"], ledger.state.head


GROUPS: dict[str, Callable[[World, TestClient], list[Case]]] = {
    "entries": entries_cases,
    "batches": batches_cases,
    "log": log_cases,
    "rankings": ranking_cases,
    "auth": auth_cases,
    "private": private_cases,
}


@pytest.mark.parametrize("group", sorted(GROUPS))
def test_bad_input_gets_a_problem_and_leaves_the_log_alone(
    client: TestClient, world: World, group: str
) -> None:
    from tests.api.support import register

    register(world, "inspector", ["inspector"])
    world.add_findings(3)
    cases = GROUPS[group](world, client)
    before = head(client, world)
    for method, path, kwargs, status, code, words in cases:
        r = client.request(method, path, **kwargs)
        where = f"{method} {path} {str(kwargs)[:80]}"
        assert r.status_code == status, (where, r.text)
        assert r.headers["content-type"] == "application/problem+json", where
        problem = r.json()
        assert problem["type"] == f"urn:pingyi:problem:{code}", (where, problem)
        assert problem["status"] == status and problem["title"], where
        assert words in problem["detail"], (where, problem["detail"])
        assert head(client, world) == before, where
