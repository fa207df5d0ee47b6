"""Verifiable evaluator draws (projections.draw) and their payloads (ledger.payloads.draw).

The pools are fixture data built from seeded ``random.Random`` generators; the
draw itself never uses ``random``.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from ledger.canonical import canonical
from ledger.payloads.draw import DrawCommit, DrawReveal
from projections.draw import (
    DOMAIN,
    DrawError,
    DrawResult,
    PoolError,
    QuotaError,
    RandomnessError,
    RevealMismatchError,
    key_string,
    pool_digest,
    rfc3797_select,
    run_draw,
    stratum_keys,
    verify_reveal,
)

OWNERS = ["enterprise_head", "self_employed"]
OTHERS = [
    "npc_deputy",
    "cppcc_member",
    "party_delegate",
    "party_committee",
    "discipline_committee",
    "unit_head",
]
UNITS = [f"OT{n:03d}" for n in range(1, 117)]  # seed 000: 116 evaluated units
PUBLIC_NUMBERS = [["9319"], ["2", "5", "12", "8", "10"], ["9", "18", "26", "34", "41", "45"]]


# -- fixture data -------------------------------------------------------------------------


def member(
    rng: random.Random, group: str, affiliation: str | None = None, leader: bool = False
) -> dict[str, Any]:
    return {
        "pseudonym": f"P{rng.getrandbits(80):020x}",
        "group": group,
        "affiliation": affiliation,
        "leader": leader,
        "commitment": f"{rng.getrandbits(256):064x}",
    }


def seed000_pool(seed: int = 2026) -> list[dict[str, Any]]:
    """About 800 people in the seed-000 groups; unit heads and some others lead an evaluated unit."""
    rng = random.Random(seed)
    sizes = {
        "enterprise_head": 190,
        "self_employed": 110,
        "npc_deputy": 90,
        "cppcc_member": 80,
        "party_delegate": 120,
        "party_committee": 60,
        "discipline_committee": 30,
        "unit_head": 120,
    }
    pool = []
    for group, size in sizes.items():
        for _ in range(size):
            if group == "unit_head":
                # heads of county units: some lead an evaluated unit, some a unit not evaluated
                unit = rng.choice(UNITS) if rng.random() < 0.6 else f"XU{rng.randrange(50):03d}"
                pool.append(member(rng, group, unit, leader=True))
            elif rng.random() < 0.2:
                pool.append(member(rng, group, rng.choice(UNITS), leader=rng.random() < 0.3))
            else:
                pool.append(member(rng, group))
    rng.shuffle(pool)
    return pool


def seeds_source(*seeds: bytes) -> tuple[dict[str, Any], list[str]]:
    commitments = [hashlib.sha256(s).hexdigest() for s in seeds]
    source = {"kind": "seeds", "description": "office and inspector", "commitments": commitments}
    return source, [s.hex() for s in seeds]


SEEDS_SOURCE, SEEDS = seeds_source(
    b"office seed: 0123456789abcdef", b"inspector seed: fedcba987654"
)
RFC_SOURCE = {"kind": "rfc3797", "description": "three lotteries of 1 Nov", "sources": 3}
BEACON_SOURCE = {"kind": "beacon", "description": "drand round", "beacon": "drand", "round": 42}
BEACON_OUTPUT = hashlib.sha256(b"beacon round 42").hexdigest()


def commit(
    pool: Sequence[dict[str, Any]],
    strata: list[dict[str, Any]],
    source: dict[str, Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "campaign": "c2026",
        "draw": extra.pop("draw", "assembly"),
        "pool": "p2026",
        "pool_digest": pool_digest(pool),
        "strata": strata,
        "source": source or SEEDS_SOURCE,
        **extra,
    }


def assembly(
    pool: Sequence[dict[str, Any]], source: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Seed 000's assembly: 125 enterprise heads / owners and 125 others, 30 alternates each."""
    return commit(
        pool,
        [
            {"name": "owners", "groups": OWNERS, "count": 125},
            {"name": "others", "groups": OTHERS, "count": 125},
        ],
        source,
        alternates=30,
    )


def values_for(source: dict[str, Any] | None) -> Any:
    kind = (source or SEEDS_SOURCE)["kind"]
    return {"seeds": SEEDS, "rfc3797": PUBLIC_NUMBERS, "beacon": BEACON_OUTPUT}[kind]


def by_pseudonym(pool: Sequence[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {m["pseudonym"]: m for m in pool}


# -- RFC 3797 -----------------------------------------------------------------------------


def test_rfc3797_worked_example() -> None:
    # RFC 3797 §6: a pool of 25 volunteers; three sources of public numbers
    # (9319 / 2 5 12 8 10 / 9 18 26 34 41 45); the key string, the first MD5
    # values and the table of picks (positions in the numbered pool, in order).
    assert key_string(PUBLIC_NUMBERS) == "9319./2.5.8.10.12./9.18.26.34.41.45./"
    key = key_string(PUBLIC_NUMBERS).encode("ascii")
    md5 = [hashlib.md5(bytes([0, i]) + key + bytes([0, i])).hexdigest().upper() for i in range(3)]
    assert md5 == [
        "990DD0A5692A029A98B5E01AA28F3459",
        "3691E55CB63FCC37914430B2F70B5EC6",
        "FE814EDF564C190AC1D25753979990FA",
    ]
    expected = [17, 7, 2, 16, 25, 23, 8, 24, 19, 13, 22, 5, 18, 9, 1, 4]
    assert rfc3797_select(25, PUBLIC_NUMBERS, 16) == expected
    # the ten NomCom members: Lee, Doc, Mary, Charity, Kasczynski, Envy, Sneazy, Anger,
    # Chastity, Pandora; selecting fewer gives a prefix of the same order
    assert rfc3797_select(25, PUBLIC_NUMBERS, 10) == expected[:10]
    assert rfc3797_select(25, [[9319], [10, 8, 12, 5, 2], [45, 41, 34, 26, 18, 9]], 5) == [
        17,
        7,
        2,
        16,
        25,
    ]


def test_key_string_number_forms() -> None:
    # leading zeroes dropped (a single 0 for a zero integer part), fraction without
    # trailing zeroes, integers terminated by a period, sorted by value within a source
    assert key_string([["0042", "3.50", "0.50", "3.0", "0", "007.100"]]) == "0.0.53.3.57.142./"
    assert key_string([["10", "9", "100"], ["1"]]) == "9.10.100./1./"
    # texts: letters and digits, upper-cased, terminated by a period, in ASCII order
    assert key_string([["W 4-1", "abc"]]) == "ABC.W41./"


@pytest.mark.parametrize(
    ("sources", "message"),
    [
        ([], "non-empty list of sources"),
        ([[]], "source 1: must be a non-empty list"),
        ([["1"], "23"], "source 2: must be a non-empty list"),
        ([["1e5"]], None),  # a text: "1E5."
        ([[True]], "not a number or a short text"),
        ([[-3]], "neither a non-negative decimal"),
        ([["4", "W 4-1"]], "mixes numbers and texts"),
        ([["--"]], "has no letter or digit"),
        ([["中文"]], "printable ASCII"),
    ],
)
def test_key_string_refuses_what_it_cannot_read(sources: Any, message: str | None) -> None:
    if message is None:
        assert key_string(sources) == "1E5./"
        return
    with pytest.raises(RandomnessError, match=message):
        key_string(sources)


def test_rfc3797_select_bounds() -> None:
    assert rfc3797_select(1, PUBLIC_NUMBERS, 1) == [1]
    assert rfc3797_select(3, PUBLIC_NUMBERS, 0) == []
    with pytest.raises(DrawError, match="pool size"):
        rfc3797_select(0, PUBLIC_NUMBERS, 0)
    with pytest.raises(DrawError, match="count must be"):
        rfc3797_select(5, PUBLIC_NUMBERS, 6)


# -- the pool -----------------------------------------------------------------------------


def test_pool_digest_ignores_order_and_spelled_out_defaults() -> None:
    pool = seed000_pool()
    shuffled = list(pool)
    random.Random(7).shuffle(shuffled)
    assert pool_digest(pool) == pool_digest(shuffled)
    plain = [
        {k: v for k, v in m.items() if not (k == "affiliation" and v is None)}
        | ({} if m["leader"] else {"leader": False})
        for m in pool
    ]
    assert pool_digest(plain) == pool_digest(pool)
    # it is the SHA-256 of the canonical JSON of the sorted members
    ordered = sorted(pool, key=lambda m: m["pseudonym"])
    assert pool_digest(pool) == hashlib.sha256(canonical(ordered)).hexdigest()
    changed = [dict(m) for m in pool]
    changed[0]["group"] = "unit_head" if changed[0]["group"] != "unit_head" else "npc_deputy"
    assert pool_digest(changed) != pool_digest(pool)


@pytest.mark.parametrize(
    ("defect", "message"),
    [
        ({"pseudonym": "P 1"}, "is not a code"),
        ({"group": ""}, "group must be a code"),
        ({"leader": "yes"}, "leader must be true or false"),
        ({"affiliation": 5}, "affiliation must be"),
        ({"commitment": "ab"}, "commitment must be 64"),
        ({"name": "Zhang San"}, "unknown field"),
    ],
)
def test_pool_members_are_checked(defect: dict[str, Any], message: str) -> None:
    pool = seed000_pool()[:20]
    pool[3] = pool[3] | defect
    with pytest.raises(PoolError, match=message):
        pool_digest(pool)


def test_pool_refuses_a_pseudonym_twice() -> None:
    pool = seed000_pool()[:20]
    pool.append(dict(pool[5]))
    with pytest.raises(PoolError, match="appears twice"):
        pool_digest(pool)


def test_draw_refuses_another_pool() -> None:
    pool = seed000_pool()
    c = assembly(pool)
    with pytest.raises(PoolError, match="committed to pool 'p2026'"):
        run_draw(pool[:-1], c, SEEDS, UNITS)


# -- the seed-000 assembly ------------------------------------------------------------------


@pytest.fixture(scope="module")
def pool000() -> list[dict[str, Any]]:
    return seed000_pool()


@pytest.mark.parametrize("source", [SEEDS_SOURCE, RFC_SOURCE, BEACON_SOURCE])
def test_assembly_quotas_and_exclusions(
    pool000: list[dict[str, Any]], source: dict[str, Any]
) -> None:
    result = run_draw(pool000, assembly(pool000, source), values_for(source), UNITS)
    people = by_pseudonym(pool000)
    evaluated = set(UNITS)
    assert {k: len(v) for k, v in result.selected.items()} == {"owners": 125, "others": 125}
    assert {k: len(v) for k, v in result.alternates.items()} == {"owners": 30, "others": 30}
    everyone = [p for v in (*result.selected.values(), *result.alternates.values()) for p in v]
    assert len(everyone) == len(set(everyone)) == 310  # no one twice, across strata too
    for name, groups in (("owners", OWNERS), ("others", OTHERS)):
        for p in result.selected[name] + result.alternates[name]:
            m = people[p]
            assert m["group"] in groups
            assert not (m["leader"] and m["affiliation"] in evaluated)
    eligible_owners = [
        m
        for m in pool000
        if m["group"] in OWNERS and not (m["leader"] and m["affiliation"] in evaluated)
    ]
    assert result.eligible["owners"] == len(eligible_owners)


def test_alternates_continue_the_draw_order(pool000: list[dict[str, Any]]) -> None:
    """The alternates are the next picks of the same sequence, in order."""
    result = run_draw(pool000, assembly(pool000), SEEDS, UNITS)
    longer = commit(pool000, [{"name": "owners", "groups": OWNERS, "count": 155}])
    again = run_draw(pool000, longer, SEEDS, UNITS)
    assert again.selected["owners"] == result.selected["owners"] + result.alternates["owners"]
    assert not set(result.alternates["owners"]) & set(result.selected["owners"])


def test_determinism_is_byte_identical(pool000: list[dict[str, Any]]) -> None:
    c = assembly(pool000, RFC_SOURCE)
    first = run_draw(pool000, c, PUBLIC_NUMBERS, UNITS)
    second = run_draw([dict(m) for m in pool000], dict(c), PUBLIC_NUMBERS, list(UNITS))
    assert first == second
    assert canonical(first.as_payload()) == canonical(second.as_payload())
    # a different public number changes the draw
    other = run_draw(pool000, c, [["9318"], *PUBLIC_NUMBERS[1:]], UNITS)
    assert other.selected != first.selected


def test_leaders_of_evaluated_units_only_when_asked(pool000: list[dict[str, Any]]) -> None:
    evaluated = set(UNITS)
    leaders = {
        m["pseudonym"]
        for m in pool000
        if m["group"] in OTHERS and m["leader"] and m["affiliation"] in evaluated
    }
    everyone = [{"name": "others", "groups": OTHERS, "count": 500, "all_if_at_most": True}]
    c = commit(pool000, everyone)
    on = run_draw(pool000, c, SEEDS, UNITS)
    assert not leaders & set(on.selected["others"])
    off = run_draw(pool000, c | {"exclude_leaders_of_evaluated_units": False}, SEEDS, UNITS)
    assert off.eligible["others"] == on.eligible["others"] + len(leaders)
    # nobody is a leader of an evaluated unit when no unit is evaluated
    assert run_draw(pool000, c, SEEDS, []).eligible["others"] == off.eligible["others"]


def test_excluded_groups_are_never_drawn(pool000: list[dict[str, Any]]) -> None:
    c = commit(
        pool000,
        [{"name": "others", "groups": OTHERS, "count": 200}],
        exclude_groups=["unit_head", "party_committee"],
        alternates=50,
    )
    result = run_draw(pool000, c, SEEDS, UNITS)
    groups = {by_pseudonym(pool000)[p]["group"] for p in result.selected["others"]}
    groups |= {by_pseudonym(pool000)[p]["group"] for p in result.alternates["others"]}
    assert groups <= set(OTHERS) - {"unit_head", "party_committee"}


def test_panel_draw_five_deputies_five_members(pool000: list[dict[str, Any]]) -> None:
    """Seed 000, component 1: five people's congress deputies and five CPPCC members."""
    c = commit(
        pool000,
        [
            {"name": "npc", "groups": ["npc_deputy"], "count": 5},
            {"name": "cppcc", "groups": ["cppcc_member"], "count": 5},
        ],
        draw="panel",
        alternates=2,
    )
    result = run_draw(pool000, c, SEEDS, UNITS)
    people = by_pseudonym(pool000)
    assert [people[p]["group"] for p in result.selected["npc"]] == ["npc_deputy"] * 5
    assert [people[p]["group"] for p in result.selected["cppcc"]] == ["cppcc_member"] * 5
    assert len(result.alternates["npc"]) == len(result.alternates["cppcc"]) == 2
    # another draw name, another key: the assembly and the panel do not repeat each other
    same = commit(pool000, c["strata"], draw="panel2", alternates=2)
    assert run_draw(pool000, same, SEEDS, UNITS).selected != result.selected


def test_seed001_thirty_representatives() -> None:
    """Seed 001: at least 30 representatives, 30% deputies/members/leaders, 70% service recipients."""
    rng = random.Random(1)
    pool = [member(rng, "npc_deputy") for _ in range(20)]
    pool += [member(rng, "cppcc_member") for _ in range(15)]
    pool += [member(rng, "unit_head", rng.choice(["S01", "S02", "X9"]), True) for _ in range(12)]
    pool += [member(rng, "service_recipient") for _ in range(300)]
    c = commit(
        pool,
        [
            {
                "name": "officials",
                "groups": ["npc_deputy", "cppcc_member", "unit_head"],
                "count": 9,
            },
            {"name": "recipients", "groups": ["service_recipient"], "count": 21},
        ],
        RFC_SOURCE,
        draw="social",
        alternates=3,
    )
    result = run_draw(pool, c, PUBLIC_NUMBERS, ["S01", "S02"])
    people = by_pseudonym(pool)
    assert len(result.selected["officials"]) == 9
    assert len(result.selected["recipients"]) == 21
    for p in result.selected["officials"]:
        assert people[p]["affiliation"] not in {"S01", "S02"}
    assert {people[p]["group"] for p in result.selected["recipients"]} == {"service_recipient"}


# -- quotas -------------------------------------------------------------------------------


def small_pool(n: int, seed: int = 3) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [member(rng, "service_recipient") for _ in range(n)] + [
        member(rng, "npc_deputy") for _ in range(5)
    ]


@pytest.mark.parametrize(("count", "selected", "alternates"), [(9, 9, 1), (10, 10, 0), (11, 10, 0)])
def test_all_if_at_most(count: int, selected: int, alternates: int) -> None:
    pool = small_pool(10)
    strata = [
        {"name": "r", "groups": ["service_recipient"], "count": count, "all_if_at_most": True}
    ]
    result = run_draw(pool, commit(pool, strata, alternates=4), SEEDS, [])
    assert len(result.selected["r"]) == selected
    assert len(result.alternates["r"]) == alternates
    everyone = set(result.selected["r"]) | set(result.alternates["r"])
    if count >= 10:  # all ten, in a drawn order
        assert everyone == {m["pseudonym"] for m in pool if m["group"] == "service_recipient"}


@pytest.mark.parametrize(("count", "ok"), [(9, True), (10, True), (11, False)])
def test_quota_without_all_if_at_most(count: int, ok: bool) -> None:
    pool = small_pool(10)
    strata = [{"name": "recipients", "groups": ["service_recipient"], "count": count}]
    c = commit(pool, strata)
    if ok:
        assert len(run_draw(pool, c, SEEDS, []).selected["recipients"]) == count
        return
    with pytest.raises(QuotaError) as err:
        run_draw(pool, c, SEEDS, [])
    assert str(err.value).startswith(
        "stratum 'recipients' needs 11 but only 10 members are eligible after exclusions"
    )


def test_quota_message_says_where_members_went(pool000: list[dict[str, Any]]) -> None:
    c = commit(
        pool000,
        [
            {"name": "officials", "groups": ["npc_deputy", "unit_head"], "count": 100},
            {"name": "owners", "groups": ["unit_head", "enterprise_head"], "count": 280},
        ],
    )
    with pytest.raises(QuotaError) as err:
        run_draw(pool000, c, SEEDS, UNITS)
    message = str(err.value)
    assert "stratum 'owners' needs 280" in message
    assert "leaders of evaluated units" in message
    assert "already drawn by earlier strata" in message


# -- strata independence ---------------------------------------------------------------------


def test_a_stratum_does_not_depend_on_the_size_of_another(pool000: list[dict[str, Any]]) -> None:
    strata = [
        {"name": "owners", "groups": OWNERS, "count": 125},
        {"name": "npc", "groups": ["npc_deputy"], "count": 10},
    ]
    first = run_draw(pool000, commit(pool000, strata), SEEDS, UNITS)
    strata[0] = strata[0] | {"count": 40}
    second = run_draw(pool000, commit(pool000, strata), SEEDS, UNITS)
    assert first.selected["npc"] == second.selected["npc"]


def reference_rfc3797(candidates: list[str], key: bytes, n: int) -> list[str]:
    """RFC 3797 selection written out again, for an independent check."""
    remaining, out = list(candidates), []
    for i in range(n):
        prefix = i.to_bytes(2, "big")
        value = int(hashlib.md5(prefix + key + prefix).hexdigest(), 16)
        out.append(remaining.pop(value % len(remaining)))
    return out


def test_rfc3797_mode_is_rfc3797_per_stratum(pool000: list[dict[str, Any]]) -> None:
    c = assembly(pool000, RFC_SOURCE)
    result = run_draw(pool000, c, PUBLIC_NUMBERS, UNITS)
    key = "9319./2.5.8.10.12./9.18.26.34.41.45./c2026:assembly:owners./"
    assert result.keys["owners"] == key
    evaluated = set(UNITS)
    candidates = sorted(
        m["pseudonym"]
        for m in pool000
        if m["group"] in OWNERS and not (m["leader"] and m["affiliation"] in evaluated)
    )
    drawn = reference_rfc3797(candidates, key.encode("ascii"), 155)
    assert list(result.selected["owners"] + result.alternates["owners"]) == drawn


def test_sha256_keys_are_domain_separated_canonical_json(pool000: list[dict[str, Any]]) -> None:
    c = assembly(pool000, BEACON_SOURCE)
    keys = stratum_keys(c, BEACON_OUTPUT)
    assert keys["others"] == DOMAIN + canonical(
        {
            "campaign": "c2026",
            "draw": "assembly",
            "kind": "beacon",
            "stratum": "others",
            "values": BEACON_OUTPUT,
        }
    )
    result = run_draw(pool000, c, BEACON_OUTPUT, UNITS)
    assert result.keys["others"] == keys["others"].decode("ascii")


# -- randomness ---------------------------------------------------------------------------


def test_seeds_must_match_their_commitments(pool000: list[dict[str, Any]]) -> None:
    c = assembly(pool000)
    with pytest.raises(RandomnessError, match="seed 2 does not match its commitment"):
        run_draw(pool000, c, [SEEDS[0], (b"another seed: 0000000000").hex()], UNITS)
    with pytest.raises(RandomnessError, match="seed 1 does not match"):
        run_draw(pool000, c, [SEEDS[1], SEEDS[0]], UNITS)  # order matters
    with pytest.raises(RandomnessError, match="2 seed commitment"):
        run_draw(pool000, c, SEEDS[:1], UNITS)
    with pytest.raises(RandomnessError, match="lowercase hex"):
        run_draw(pool000, c, [SEEDS[0].upper(), SEEDS[1]], UNITS)


def test_values_must_fit_the_source(pool000: list[dict[str, Any]]) -> None:
    with pytest.raises(RandomnessError, match="announced 3 source"):
        run_draw(pool000, assembly(pool000, RFC_SOURCE), PUBLIC_NUMBERS[:2], UNITS)
    with pytest.raises(RandomnessError, match="list of sources"):
        run_draw(pool000, assembly(pool000, RFC_SOURCE), SEEDS, UNITS)
    with pytest.raises(RandomnessError, match="beacon 'drand' round 42"):
        run_draw(pool000, assembly(pool000, BEACON_SOURCE), PUBLIC_NUMBERS, UNITS)


def test_a_malformed_commit_is_a_draw_error(pool000: list[dict[str, Any]]) -> None:
    c = assembly(pool000) | {"alternates": -1}
    with pytest.raises(DrawError, match=r"draw\.commit payload is not valid: alternates"):
        run_draw(pool000, c, SEEDS, UNITS)


# -- reveal ---------------------------------------------------------------------------------


def reveal_for(c: dict[str, Any], values: Any, result: DrawResult) -> dict[str, Any]:
    return {"campaign": c["campaign"], "draw": c["draw"], "values": values, **result.as_payload()}


def test_verify_reveal(pool000: list[dict[str, Any]]) -> None:
    c = assembly(pool000, RFC_SOURCE)
    result = run_draw(pool000, c, PUBLIC_NUMBERS, UNITS)
    reveal = reveal_for(c, PUBLIC_NUMBERS, result)
    DrawReveal.model_validate(reveal)  # the payload shape the ledger checks
    assert verify_reveal(pool000, c, reveal, UNITS) == result

    swapped = dict(reveal["selected"])
    swapped["owners"] = [reveal["alternates"]["owners"][0], *swapped["owners"][1:]]
    with pytest.raises(RevealMismatchError, match=r"stratum 'owners': selected\[0\]"):
        verify_reveal(pool000, c, reveal | {"selected": swapped}, UNITS)
    shorter = {
        "owners": reveal["alternates"]["owners"][:-1],
        "others": reveal["alternates"]["others"],
    }
    with pytest.raises(RevealMismatchError, match="alternates lists 29 member"):
        verify_reveal(pool000, c, reveal | {"alternates": shorter}, UNITS)
    with pytest.raises(RevealMismatchError, match="names strata"):
        verify_reveal(pool000, c, reveal | {"selected": {"owners": swapped["owners"]}}, UNITS)
    with pytest.raises(RevealMismatchError, match="for draw 'panel'"):
        verify_reveal(pool000, c, reveal | {"draw": "panel"}, UNITS)
    with pytest.raises(DrawError, match=r"draw\.reveal payload is not valid"):
        verify_reveal(pool000, c, reveal | {"selected": {"owners": ["not a pseudonym"]}}, UNITS)


# -- payload models ---------------------------------------------------------------------------


def test_commit_model_shapes(pool000: list[dict[str, Any]]) -> None:
    for source in (SEEDS_SOURCE, RFC_SOURCE, BEACON_SOURCE):
        parsed = DrawCommit.model_validate(assembly(pool000, source))
        assert parsed.source.kind == source["kind"]
        assert parsed.model_dump() == assembly(pool000, source) | {
            "exclude_groups": [],
            "exclude_leaders_of_evaluated_units": True,
            "strata": [s | {"all_if_at_most": False} for s in assembly(pool000)["strata"]],
        }


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"strata": [{"name": "a", "groups": ["x"], "count": 1}] * 2}, "same name"),
        ({"strata": [{"name": "a", "groups": ["x", "x"], "count": 1}]}, "lists a group twice"),
        ({"strata": [{"name": "a", "groups": ["x"], "count": 65_535}], "alternates": 1}, "65535"),
        ({"strata": [{"name": "a", "groups": ["x"], "count": 0}]}, "greater than or equal to 1"),
        ({"strata": []}, "at least 1 item"),
        ({"exclude_groups": ["x", "x"]}, "exclude_groups lists a group twice"),
        ({"pool_digest": "AB" * 32}, "pattern"),
        (
            {"source": {"kind": "dice", "description": "d"}},
            "does not match any of the expected tags",
        ),
        ({"source": RFC_SOURCE | {"sources": 0}}, "greater than or equal to 1"),
        ({"source": SEEDS_SOURCE | {"commitments": []}}, "at least 1 item"),
        ({"alternates": 1001}, "less than or equal to 1000"),
        ({"alternates": "3"}, "valid integer"),
        ({"extra": 1}, "Extra inputs are not permitted"),
    ],
)
def test_commit_model_refuses(
    pool000: list[dict[str, Any]], change: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        DrawCommit.model_validate(assembly(pool000) | change)


@pytest.mark.parametrize(
    ("values", "ok"),
    [
        (PUBLIC_NUMBERS, True),
        ([["W 4-1"], ["0042"]], True),
        (BEACON_OUTPUT, True),
        (SEEDS, True),
        ([[9319]], False),  # numbers travel as strings
        ([["中"]], False),
        ("ABCD", False),
        ([], False),
        ([[]], False),
    ],
)
def test_reveal_model_values(values: Any, ok: bool) -> None:
    payload = {"campaign": "c", "draw": "d", "values": values, "selected": {}, "alternates": {}}
    if ok:
        DrawReveal.model_validate(payload)
    else:
        with pytest.raises(ValidationError):
            DrawReveal.model_validate(payload)


# -- properties ---------------------------------------------------------------------------------


SMALL = seed000_pool(99)[:90]


@settings(max_examples=40, deadline=None)
@given(
    order=st.permutations(SMALL),
    first=st.integers(min_value=0, max_value=10**6),
    second=st.lists(st.integers(min_value=0, max_value=99), min_size=1, max_size=6),
    owners=st.integers(min_value=1, max_value=30),
    alternates=st.integers(min_value=0, max_value=10),
)
def test_properties_over_random_inputs(
    order: list[dict[str, Any]], first: int, second: list[int], owners: int, alternates: int
) -> None:
    values = [[str(first)], [str(n) for n in second]]
    source = RFC_SOURCE | {"sources": 2}
    strata: list[dict[str, Any]] = [
        {"name": "owners", "groups": OWNERS, "count": owners, "all_if_at_most": True},
        {"name": "others", "groups": OTHERS, "count": 10, "all_if_at_most": True},
    ]
    c = commit(SMALL, strata, source, alternates=alternates)
    result = run_draw(SMALL, c, values, UNITS)
    # the order the pool is listed in changes nothing
    assert run_draw(order, c, values, UNITS) == result
    # nobody twice; alternates disjoint from the selected; quotas as far as members allow
    drawn = [p for v in (*result.selected.values(), *result.alternates.values()) for p in v]
    assert len(drawn) == len(set(drawn))
    for stratum in strata:
        name, count = stratum["name"], stratum["count"]
        found = result.eligible[name]
        assert len(result.selected[name]) == min(count, found)
        assert len(result.alternates[name]) == min(alternates, found - min(count, found))
    # the stated result passes verification
    reveal = reveal_for(c, values, result)
    assert verify_reveal(list(reversed(order)), c, reveal, UNITS) == result
