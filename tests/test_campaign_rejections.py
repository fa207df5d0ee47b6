"""Bad input in a campaign's life: each refused with an error naming it, the log unchanged.

Runs on SQLite and PostgreSQL. The campaign is the seed-000 scenario stopped
part-way (``Seed000`` steps are called one by one).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from ledger.errors import EntryRejected, PayloadError, RevokedKeyError, RoleError, UnknownKeyError
from ledger.keys import Signer
from ledger.note import NoteSigner
from ledger.store.app import Ledger
from pingyi import conduct
from pingyi.scenario import CAMPAIGN, POOL, Seed000, Staff
from projections.policy import default_policies
from tests.support import ORIGIN, fixed_clock, labelled_key
from vault.evidence import EvidenceStore
from vault.people import open_people_store


@pytest.fixture
def run(store_url: str, tmp_path: Path) -> Iterator[Seed000]:
    rng = random.Random(7)
    staff = Staff.generate(lambda n: rng.getrandbits(8 * n).to_bytes(n, "big"))
    staff.root = labelled_key("root")
    log = NoteSigner(ORIGIN, labelled_key("log").private_key)
    Ledger.create(store_url, ORIGIN, deployment="TEST", root=staff.root, log_signer=log).close()
    ledger = Ledger.open(store_url, log_signer=log, clock=fixed_clock, policies=default_policies())
    people = open_people_store(f"sqlite:///{tmp_path / 'private.db'}")
    scenario = Seed000(
        ledger,
        staff,
        rng=rng,
        clock=fixed_clock,
        people=people,
        evidence=EvidenceStore(tmp_path / "evidence"),
        rate=lambda component, voter, unit: "satisfied",
        assembly_voters=60,
        checked_in=61,
    )
    scenario.register_staff()
    scenario.open_campaign()
    scenario.enrol_pool()
    yield scenario
    people.close()
    ledger.close()


def refused(run: Seed000, error: type[EntryRejected], match: str, act: Callable[[], Any]) -> None:
    """``act`` must raise ``error`` matching ``match`` and leave the log exactly as it was."""
    run.ledger.refresh()
    size, head = run.ledger.size, run.ledger.state.head
    with pytest.raises(error, match=match):
        act()
    run.ledger.refresh()
    assert (run.ledger.size, run.ledger.state.head) == (size, head)


def open_review(run: Seed000, count: int = 3) -> list[conduct.Slip]:
    office = run.staff.office
    window = {"campaign": CAMPAIGN, "window": "review", "component": "review"}
    run.append(office, "window.open", {**window, "mode": "credential", "title": "TEST review"})
    slips = conduct.new_slips(ORIGIN, CAMPAIGN, "review", "review", None, count, run.token)
    run.append(office, "credential.issue", conduct.issue_payload(slips))
    return slips


def ballot(run: Seed000, slip: conduct.Slip) -> Any:
    return conduct.cast(slip, {u: "satisfied" for u in run.units[:5]}, fixed_clock())


def test_a_credential_votes_once(run: Seed000) -> None:
    slip = open_review(run)[0]
    run.ledger.append([ballot(run, slip)])
    refused(
        run,
        RevokedKeyError,
        "a credential votes once",
        lambda: run.ledger.append([ballot(run, slip)]),
    )


def test_unknown_credential_and_wrong_window(run: Seed000) -> None:
    slips = open_review(run)
    stranger = conduct.Slip(ORIGIN, CAMPAIGN, "review", "review", None, slips[0].seed[:-4] + "AAA=")
    refused(
        run,
        UnknownKeyError,
        "not a registered key",
        lambda: run.ledger.append([ballot(run, stranger)]),
    )
    elsewhere = conduct.Slip(ORIGIN, CAMPAIGN, "assembly", "review", None, slips[1].seed)
    refused(
        run,
        PayloadError,
        "issued for window 'review'",
        lambda: run.ledger.append([ballot(run, elsewhere)]),
    )


def test_close_must_declare_every_unused_credential_and_nothing_votes_after(run: Seed000) -> None:
    slips = open_review(run)
    run.ledger.append([ballot(run, slips[0])])
    close = {"campaign": CAMPAIGN, "window": "review"}
    refused(
        run,
        PayloadError,
        "1 credential\\(s\\) of window 'review' are neither spent nor declared unused",
        lambda: run.append(
            run.staff.office, "window.close", {**close, "unused": [slips[1].signer.key_id]}
        ),
    )
    refused(
        run,
        PayloadError,
        "already spent on a ballot",
        lambda: run.append(
            run.staff.office, "window.close", {**close, "unused": [slips[0].signer.key_id]}
        ),
    )
    run.append(run.staff.office, "window.close", {**close, "unused": run.state().unspent("review")})
    refused(
        run, RevokedKeyError, "declared unused", lambda: run.ledger.append([ballot(run, slips[1])])
    )
    more = conduct.new_slips(ORIGIN, CAMPAIGN, "review", "review", None, 1, run.token)
    refused(
        run,
        PayloadError,
        "closed at entry .* credentials issued after close is refused",
        lambda: run.append(run.staff.office, "credential.issue", conduct.issue_payload(more)),
    )


def test_draw_values_before_commitment_by_wrong_role_or_wrong_result(run: Seed000) -> None:
    numbers = [["1", "2", "3"], ["4", "5"]]
    reveal = {
        "campaign": CAMPAIGN,
        "draw": "panel",
        "values": numbers,
        "selected": {},
        "alternates": {},
    }
    refused(
        run,
        PayloadError,
        "has no commitment",
        lambda: run.append(run.staff.office, "draw.reveal", reveal),
    )
    state = run.state()
    commit = conduct.commit_payload(
        CAMPAIGN,
        "panel",
        POOL,
        state.members(POOL),
        strata=[{"name": "deputies", "groups": ["npc_deputy"], "count": 5}],
        source={"kind": "rfc3797", "description": "TEST lottery", "sources": 2},
    )
    refused(
        run,
        RoleError,
        "needs a key with role office",
        lambda: run.append(run.staff.clerks[0], "draw.commit", commit),
    )
    run.append(run.staff.office, "draw.commit", commit)
    good = conduct.reveal_payload(run.state(), "panel", numbers)
    refused(
        run,
        RoleError,
        "needs a key with role office",
        lambda: run.append(run.staff.clerks[0], "draw.reveal", good),
    )
    first = good["selected"]["deputies"]
    forged = {**good, "selected": {"deputies": [*first[1:], first[0]]}}
    refused(
        run,
        PayloadError,
        "does not give the people",
        lambda: run.append(run.staff.office, "draw.reveal", forged),
    )
    run.append(run.staff.office, "draw.reveal", good)
    refused(
        run,
        PayloadError,
        "were entered at entry",
        lambda: run.append(run.staff.office, "draw.reveal", good),
    )


def test_pool_is_frozen(run: Seed000) -> None:
    member = dict(run.state().members(POOL)[0])
    member["pseudonym"] = "P" + "0" * 20
    refused(
        run,
        PayloadError,
        "was frozen at entry",
        lambda: run.append(
            run.staff.office,
            "pool.enroll",
            {"campaign": CAMPAIGN, "pool": POOL, "members": [member]},
        ),
    )
    digest = "0" * 64
    refused(
        run,
        PayloadError,
        "not frozen",
        lambda: run.append(
            run.staff.office,
            "draw.commit",
            {
                **conduct.commit_payload(
                    CAMPAIGN,
                    "d",
                    "other",
                    [member],
                    strata=[{"name": "a", "groups": ["x"], "count": 1}],
                    source={"kind": "beacon", "description": "TEST", "beacon": "b", "round": 1},
                ),
                "pool_digest": digest,
            },
        ),
    )


def test_paper_batches_reconcile(run: Seed000) -> None:
    office, clerk, supervisor = run.staff.office, run.staff.clerks[0], run.staff.supervisors[0]
    window = {"campaign": CAMPAIGN, "window": "assembly"}
    run.append(
        office, "window.open", {**window, "component": "assembly", "mode": "paper", "title": "TEST"}
    )
    ballots = [{"ratings": {"TW01": "satisfied"}} for _ in range(30)]
    batch = conduct.batch_payloads(CAMPAIGN, "assembly", "p", ballots)[0]
    refused(run, RoleError, "role clerk", lambda: run.append(supervisor, "ballot.batch", batch))
    sub = run.append(clerk, "ballot.batch", batch)
    refused(
        run,
        PayloadError,
        "holds 30 ballots, not 29",
        lambda: run.append(
            supervisor, "ballot.countersign", {**window, "batch": sub.id, "count": 29}
        ),
    )
    refused(
        run,
        PayloadError,
        "not countersigned",
        lambda: run.append(office, "window.close", {**window, "checked_in": 40}),
    )
    run.append(supervisor, "ballot.countersign", {**window, "batch": sub.id, "count": 30})
    refused(
        run,
        PayloadError,
        "30 ballots were transcribed but only 29 voters were checked in",
        lambda: run.append(office, "window.close", {**window, "checked_in": 29}),
    )
    bad = {**batch, "batch": "p-002", "ballots": [{"ratings": {"NOPE": "satisfied"}}]}
    refused(
        run, PayloadError, "unknown unit 'NOPE'", lambda: run.append(clerk, "ballot.batch", bad)
    )
    run.append(office, "window.close", {**window, "checked_in": 30})
    refused(
        run,
        PayloadError,
        "after close is refused",
        lambda: run.append(clerk, "ballot.batch", {**batch, "batch": "p-003"}),
    )


def test_survey_respondent_must_be_drawn_and_claims_approved_once(run: Seed000) -> None:
    response = {
        "campaign": CAMPAIGN,
        "unit": "TW01",
        "component": "review",
        "level": "satisfied",
        "respondent": "P" + "1" * 20,
    }
    operator = Signer.generate()
    registration = {"key": operator.public_b64, "holder": "survey op", "roles": ["survey_operator"]}
    run.append(run.staff.root, "key.register", registration)
    refused(
        run,
        PayloadError,
        "was not drawn",
        lambda: run.append(operator, "survey.response", response),
    )
    claim = run.append(
        run.staff.unit_rep,
        "item.claim",
        {"campaign": CAMPAIGN, "unit": "TW01", "component": "bonus", "item": "commendation_city"},
    )
    approve = {
        "campaign": CAMPAIGN,
        "unit": "TW01",
        "component": "bonus",
        "item": "commendation_city",
        "claim": claim.id,
    }
    refused(
        run,
        PayloadError,
        "is not an item.claim",
        lambda: run.append(run.staff.office, "item.count", {**approve, "unit": "TW02"}),
    )
    run.append(run.staff.office, "item.count", approve)
    refused(
        run,
        PayloadError,
        "already approved",
        lambda: run.append(run.staff.office, "item.count", approve),
    )


def test_amendment_replaces_a_finding(run: Seed000) -> None:
    office = run.staff.office
    finding = run.append(
        run.staff.supervisors[0],
        "finding.record",
        {
            "campaign": CAMPAIGN,
            "unit": "TW01",
            "rule": "inspection",
            "level": "county",
            "serious": True,
            "summary": "TEST",
        },
    )
    amend = {
        "campaign": CAMPAIGN,
        "finding": finding.id,
        "unit": "TW01",
        "rule": "inspection",
        "level": "bureau",
        "serious": False,
        "summary": "TEST: verified at bureau level only",
        "reason": "re-check showed a bureau-level problem",
    }
    refused(run, RoleError, "role supervisor", lambda: run.append(office, "finding.amend", amend))
    run.append(run.staff.supervisors[1], "finding.amend", amend)
    from projections.replay import replay

    tw01 = replay(run.ledger.entries(-1), CAMPAIGN).explain("TW01")
    text = str(tw01)
    assert "withdrawn" in text or "amend" in text.lower()
    result = replay(run.ledger.entries(-1), CAMPAIGN).result()
    inspection = next(c for c in result.unit("TW01").components if c.key == "inspection")
    assert str(inspection.score) in ("-0.50", "-0.5")


def test_fresh_signer_cannot_register_voter_role(run: Seed000) -> None:
    stranger = Signer.generate()
    refused(
        run,
        EntryRejected,
        r"roles\[0\]: Input should be 'root'",
        lambda: run.append(
            run.staff.office,
            "key.register",
            {"key": stranger.public_b64, "holder": "x", "roles": ["voter"]},
        ),
    )


def test_evidence_must_match_the_file_store(run: Seed000, tmp_path: Path) -> None:
    from pingyi.target import LocalTarget
    from vault.errors import EvidenceError

    store = EvidenceStore(tmp_path / "evidence")
    kept = store.put(b"TEST photo of an empty service window")
    target = LocalTarget(run.ledger, store)
    finding = {
        "campaign": CAMPAIGN,
        "unit": "TW02",
        "rule": "inspection",
        "level": "county",
        "serious": False,
        "summary": "TEST",
        "evidence": [{"sha256": kept.sha256, "size": kept.size + 1, "name": "photo.jpg"}],
    }
    supervisor = run.staff.supervisors[0]
    size = run.ledger.size
    with pytest.raises(EvidenceError, match=r"evidence\[0\] \(photo.jpg\).*the log records"):
        target.append([run.sign(supervisor, "finding.record", finding)])
    finding["evidence"] = [{"sha256": "ab" * 32, "size": 3, "name": "missing.jpg"}]
    with pytest.raises(EvidenceError, match="missing"):
        target.append([run.sign(supervisor, "finding.record", finding)])
    run.ledger.refresh()
    assert run.ledger.size == size
    finding["evidence"] = [{"sha256": kept.sha256, "size": kept.size, "name": "photo.jpg"}]
    target.append([run.sign(supervisor, "finding.record", finding)])
    run.ledger.refresh()
    assert run.ledger.size == size + 1
