"""Campaigns, rankings, explanations and publications over HTTP, as of any log position."""

from __future__ import annotations

import base64

from fastapi.testclient import TestClient

from ledger import merkle
from ledger.entry import Entry
from ledger.note import open_checkpoint, parse_verifier_key
from projections.publication import publication_payload
from projections.render import explanation_to_json, ranking_to_json
from projections.replay import replay
from tests.support import World, adoption


def replayed(world: World, as_of: int | None = None):  # type: ignore[no-untyped-def]
    ledger = world.reopen()
    try:
        return replay(list(ledger.entries()), "c2026", as_of)
    finally:
        ledger.close()


def test_campaigns_list_rulebook_and_lifecycle(client: TestClient, world: World) -> None:
    r = client.get("/v1/campaigns")
    assert r.status_code == 200, r.text
    (c2026,) = r.json()["campaigns"]
    assert c2026["campaign"] == "c2026" and c2026["title"] == "2026 测评"
    assert c2026["rulebook"] == adoption("c2026", "003")["hash"]
    assert [v["index"] for v in c2026["rulebook_versions"]] == [3]
    assert c2026["opened"] == 4 and c2026["closed"] is None
    assert r.json()["size"] == 5


def test_ranking_is_the_replayed_document_as_of_any_position(
    client: TestClient, world: World
) -> None:
    world.add_findings(3)  # entries 5, 6, 7
    r = client.get("/v1/campaigns/c2026/ranking")
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    assert r.content == ranking_to_json(replayed(world).result())
    assert r.headers["pingyi-log-position"] == "7"
    assert r.headers["pingyi-rulebook"] == adoption("c2026", "003")["hash"]
    earlier = client.get("/v1/campaigns/c2026/ranking", params={"as_of": 5})
    assert earlier.content == ranking_to_json(replayed(world, 5).result())
    assert earlier.headers["pingyi-log-position"] == "5" and earlier.content != r.content
    # the cached head follows new entries
    world.add_findings(1)
    assert client.get("/v1/campaigns/c2026/ranking").headers["pingyi-log-position"] == "8"


def test_ranking_and_explanation_as_bilingual_text(client: TestClient, world: World) -> None:
    world.add_findings(2)
    text = client.get("/v1/campaigns/c2026/ranking", params={"format": "text"})
    assert text.headers["content-type"].startswith("text/plain")
    assert "as of log position 6" in text.text and "OT001" in text.text
    accepted = client.get("/v1/campaigns/c2026/ranking", headers={"accept": "text/plain"})
    assert accepted.text == text.text
    exp = client.get(
        "/v1/campaigns/c2026/units/OT002/explanation", headers={"accept": "text/plain"}
    )
    assert exp.status_code == 200 and "finding 1" in exp.text


def test_explanation_is_the_replayed_document(client: TestClient, world: World) -> None:
    world.add_findings(3)
    r = client.get("/v1/campaigns/c2026/units/OT002/explanation")
    assert r.status_code == 200, r.text
    assert r.content == explanation_to_json(replayed(world).explain("OT002"))
    before = client.get("/v1/campaigns/c2026/units/OT002/explanation", params={"as_of": 4})
    assert before.content == explanation_to_json(replayed(world, 4).explain("OT002"))


def test_unknown_campaign_unit_and_positions_are_404_problems(client: TestClient) -> None:
    cases = [
        ("/v1/campaigns/c1999/ranking", {}, "no-campaign", "c2026"),
        ("/v1/campaigns/c2026/ranking", {"as_of": 99}, "out-of-range", "5 entries"),
        ("/v1/campaigns/c2026/ranking", {"as_of": 1}, "no-rulebook", "position 1"),
        ("/v1/campaigns/c2026/units/NOPE/explanation", {}, "no-unit", "NOPE"),
        ("/v1/campaigns/c2026/units/OT001/explanation", {"as_of": 99}, "out-of-range", "99"),
    ]
    for path, params, code, words in cases:
        r = client.get(path, params=params)
        assert r.status_code == 404, (path, r.text)
        assert r.headers["content-type"] == "application/problem+json"
        assert r.json()["type"] == f"urn:pingyi:problem:{code}" and words in r.json()["detail"]


def publish(world: World) -> str:
    """Append a ranking.publish of c2026 at the current size; return its entry id."""
    size = world.ledger.size
    payload = publication_payload(
        "c2026", replayed(world, size - 1), size=size, root=world.ledger.root(size)
    )
    submission = world.sign(world.office, "ranking.publish", payload)
    world.ledger.append([submission])
    return submission.id


def test_publications_are_listed_and_proved(client: TestClient, world: World) -> None:
    assert client.get("/v1/publications").json() == {"size": 5, "publications": []}
    world.add_findings(2)
    first = publish(world)
    world.add_findings(1)
    listed = client.get("/v1/publications").json()
    assert [p["id"] for p in listed["publications"]] == [first]
    assert listed["publications"][0]["index"] == 7
    assert listed["publications"][0]["payload"]["campaign"] == "c2026"
    assert client.get("/v1/publications", params={"campaign": "c1999"}).json()["publications"] == []
    r = client.get(f"/v1/publications/{first}")
    assert r.status_code == 200, r.text
    doc = r.json()
    raw = doc["entry"]["raw"].encode()
    assert Entry.from_bytes(raw).id == first
    inclusion = doc["inclusion"]
    vkey = parse_verifier_key(client.get("/v1/log").json()["log_key"])
    checkpoint = open_checkpoint(inclusion["checkpoint"], [vkey])
    assert checkpoint.size == 9
    merkle.verify_inclusion(
        merkle.leaf_hash(raw),
        7,
        checkpoint.size,
        [base64.b64decode(h) for h in inclusion["proof"]],
        checkpoint.root,
    )


def test_unknown_publications_are_404_problems(client: TestClient, world: World) -> None:
    missing = client.get("/v1/publications/00000000-0000-4000-8000-000000000000")
    assert missing.status_code == 404 and missing.json()["type"].endswith("no-publication")
    finding = world.finding(1)
    world.ledger.append([finding])
    other = client.get(f"/v1/publications/{finding.id}")
    assert other.status_code == 404 and "finding.record" in other.json()["detail"]
    bad = client.get("/v1/publications/not-an-id")
    assert bad.status_code == 422 and "entry_id" in bad.json()["detail"]
