"""The HTTP API on SQLite and PostgreSQL: receipts with proofs, reads, and problems for bad input."""

from __future__ import annotations

import base64
import json

import pytest
from fastapi.testclient import TestClient

from ledger import merkle
from ledger.note import open_checkpoint, parse_verifier_key, verify_tlog_proof
from tests.api.support import body
from tests.support import World, labelled_key


def size(client: TestClient) -> int:
    return int(client.get("/v1/log").json()["size"])


def test_append_answers_with_a_proof_against_a_signed_checkpoint(
    client: TestClient, world: World
) -> None:
    signed = body(world, 1)
    r = client.post("/v1/entries", content=signed)
    assert r.status_code == 201, r.text
    receipt = r.json()
    assert receipt["index"] == 5 and not receipt["duplicate"]
    vkey = client.get("/v1/log").json()["log_key"]
    checkpoint = open_checkpoint(receipt["checkpoint"], [parse_verifier_key(vkey)])
    proof = [base64.b64decode(h) for h in receipt["inclusion_proof"]]
    merkle.verify_inclusion(
        base64.b64decode(receipt["leaf_hash"]), 5, checkpoint.size, proof, checkpoint.root
    )
    verify_tlog_proof(
        receipt["tlog_proof"], base64.b64decode(receipt["leaf_hash"]), [parse_verifier_key(vkey)]
    )
    again = client.post("/v1/entries", content=signed)
    assert again.status_code == 200 and again.json()["index"] == 5 and again.json()["duplicate"]


def test_reads(client: TestClient, world: World) -> None:
    lines = b"\n".join(body(world, n) for n in range(5))
    assert client.post("/v1/batches", content=lines).status_code == 201
    page = client.get("/v1/entries", params={"after": 2, "limit": 3}).json()
    assert [e["index"] for e in page["entries"]] == [3, 4, 5] and page["next_after"] == 5
    raw = client.get("/v1/entries.ndjson").content.splitlines()
    assert len(raw) == 10 and json.loads(raw[0])["index"] == 0
    one = client.get("/v1/entries/6").json()
    assert one["raw"].encode() == raw[6]
    assert client.get(f"/v1/entry-ids/{one['statement']['id']}").json()["index"] == 6
    note = client.get("/v1/checkpoint").text
    assert note.startswith(f"{world.ledger.origin}\n10\n")
    assert client.get("/v1/checkpoints").json()[-1] == note
    first = client.get("/v1/checkpoints", params={"limit": 1}).json()
    assert len(first) == 1 and first[0] != note  # oldest first, a page at a time
    assert client.get("/v1/checkpoints", params={"limit": 1001}).status_code == 422
    c = client.get("/v1/proofs/consistency", params={"size1": 4}).json()
    assert c["size2"] == 10 and len(c["proof"]) > 0
    i = client.get("/v1/proofs/inclusion", params={"index": 2, "size": 7}).json()
    assert i["checkpoint"].startswith(f"{world.ledger.origin}\n7\n")
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json()["size"] == 10
    assert "pingyi_requests_total" in client.get("/metrics").text


@pytest.mark.parametrize(
    ("make", "status", "code", "words"),
    [
        (lambda w: b"{not json", 400, "encoding", "malformed JSON"),
        (lambda w: b'{"statement": 5, "signature": "x"}', 422, "bad-payload", "JSON object"),
        (lambda w: b'{"statement": {}}', 422, "bad-payload", "exactly"),
        (
            lambda w: json.dumps(
                {
                    "statement": dict(w.finding(1).statement, payload={"unit": 5}),
                    "signature": w.finding(1).signature,
                }
            ).encode(),
            422,
            "bad-payload",
            "statement.payload",
        ),
        (
            lambda w: json.dumps(
                {"statement": w.finding(1).statement, "signature": w.finding(2).signature}
            ).encode(),
            400,
            "bad-signature",
            "does not verify",
        ),
        (
            lambda w: json.dumps(w.finding(1, signer=labelled_key("nobody")).to_value()).encode(),
            403,
            "unknown-key",
            "not a registered key",
        ),
        (
            lambda w: json.dumps(
                w.sign(w.office, "finding.record", w.finding(1).payload).to_value()
            ).encode(),
            403,
            "wrong-role",
            "needs a key with role",
        ),
        (lambda w: b"x" * 70_000, 413, "too-large", "limit"),
        (
            lambda w: json.dumps(
                w.sign(
                    w.supervisor, "finding.record", dict(w.finding(1).payload, unit="NOPE")
                ).to_value()
            ).encode(),
            422,
            "bad-payload",
            "NOPE",
        ),
    ],
)
def test_bad_input_gets_a_problem_and_leaves_the_log_alone(
    client: TestClient, world: World, make, status: int, code: str, words: str
) -> None:  # type: ignore[no-untyped-def]
    before = size(client)
    r = client.post("/v1/entries", content=make(world))
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    problem = r.json()
    assert problem["type"] == f"urn:pingyi:problem:{code}" and words in problem["detail"]
    assert size(client) == before


def test_conflict_and_unknown_ids(client: TestClient, world: World) -> None:
    sub = world.finding(1)
    client.post("/v1/entries", content=json.dumps(sub.to_value()).encode())
    changed = world.sign(
        world.supervisor, "finding.record", dict(sub.payload, summary="other"), id=sub.id
    )
    r = client.post("/v1/entries", content=json.dumps(changed.to_value()).encode())
    assert r.status_code == 409 and r.json()["type"] == "urn:pingyi:problem:conflict"
    assert client.get("/v1/entries/99").status_code == 404
    assert client.get("/v1/entry-ids/00000000-0000-0000-0000-000000000000").status_code == 404
    bad_query = client.get("/v1/entries", params={"limit": "many"})
    assert bad_query.status_code == 422 and "limit" in bad_query.json()["detail"]
    assert client.get("/v1/nowhere").json()["status"] == 404
    assert client.post("/v1/batches", content=b"\n").status_code == 422


def test_log_lines_are_json_without_bodies_or_secrets(
    client: TestClient, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    from api.logs import JsonFormatter

    sub = world.finding(3)
    with caplog.at_level(logging.INFO, logger="pingyi.api"):
        client.post("/v1/entries", content=json.dumps(sub.to_value()).encode())
    lines = [JsonFormatter().format(r) for r in caplog.records]
    request = json.loads(lines[-1])
    assert request["path"] == "/v1/entries" and request["status"] == 201 and "ms" in request
    text = "\n".join(lines)
    assert sub.signature not in text and "窗口无人" not in text and "passphrase" not in text
