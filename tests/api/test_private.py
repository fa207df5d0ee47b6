"""Inspector-only private data: a signed challenge with a registered key, never a password."""

from __future__ import annotations

import base64
import json
import logging
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.auth import auth_message
from api.logs import JsonFormatter
from ledger.keys import Signer
from tests.api.support import Clock, register
from tests.support import ORIGIN, World, labelled_key
from vault.people import open_people_store
from vault.roster import Enrolment, Person, enroll

PEOPLE = [
    Person.of(name="张三", group="npc_deputy", phone="13800000001", id_number="110101199001011234"),
    Person.of(name="李四", group="cppcc_member", affiliation="OT003", leader=True),
    Person.of(name="王五", group="npc_deputy", phone="13800000003"),
]


@pytest.fixture
def enrolled(private_url: str) -> list[Enrolment]:
    counter = iter(range(1, 10_000))
    enrolments = enroll(PEOPLE, token=lambda n: bytes([next(counter) % 256]) * n)
    with open_people_store(private_url) as store:
        store.add("c2026", "deputies", enrolments)
        store.erase(enrolments[2].pseudonym, "TEST: erasure request 2026-001")
    return enrolments


@pytest.fixture
def inspector(world: World) -> Signer:
    return register(world, "inspector 1", ["inspector"])


def signed(client: TestClient, key: Signer, **change: str) -> dict[str, str]:
    """A token request for a fresh challenge, signed by ``key`` (fields overridable)."""
    challenge = client.post("/v1/auth/challenge").json()
    message = auth_message(challenge["log"], challenge["nonce"], key.key_id)
    request = {
        "key": key.key_id,
        "nonce": challenge["nonce"],
        "signature": base64.b64encode(key.sign_raw(message)).decode(),
    }
    return request | change


def token_for(client: TestClient, key: Signer) -> str:
    r = client.post("/v1/auth/token", json=signed(client, key))
    assert r.status_code == 200, r.text
    return str(r.json()["token"])


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def test_the_signed_bytes() -> None:
    nonce = "A" * 43
    assert auth_message("pingyi.example/x", nonce, "0" * 32) == (
        b'pingyi/auth/v1\n{"key":"00000000000000000000000000000000","log":"pingyi.example/x",'
        b'"nonce":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","purpose":"private-read"}'
    )


def test_challenge_is_bound_to_the_log_and_expires(client: TestClient) -> None:
    first = client.post("/v1/auth/challenge").json()
    second = client.post("/v1/auth/challenge").json()
    assert first["log"] == ORIGIN and first["purpose"] == "private-read"
    assert first["nonce"] != second["nonce"] and len(first["nonce"]) == 43
    assert first["expires"] == "2026-11-21T09:01:00Z"
    assert first["nonce"] in first["message"]


def test_an_inspector_reads_a_pool_and_a_person_and_each_read_is_logged(
    client: TestClient,
    inspector: Signer,
    enrolled: list[Enrolment],
    caplog: pytest.LogCaptureFixture,
) -> None:
    token = token_for(client, inspector)
    with caplog.at_level(logging.INFO, logger="pingyi.api"):
        pool = client.get("/v1/private/pools/c2026/deputies/people", headers=bearer(token))
        one = client.get(f"/v1/private/people/{enrolled[0].pseudonym}", headers=bearer(token))
    assert pool.status_code == 200, pool.text
    people = pool.json()["people"]
    assert [p["pseudonym"] for p in people] == [e.pseudonym for e in enrolled]
    assert people[0]["person"]["name"] == "张三" and people[0]["salt"] == enrolled[0].salt.hex()
    assert people[0]["commitment"] == enrolled[0].commitment
    assert people[1]["person"]["leader"] is True
    erased = people[2]
    assert erased["erased"] and erased["person"] is None and erased["salt"] is None
    assert erased["erased_reason"].startswith("TEST: erasure")
    assert one.status_code == 200 and one.json()["person"]["id_number"] == "110101199001011234"

    lines = [json.loads(JsonFormatter().format(r)) for r in caplog.records]
    reads = [line for line in lines if line["event"] == "private-read"]
    assert [r.get("pseudonym") for r in reads] == [None, enrolled[0].pseudonym]
    assert reads[0]["pseudonyms"] == [e.pseudonym for e in enrolled]
    assert all(r["key"] == inspector.key_id for r in reads)
    text = json.dumps(lines, ensure_ascii=False)
    for secret in ("张三", "13800000001", "110101199001011234", token, enrolled[0].salt.hex()):
        assert secret not in text
    metrics = client.get("/metrics").text
    assert 'pingyi_private_reads_total{kind="pool"}' in metrics
    assert 'pingyi_auth_total{outcome="granted"}' in metrics


def refused(r: Any, status: int, code: str, words: str) -> None:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    problem = r.json()
    assert problem["type"] == f"urn:pingyi:problem:{code}", problem
    assert words in problem["detail"], problem["detail"]
    if status == 401:
        assert r.headers["www-authenticate"].startswith("Bearer")


def test_refusals_say_what_to_do(
    client: TestClient, world: World, inspector: Signer, clock: Clock
) -> None:

    def post(request: dict[str, str]) -> Any:
        return client.post("/v1/auth/token", json=request)

    refused(post(signed(client, world.supervisor)), 403, "wrong-role", "role inspector")
    nobody = labelled_key("nobody")
    refused(post(signed(client, nobody)), 401, "unknown-key", "ask a registrar")
    other = signed(client, inspector)
    refused(
        post(signed(client, inspector, signature=other["signature"])),
        401,
        "bad-signature",
        "pingyi/auth/v1",
    )
    refused(post(signed(client, inspector, nonce="A" * 43)), 401, "unknown-nonce", "challenge")
    once = signed(client, inspector)
    assert post(once).status_code == 200
    refused(post(once), 401, "nonce-reused", "new one")
    late = signed(client, inspector)
    clock.advance(seconds=61)
    refused(post(late), 401, "nonce-expired", "new one")

    revoked = register(world, "inspector 2", ["inspector"])
    world.append(world.office, "key.revoke", {"key_id": revoked.key_id, "reason": "TEST: left"})
    refused(post(signed(client, revoked)), 403, "revoked-key", "TEST: left")


def test_tokens_are_needed_expire_and_follow_revocation(
    client: TestClient, world: World, inspector: Signer, clock: Clock, enrolled: list[Enrolment]
) -> None:
    path = f"/v1/private/people/{enrolled[0].pseudonym}"
    refused(client.get(path), 401, "no-token", "POST /v1/auth/challenge")
    refused(client.get(path, headers={"authorization": "Basic eDp5"}), 401, "no-token", "Bearer")
    refused(client.get(path, headers=bearer("forged")), 401, "bad-token", "get a new one")
    token = token_for(client, inspector)
    assert client.get(path, headers=bearer(token)).status_code == 200
    clock.advance(minutes=11)
    refused(client.get(path, headers=bearer(token)), 401, "token-expired", "get a new one")
    token = token_for(client, inspector)
    world.append(
        world.office, "key.revoke", {"key_id": inspector.key_id, "reason": "TEST: key lost"}
    )
    refused(client.get(path, headers=bearer(token)), 403, "revoked-key", "TEST: key lost")
    metrics = client.get("/metrics").text
    assert 'pingyi_auth_total{outcome="revoked-key"}' in metrics


def test_unknown_people_and_pools_are_404_problems(
    client: TestClient, inspector: Signer, enrolled: list[Enrolment]
) -> None:
    headers = bearer(token_for(client, inspector))
    refused(
        client.get("/v1/private/people/P00000000000000000000", headers=headers),
        404,
        "no-person",
        "P00000000000000000000",
    )
    refused(
        client.get("/v1/private/pools/c2026/nobody/people", headers=headers),
        404,
        "no-pool",
        "nobody",
    )
    bad = client.get("/v1/private/people/alice", headers=headers)
    refused(bad, 422, "invalid-request", "pseudonym")
