"""Publications in a real log (SQLite and PostgreSQL): what the policy accepts and refuses,
the recount the verifier makes, and the printable page."""

from __future__ import annotations

import base64
import copy
import re
from types import SimpleNamespace
from typing import Any

import pytest

from ledger import merkle
from ledger.errors import EntryRejected, PayloadError, RoleError
from ledger.note import parse_verifier_key, verify_tlog_proof
from pingyi.audit import verify_store
from pingyi.publication_page import publication_html
from projections.policy import default_policies
from projections.publication import (
    PublicationPolicy,
    publication_payload,
    ranking_digest,
)
from projections.render import ranking_document
from projections.replay import replay
from projections.rulebook import revise
from tests.vectors.bundles.generate import rulebook
from tests.verifier.world import PublishWorld
from verifier.recount import Recount, first_difference


def payload_now(world: PublishWorld, campaign: str = "c1", **kw: Any) -> dict[str, Any]:
    """A valid publication payload at the current size (no checkpoint needs signing for it)."""
    ledger = world.ledger
    size = ledger.size
    state = replay(ledger.entries(), campaign, as_of=size - 1)
    return publication_payload(campaign, state, size=size, root=ledger.root(size), **kw)


def refused(world: PublishWorld, payload: dict[str, Any], words: str, signer: Any = None) -> None:
    size = world.ledger.size
    with pytest.raises(EntryRejected) as caught:
        world.append(signer or world.office, "ranking.publish", payload)
    assert words in str(caught.value), str(caught.value)
    world.ledger.refresh()
    assert world.ledger.size == size


def test_publish_then_correct_both_stay_and_verify(pub: PublishWorld) -> None:
    pub.survey("A")
    first = pub.publish()
    assert first.entry.type == "ranking.publish"
    payload = first.entry.payload
    size = payload["checkpoint"]["size"]
    assert size == first.entry.index  # signed just before the entry
    assert payload["digest"] == ranking_digest(payload["ranking"])
    assert payload["ranking"]["rulebook"]["hash"] == payload["rulebook"]
    root = base64.b64decode(payload["checkpoint"]["root"])
    assert root == pub.ledger.root(size)
    vkey = parse_verifier_key(first.log_key)
    verify_tlog_proof(first.proof, merkle.leaf_hash(first.entry.raw), [vkey])
    pub.finding("B")
    second = pub.publish(replaces=first.entry.id, reason="迟到的问题 a late finding")
    assert second.entry.payload["replaces"] == first.entry.id
    assert second.entry.payload["digest"] != payload["digest"]
    types = [e.type for e in pub.ledger.entries()]
    assert types.count("ranking.publish") == 2
    report = verify_store(pub.url, policies=default_policies)
    assert report.ok, report.failures


def test_the_policy_refuses_bad_publications(pub: PublishWorld) -> None:
    pub.survey("A")
    good = payload_now(pub)
    refused(pub, {**good, "campaign": "nope"}, "nope")
    ahead = copy.deepcopy(good)
    ahead["checkpoint"]["size"] = pub.ledger.size + 1
    refused(pub, ahead, "beyond the log")
    refused(pub, {**good, "rulebook": "sha256:" + "0" * 64}, "not a rulebook version")
    refused(pub, {**good, "digest": "sha256:" + "1" * 64}, "the ranking document hashes to")
    doctored = copy.deepcopy(good)
    doctored["ranking"]["tables"][0]["rows"][0]["total"] = "99.00"
    refused(pub, doctored, "statement.payload.digest")
    other = copy.deepcopy(good)
    other["ranking"]["rulebook"]["hash"] = "sha256:" + "2" * 64
    other["digest"] = ranking_digest(other["ranking"])
    refused(pub, other, "another rulebook")
    wrong_format = copy.deepcopy(good)
    wrong_format["ranking"]["format"] = "pingyi.ranking/9"
    wrong_format["digest"] = ranking_digest(wrong_format["ranking"])
    refused(pub, wrong_format, "pingyi.ranking/1")
    finding = pub.finding("B")
    again = payload_now(pub)
    refused(pub, {**again, "replaces": finding.id, "reason": "x"}, "is not a publication")
    refused(
        pub,
        {**again, "replaces": "0" * 8 + "-0000-4000-8000-" + "0" * 12, "reason": "x"},
        "is not a publication",
    )
    with pytest.raises(PayloadError, match="must give its reason"):
        pub.sign(pub.office, "ranking.publish", {**again, "replaces": finding.id})
    with pytest.raises(RoleError, match="needs a key with role office"):
        pub.append(pub.staff, "ranking.publish", again)
    pub.append(pub.office, "ranking.publish", again)


def test_the_rulebook_must_be_the_version_in_force_at_the_checkpoint(pub: PublishWorld) -> None:
    before = payload_now(pub)
    revised = revise(rulebook(), {"title": {"zh": "修订", "en": "Revised"}})
    pub.adopt("c1", revised, revise=True)
    # at the old size the old version is in force: publishing it now is allowed
    pub.append(pub.office, "ranking.publish", before)
    late = payload_now(pub)
    assert late["rulebook"] != before["rulebook"]
    stale = {**late, "rulebook": before["rulebook"]}
    stale["ranking"] = copy.deepcopy(late["ranking"])
    stale["ranking"]["rulebook"]["hash"] = before["rulebook"]
    stale["digest"] = ranking_digest(stale["ranking"])
    refused(pub, stale, "the rulebook in force")


def test_a_correction_must_replace_a_publication_of_the_same_campaign(store_url: str) -> None:
    world = PublishWorld.create(store_url, campaigns=("c1", "c2"))
    try:
        other = world.publish("c2")
        payload = payload_now(world, "c1", replaces=other.entry.id, reason="wrong campaign")
        refused(world, payload, "is of campaign 'c2', not 'c1'")
        # a publication in an undone batch is not visible afterwards
        first = world.sign(world.office, "ranking.publish", payload_now(world, "c1"))
        broken = world.sign(world.staff, "ranking.publish", payload_now(world, "c1"))
        with pytest.raises(RoleError):
            world.ledger.append([first, broken])
        later = payload_now(world, "c1", replaces=first.id, reason="x")
        refused(world, later, "is not a publication")
    finally:
        world.close()


def test_an_unopened_campaign_cannot_publish() -> None:
    policy = PublicationPolicy()

    def item(index: int, type_: str, payload: dict[str, Any]) -> SimpleNamespace:
        return SimpleNamespace(index=index, id=f"id-{index}", type=type_, payload=payload)

    policy.apply(item(0, "genesis", {}))
    policy.apply(item(1, "rulebook.adopt", {"campaign": "c1", "hash": "sha256:" + "a" * 64}))
    publication = {
        "campaign": "c1",
        "rulebook": "sha256:" + "a" * 64,
        "checkpoint": {"size": 2, "root": "A" * 43 + "="},
        "digest": "sha256:" + "0" * 64,
        "ranking": {},
    }
    with pytest.raises(PayloadError, match="has not been opened"):
        policy.check(item(2, "ranking.publish", publication), 2)
    with pytest.raises(PayloadError, match="adopted no rulebook"):
        policy.check(item(2, "ranking.publish", {**publication, "campaign": "c9"}), 2)
    twin = policy.copy()
    twin.apply(item(2, "campaign.open", {"campaign": "c1"}))
    with pytest.raises(PayloadError, match=r"pingyi\.ranking/1"):
        twin.check(item(3, "ranking.publish", {**publication, "checkpoint": {"size": 3}}), 3)
    with pytest.raises(PayloadError, match="has not been opened"):  # the copy's change stayed there
        policy.check(item(2, "ranking.publish", publication), 2)


def test_the_recount_equals_replay_at_every_checkpoint(pub: PublishWorld) -> None:
    sizes = []
    for n, unit in enumerate("ABCDAB"):
        finding = pub.finding(unit, "bureau" if n % 2 else "county")
        pub.survey(unit, "basically_satisfied")
        sizes.append(pub.ledger.checkpoint().size)
    pub.append(
        pub.staff,
        "finding.withdraw",
        {"campaign": "c1", "finding": finding.id, "reason": "误记 recorded in error"},
    )
    sizes.append(pub.ledger.checkpoint().size)
    entries = list(pub.ledger.entries())
    recount = Recount("c1", [1, *sizes])
    for entry in entries:
        recount.apply(entry)
    recount.finish(len(entries))
    assert recount.replay_at(1) is None  # no rulebook yet
    for size in sizes:
        state = recount.replay_at(size)
        assert state is not None
        expected = replay(entries, "c1", as_of=size - 1)
        assert ranking_document(state.result()) == ranking_document(expected.result())
        assert state.hash == expected.hash


def test_first_difference_names_the_unit() -> None:
    a = {"tables": [{"rows": [{"unit": "A", "rank": 1, "total": "10"}]}]}
    b = {"tables": [{"rows": [{"unit": "A", "rank": 2, "total": "10"}]}]}
    assert first_difference(a, b) == "unit A: published rank 1, recomputed 2"
    assert "only in the recomputed" in first_difference({"tables": []}, b)


def test_the_page_shows_digest_checkpoint_bands_and_how_to_verify(pub: PublishWorld) -> None:
    pub.survey("A")
    pub.survey("A")
    pub.finding("B")
    published = pub.publish()
    document = published.document()
    document["ranking"]["tables"][0]["rows"][0]["zh"] = "<script>甲</script>"
    page = publication_html(
        document,
        takes=published.takes,
        log_key=published.log_key,
        files={"ranking": "ranking-9.json", "proof": "publication-9.tlog-proof"},
    )
    assert page.startswith("<!DOCTYPE html>") and 'lang="zh-CN"' in page
    assert document["digest"] in page and document["checkpoint"]["root"] in page
    assert f"size {document['checkpoint']['size']}" in page
    assert "<script>甲" not in page and "&lt;script&gt;甲" in page
    assert page.count("<h2>全部 / All</h2>") == 1  # one table per category
    assert re.search(r'<tr class="top">.*▲ 第一名 First place', page)
    assert re.search(r'<tr class="bottom">.*▼ 末位 Last place', page)
    for words in ("如何核验", "How to verify", "sha256sum ranking-9.json", "pingyi receipt verify"):
        assert words in page
    assert published.takes == {"first": "top", "last": "bottom"}
