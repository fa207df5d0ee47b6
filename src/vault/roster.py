"""Rosters of an evaluator pool, and their enrolment as pseudonyms with salted commitments.

A roster is a CSV (UTF-8, header row) or JSON (a list of objects) file with the
columns ``name`` (required), ``phone``, ``group`` (required), ``affiliation``,
``leader`` and ``id_number``. :func:`read_roster` turns it into checked
:class:`RosterRow` values; :func:`enroll` gives every person a random
pseudonym and a random 32-byte salt. Only :attr:`Enrolment.member` goes into
the public log::

    {"pseudonym": "P" + 20 hex, "group": ..., "affiliation": ... | None,
     "leader": bool, "commitment": 64 hex}

    commitment = SHA-256(b"pingyi/person/v1\\n" || salt ||
                         JCS({"name", "phone", "id_number", "group", "affiliation", "leader"}))

JCS bytes come from :func:`ledger.canonical.canonical`. Anyone who holds the
person and the salt (the private store, :mod:`vault.people`) can open the
commitment with :func:`commitment`; once the salt is erased nobody can.

Values are normalised before they are committed to, so the same person always
gives the same bytes: surrounding whitespace is dropped, a phone number loses
its spaces and hyphens, an ID number is upper-cased, a group label such as
人大代表 becomes its code (``npc_deputy``), and an empty optional cell is null.
Reading the file is the only I/O here; the random source is a parameter.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypedDict

from ledger.canonical import PERSON_CONTEXT, parse_json, person_commitment
from ledger.errors import EncodingError
from vault.errors import RosterError

__all__ = [
    "COLUMNS",
    "GROUPS",
    "GROUP_LABELS",
    "PERSON_CONTEXT",
    "PSEUDONYM",
    "SALT_SIZE",
    "Enrolment",
    "Member",
    "Person",
    "RosterRow",
    "commitment",
    "enroll",
    "read_roster",
]

SALT_SIZE = 32
PSEUDONYM_BYTES = 10
PSEUDONYM = re.compile(r"P[0-9a-f]{20}")

GROUPS: tuple[str, ...] = (
    "npc_deputy",
    "cppcc_member",
    "enterprise_head",
    "self_employed",
    "party_delegate",
    "party_committee",
    "discipline_committee",
    "unit_head",
    "service_recipient",
    "county_leader",
    "supervisor",
)
GROUP_LABELS: Mapping[str, str] = {
    "人大代表": "npc_deputy",
    "政协委员": "cppcc_member",
    "企业负责人": "enterprise_head",
    "个体工商户": "self_employed",
    "党代表": "party_delegate",
    "党委委员": "party_committee",
    "纪委委员": "discipline_committee",
    "单位负责人": "unit_head",
    "服务对象": "service_recipient",
}
COLUMNS: tuple[str, ...] = ("name", "phone", "group", "affiliation", "leader", "id_number")
REQUIRED_COLUMNS: tuple[str, ...] = ("name", "group")

_TRUE = frozenset({"yes", "true", "1", "是", "y"})
_FALSE = frozenset({"no", "false", "0", "否", "n", ""})
_PHONE = re.compile(r"\+?[0-9]{3,20}")
_UNIT = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
_ID_NUMBER = re.compile(r"[0-9A-Z]{1,32}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class _FieldError(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field} {message}")
        self.field = field


def _text(field: str, value: object) -> str | None:
    """A cell as stripped text, or None when empty."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str):
        raise _FieldError(field, f"must be text, got {value!r}; quote it")
    text = value.strip()
    if _CONTROL.search(text):
        raise _FieldError(field, f"{text!r} contains a control character; remove it")
    return text or None


def _name(value: object) -> str:
    name = _text("name", value)
    if name is None:
        raise _FieldError("name", "is empty; every row needs the person's name")
    return name


def _phone(value: object) -> str | None:
    phone = _text("phone", value)
    if phone is None:
        return None
    compact = re.sub(r"[\s-]", "", phone)
    if not _PHONE.fullmatch(compact):
        raise _FieldError(
            "phone", f"{phone!r} is not a phone number; write digits, optionally with a leading +"
        )
    return compact


def _group(value: object) -> str:
    group = _text("group", value)
    if group is None:
        raise _FieldError("group", f"is empty; use one of {', '.join(GROUPS)}")
    if group in GROUP_LABELS:
        return GROUP_LABELS[group]
    if group.lower() in GROUPS:
        return group.lower()
    raise _FieldError(
        "group",
        f"{group!r} is not a known group; use one of {', '.join(GROUPS)} "
        f"(or {', '.join(GROUP_LABELS)})",
    )


def _affiliation(value: object) -> str | None:
    unit = _text("affiliation", value)
    if unit is not None and not _UNIT.fullmatch(unit):
        raise _FieldError(
            "affiliation",
            f"{unit!r} is not a unit code; write the code from the rulebook, e.g. GX-ZG",
        )
    return unit


def _leader(value: object) -> bool:
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().lower()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
    raise _FieldError(
        "leader", f"{value!r} is not yes/no; write yes, no, true, false, 1, 0, 是 or 否"
    )


def _id_number(value: object) -> str | None:
    number = _text("id_number", value)
    if number is None:
        return None
    number = number.upper()
    if not _ID_NUMBER.fullmatch(number):
        raise _FieldError(
            "id_number", "is not an ID number; write letters and digits only (at most 32)"
        )
    return number


def _normal(fields: Mapping[str, object]) -> dict[str, str | bool | None]:
    return {
        "name": _name(fields.get("name")),
        "phone": _phone(fields.get("phone")),
        "id_number": _id_number(fields.get("id_number")),
        "group": _group(fields.get("group")),
        "affiliation": _affiliation(fields.get("affiliation")),
        "leader": _leader(fields.get("leader")),
    }


@dataclass(frozen=True)
class Person:
    """One person's private data, normalised (see :meth:`of`). Never put it in the log."""

    name: str
    group: str
    phone: str | None = None
    affiliation: str | None = None
    leader: bool = False
    id_number: str | None = None

    @classmethod
    def of(
        cls,
        *,
        name: object,
        group: object,
        phone: object = None,
        affiliation: object = None,
        leader: object = None,
        id_number: object = None,
    ) -> Person:
        """Normalise raw values (as read from a roster) into a person; raise RosterError."""
        raw = {
            "name": name,
            "group": group,
            "phone": phone,
            "affiliation": affiliation,
            "leader": leader,
            "id_number": id_number,
        }
        try:
            return _person(raw)
        except _FieldError as exc:
            raise RosterError(f"person: {exc}") from None

    def __post_init__(self) -> None:
        fields = self._fields()
        try:
            normal = _normal(fields)
        except _FieldError as exc:
            raise RosterError(f"person: {exc}") from None
        if normal != fields or not isinstance(self.leader, bool):
            raise RosterError(
                f"person {self.name!r} is not in normal form; build it with Person.of(...)"
            )

    def _fields(self) -> dict[str, str | bool | None]:
        return {
            "name": self.name,
            "phone": self.phone,
            "id_number": self.id_number,
            "group": self.group,
            "affiliation": self.affiliation,
            "leader": self.leader,
        }


def _person(fields: Mapping[str, object]) -> Person:
    return Person(
        name=_name(fields.get("name")),
        group=_group(fields.get("group")),
        phone=_phone(fields.get("phone")),
        affiliation=_affiliation(fields.get("affiliation")),
        leader=_leader(fields.get("leader")),
        id_number=_id_number(fields.get("id_number")),
    )


@dataclass(frozen=True)
class RosterRow:
    """A person read from a roster file, with where it was read (for messages).

    ``line`` is the CSV line, or the 1-based position in a JSON list.
    """

    source: str
    line: int
    person: Person

    @property
    def where(self) -> str:
        unit = "row" if self.source.lower().endswith(".json") else "line"
        return f"{self.source} {unit} {self.line}"


class Member(TypedDict):
    """The public record of one pool member: what the log holds."""

    pseudonym: str
    group: str
    affiliation: str | None
    leader: bool
    commitment: str


def commitment(person: Person, salt: bytes) -> str:
    """The salted commitment to a person (64 lowercase hex); check a person against the log."""
    if len(salt) != SALT_SIZE:
        raise RosterError(f"a commitment salt has {SALT_SIZE} bytes, got {len(salt)}")
    return person_commitment(salt, person._fields())


@dataclass(frozen=True)
class Enrolment:
    """A person with their random salt and pseudonym; :attr:`member` is the public part."""

    person: Person
    salt: bytes
    pseudonym: str

    def __post_init__(self) -> None:
        if not PSEUDONYM.fullmatch(self.pseudonym):
            raise RosterError(
                f"pseudonym {self.pseudonym!r} is malformed: it is P and 20 lowercase hex digits"
            )
        if len(self.salt) != SALT_SIZE:
            raise RosterError(f"the salt of {self.pseudonym} has {len(self.salt)} bytes, not 32")

    @property
    def commitment(self) -> str:
        return commitment(self.person, self.salt)

    @property
    def member(self) -> Member:
        return {
            "pseudonym": self.pseudonym,
            "group": self.person.group,
            "affiliation": self.person.affiliation,
            "leader": self.person.leader,
            "commitment": self.commitment,
        }


def _check_duplicates(people: Iterable[tuple[str, Person]]) -> None:
    """Refuse the same person twice: same ID number, same name and phone, or an identical row."""
    seen: dict[object, str] = {}
    for where, person in people:
        keys: list[tuple[object, str]] = [(("row", person), "the same row")]
        if person.id_number is not None:
            keys.append((("id", person.id_number), f"ID number {person.id_number}"))
        if person.phone is not None:
            keys.append(
                (("phone", person.name, person.phone), f"{person.name} with phone {person.phone}")
            )
        for key, what in keys:
            if key in seen:
                raise RosterError(
                    f"{where}: duplicate person ({what} is already at {seen[key]}); "
                    "remove one of the two rows"
                )
        for key, _ in keys:
            seen[key] = where


def read_roster(path: str | os.PathLike[str]) -> list[RosterRow]:
    """Read and check a roster file (.csv or .json); raise RosterError naming file, line and field."""
    file = Path(path)
    source = str(path)
    suffix = file.suffix.lower()
    if suffix not in (".csv", ".json"):
        raise RosterError(f"{source}: a roster is a .csv or a .json file; rename or convert it")
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise RosterError(f"{source}: cannot read the roster: {exc.strerror or exc}") from exc
    data = data.removeprefix(b"\xef\xbb\xbf")  # a BOM, as spreadsheet programs write
    records = _csv_records(source, data) if suffix == ".csv" else _json_records(source, data)
    rows: list[RosterRow] = []
    for where, line, fields in records:
        try:
            person = _person(fields)
        except _FieldError as exc:
            raise RosterError(f"{where}: {exc}") from None
        rows.append(RosterRow(source, line, person))
    if not rows:
        raise RosterError(f"{source}: the roster has no people; add one row per person")
    _check_duplicates((row.where, row.person) for row in rows)
    return rows


def _check_columns(where: str, columns: Iterable[str]) -> None:
    names = list(columns)
    for column in names:
        if column not in COLUMNS:
            raise RosterError(
                f"{where}: unknown column {column!r}; the columns are {', '.join(COLUMNS)}"
            )
    for column in REQUIRED_COLUMNS:
        if column not in names:
            raise RosterError(f"{where}: the {column!r} column is missing; it is required")


def _csv_records(source: str, data: bytes) -> list[tuple[str, int, dict[str, object]]]:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RosterError(
            f"{source}: not UTF-8 (byte {exc.start}); save the roster as CSV UTF-8"
        ) from exc
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        if header is None:
            raise RosterError(f"{source}: the file is empty; the first line names the columns")
        columns = [column.strip().lower() for column in header]
        if len(set(columns)) != len(columns):
            raise RosterError(f"{source} line 1: a column is named twice")
        _check_columns(f"{source} line 1", columns)
        records: list[tuple[str, int, dict[str, object]]] = []
        for cells in reader:
            line = reader.line_num
            where = f"{source} line {line}"
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) > len(columns):
                raise RosterError(
                    f"{where}: {len(cells)} cells but {len(columns)} columns; "
                    "quote cells that contain a comma"
                )
            records.append((where, line, dict(zip(columns, cells, strict=False))))
    except csv.Error as exc:
        raise RosterError(f"{source} line {reader.line_num}: malformed CSV: {exc}") from exc
    return records


def _json_records(source: str, data: bytes) -> list[tuple[str, int, dict[str, object]]]:
    try:
        value = parse_json(data, source)
    except EncodingError as exc:
        raise RosterError(f"{exc}; a JSON roster is a list of objects") from exc
    if not isinstance(value, list):
        raise RosterError(f"{source}: a JSON roster is a list of objects, one per person")
    records: list[tuple[str, int, dict[str, object]]] = []
    for number, item in enumerate(value, start=1):
        where = f"{source} row {number}"
        if not isinstance(item, dict):
            raise RosterError(f"{where}: each person is a JSON object with name, group, ...")
        _check_columns(where, item)
        records.append((where, number, dict(item)))
    return records


def enroll(
    rows: Iterable[RosterRow | Person], *, token: Callable[[int], bytes] = os.urandom
) -> list[Enrolment]:
    """Give every person a random salt and pseudonym (drawn in that order from ``token``).

    The pseudonym is random, never derived from personal data. ``token(n)``
    must return ``n`` random bytes; it is a parameter so tests can be repeated.
    """
    located = [
        (row.where, row.person) if isinstance(row, RosterRow) else (f"person {i}", row)
        for i, row in enumerate(rows, start=1)
    ]
    _check_duplicates(located)
    enrolments: list[Enrolment] = []
    pseudonyms: set[str] = set()
    for where, person in located:
        salt = _draw(token, SALT_SIZE)
        pseudonym = "P" + _draw(token, PSEUDONYM_BYTES).hex()
        if pseudonym in pseudonyms:
            raise RosterError(
                f"{where}: the random source repeated pseudonym {pseudonym}; "
                "use os.urandom and enrol again"
            )
        pseudonyms.add(pseudonym)
        enrolments.append(Enrolment(person=person, salt=salt, pseudonym=pseudonym))
    return enrolments


def _draw(token: Callable[[int], bytes], size: int) -> bytes:
    value = token(size)
    if not isinstance(value, bytes) or len(value) != size:
        raise RosterError(f"the random source gave {value!r} when asked for {size} bytes")
    return value
