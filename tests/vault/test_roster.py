"""Rosters and enrolment: checked rows, random pseudonyms, salted commitments.

The people in tests/vault/data are fictional (张三, 李四, ... are the Chinese
placeholder names) and their phone numbers start with 100, which no Chinese
mobile number does. Invalid rosters live in data/invalid, named after their defect.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from ledger.canonical import canonical
from vault.errors import RosterError, VaultError
from vault.roster import (
    GROUP_LABELS,
    GROUPS,
    PERSON_CONTEXT,
    Enrolment,
    Person,
    RosterRow,
    commitment,
    enroll,
    read_roster,
)

DATA = Path(__file__).parent / "data"
INVALID = DATA / "invalid"


def test_csv_roster_is_read_and_normalised() -> None:
    rows = read_roster(DATA / "roster.csv")
    assert [row.line for row in rows] == list(range(2, 10))
    assert all(isinstance(row, RosterRow) and row.source.endswith("roster.csv") for row in rows)
    first, _, _, fourth, fifth, *_ = (row.person for row in rows)
    assert first == Person(
        name="张三",
        group="npc_deputy",
        phone="+8610000000001",
        affiliation=None,
        leader=False,
        id_number="TEST00000000000001",
    )
    assert fourth.group == "service_recipient"
    assert fourth.phone is None
    assert fourth.affiliation == "GX-ZG"
    assert fourth.id_number == "TEST0000000000004X"
    assert fifth.leader is True
    assert [row.person.leader for row in rows] == [
        False,
        False,
        False,
        False,
        True,
        True,
        True,
        True,
    ]


def test_csv_and_json_rosters_of_the_same_people_read_the_same() -> None:
    from_csv = [row.person for row in read_roster(DATA / "roster.csv")]
    from_json = [row.person for row in read_roster(DATA / "roster.json")]
    assert from_csv == from_json
    assert read_roster(DATA / "roster.json")[2].where.endswith("roster.json row 3")


def test_every_chinese_label_maps_to_a_group_code() -> None:
    assert set(GROUP_LABELS.values()) <= set(GROUPS)
    for label, code in GROUP_LABELS.items():
        assert Person.of(name="张三", group=label).group == code
        assert Person.of(name="张三", group=code.upper()).group == code


def test_a_spreadsheet_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_bytes(b"\xef\xbb\xbf" + (DATA / "roster.csv").read_bytes())
    assert len(read_roster(path)) == 8


def test_the_message_names_file_line_and_field(tmp_path: Path) -> None:
    lines = ["name,group"] + [f"person{i},npc_deputy" for i in range(2, 14)] + ["王五,teacher"]
    path = tmp_path / "roster.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(RosterError) as caught:
        read_roster(path)
    message = str(caught.value)
    assert message.startswith(f"{path} line 14: group 'teacher' is not a known group; use one of ")
    assert "npc_deputy" in message
    assert "人大代表" in message


INVALID_ROSTERS = {
    "unknown_group.csv": r"unknown_group\.csv line 3: group 'teacher' is not a known group",
    "missing_name.csv": r"missing_name\.csv line 3: name is empty",
    "bad_leader.csv": r"bad_leader\.csv line 2: leader 'maybe' is not yes/no",
    "bad_phone.csv": r"bad_phone\.csv line 2: phone '1000000000x' is not a phone number",
    "bad_affiliation.csv": r"line 2: affiliation '\.\./GX' is not a unit code",
    "duplicate_name_and_phone.csv": (
        r"line 4: duplicate person \(张三 with phone 10000000001 is already at .* line 2\)"
    ),
    "duplicate_id_number.json": (
        r"duplicate_id_number\.json row 2: duplicate person \(ID number TEST00000000000001"
    ),
    "duplicate_row.csv": r"line 3: duplicate person \(the same row is already at .* line 2\)",
    "unknown_column.csv": r"line 1: unknown column 'mobile'",
    "missing_group_column.csv": r"line 1: the 'group' column is missing",
    "too_many_cells.csv": r"line 2: 3 cells but 2 columns",
    "no_people.csv": r"the roster has no people",
    "not_a_list.json": r"a JSON roster is a list of objects",
    "phone_as_number.json": r"phone_as_number\.json row 1: phone must be text, got 10000000001; quote it",
    "duplicate_key.json": r"duplicate key 'group'",
    "malformed.json": r"malformed JSON",
    "not_utf8.csv": r"not UTF-8 .*save the roster as CSV UTF-8",
    "roster.tsv": r"a roster is a \.csv or a \.json file",
}


@pytest.mark.parametrize("name", sorted(INVALID_ROSTERS))
def test_invalid_rosters_are_refused_with_a_message(name: str) -> None:
    with pytest.raises(RosterError, match=INVALID_ROSTERS[name]):
        read_roster(INVALID / name)


def test_every_invalid_roster_file_is_tested() -> None:
    assert sorted(p.name for p in INVALID.iterdir()) == sorted(INVALID_ROSTERS)


def test_a_missing_roster_file_is_a_roster_error(tmp_path: Path) -> None:
    with pytest.raises(RosterError, match="cannot read the roster"):
        read_roster(tmp_path / "absent.csv")


def test_roster_errors_are_vault_errors() -> None:
    assert issubclass(RosterError, VaultError)


def test_person_must_be_in_normal_form() -> None:
    with pytest.raises(RosterError, match="not in normal form"):
        Person(name=" 张三", group="npc_deputy")
    with pytest.raises(RosterError, match="not in normal form"):
        Person(name="张三", group="npc_deputy", phone="100 0000 0001")
    with pytest.raises(RosterError, match="group 'teacher' is not a known group"):
        Person(name="张三", group="teacher")
    with pytest.raises(RosterError, match="person: leader"):
        Person.of(name="张三", group="npc_deputy", leader=2)


def test_enrolment_gives_random_pseudonyms_and_public_members() -> None:
    rows = read_roster(DATA / "roster.csv")
    enrolments = enroll(rows)
    again = enroll(rows)
    assert len(enrolments) == 8
    for enrolment, other, row in zip(enrolments, again, rows, strict=True):
        assert enrolment.person == row.person
        assert len(enrolment.salt) == 32
        assert re.fullmatch(r"P[0-9a-f]{20}", enrolment.pseudonym)
        assert enrolment.pseudonym != other.pseudonym  # random, not derived from the person
        assert enrolment.member["commitment"] != other.member["commitment"]
    assert len({e.pseudonym for e in enrolments}) == 8


def test_the_member_holds_no_personal_data() -> None:
    for enrolment in enroll(read_roster(DATA / "roster.csv")):
        member = enrolment.member
        assert set(member) == {"pseudonym", "group", "affiliation", "leader", "commitment"}
        assert member["group"] == enrolment.person.group
        assert member["affiliation"] == enrolment.person.affiliation
        assert member["leader"] is enrolment.person.leader
        public = canonical(dict(member)).decode()
        assert enrolment.person.name not in public
        for private in (enrolment.person.phone, enrolment.person.id_number):
            assert private is None or private not in public


def test_the_commitment_follows_the_documented_formula(token: Callable[[int], bytes]) -> None:
    (enrolment,) = enroll([read_roster(DATA / "roster.csv")[0]], token=token)
    person = enrolment.person
    fields = {
        "name": person.name,
        "phone": person.phone,
        "id_number": person.id_number,
        "group": person.group,
        "affiliation": person.affiliation,
        "leader": person.leader,
    }
    expected = hashlib.sha256(
        b"pingyi/person/v1\n" + enrolment.salt + canonical(fields)
    ).hexdigest()
    assert PERSON_CONTEXT == b"pingyi/person/v1\n"
    assert enrolment.member["commitment"] == expected == commitment(person, enrolment.salt)
    assert canonical(fields) == json.dumps(
        fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8")


def test_enrolment_is_repeatable_with_a_fixed_token(token: Callable[[int], bytes]) -> None:
    """A golden value: changing the commitment bytes must be a deliberate, versioned change."""
    person = Person.of(name="张三", group="人大代表", phone="+86 100 0000 0001", leader="是")
    (enrolment,) = enroll([person], token=token)
    assert enrolment.salt == hashlib.sha256(b"pingyi TEST token 0").digest()
    assert enrolment.pseudonym == "P" + hashlib.sha256(b"pingyi TEST token 1").hexdigest()[:20]
    assert enrolment.member == {
        "pseudonym": enrolment.pseudonym,
        "group": "npc_deputy",
        "affiliation": None,
        "leader": True,
        "commitment": GOLDEN_COMMITMENT,
    }


GOLDEN_COMMITMENT = "43b3ee257870dcc95d92acd2cda65fe980f0590767a9d60084073f2ec9a60185"


@pytest.mark.parametrize(
    "change",
    [
        {"name": "张叁"},
        {"phone": "10000000009"},
        {"id_number": "TEST00000000000009"},
        {"group": "supervisor"},
        {"affiliation": "GX-ZG"},
        {"leader": False},
    ],
)
def test_the_commitment_binds_every_field(change: dict[str, object]) -> None:
    fields: dict[str, object] = {
        "name": "张三",
        "phone": "10000000001",
        "id_number": None,
        "group": "npc_deputy",
        "affiliation": None,
        "leader": True,
    }
    salt = bytes(range(32))
    before = commitment(Person.of(**fields), salt)
    assert commitment(Person.of(**(fields | change)), salt) != before
    assert commitment(Person.of(**fields), bytes(32)) != before


def test_a_commitment_needs_a_32_byte_salt() -> None:
    with pytest.raises(RosterError, match="32 bytes"):
        commitment(Person.of(name="张三", group="npc_deputy"), b"short")


def test_enrolment_refuses_a_bad_random_source() -> None:
    person = Person.of(name="张三", group="npc_deputy")
    with pytest.raises(RosterError, match="when asked for 32 bytes"):
        enroll([person], token=lambda size: b"\x00" * (size - 1))
    other = Person.of(name="李四", group="npc_deputy")
    with pytest.raises(RosterError, match="repeated pseudonym"):
        enroll([person, other], token=lambda size: b"\x07" * size)


def test_enrolment_refuses_duplicate_people() -> None:
    person = Person.of(name="张三", group="npc_deputy", phone="10000000001")
    with pytest.raises(RosterError, match="person 2: duplicate person"):
        enroll([person, person])


def test_an_enrolment_checks_its_parts() -> None:
    person = Person.of(name="张三", group="npc_deputy")
    with pytest.raises(RosterError, match="pseudonym 'p123' is malformed"):
        Enrolment(person=person, salt=bytes(32), pseudonym="p123")
    with pytest.raises(RosterError, match="has 31 bytes"):
        Enrolment(person=person, salt=bytes(31), pseudonym="P" + "0" * 20)
