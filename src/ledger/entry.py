"""Statements (what an author signs), submissions and sequenced entries.

A *statement* is one fact: which log, its id, its type and payload version, the
signer's key id, the time the author claims, the payload, and optionally the
hash of the entry it must follow (``prev``). The author signs it; the log then
*sequences* it into an *entry* by adding its index and the hash of the entry
before it. See :mod:`ledger.canonical` for the exact bytes.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from typing import TYPE_CHECKING, Annotated, Any, Generic, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    create_model,
)
from pydantic.json_schema import SkipJsonSchema

from ledger import canonical
from ledger.errors import EncodingError, PayloadError
from ledger.keys import Signer, verify_signature
from ledger.payloads import PAYLOADS
from ledger.payloads.base import KeyIdText

MAX_STATEMENT_BYTES = 256 * 1024
TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"

Origin = Annotated[
    str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9.-]{0,120}(/[A-Za-z0-9._-]{1,64}){0,4}$")
]


def _real_time(text: str) -> str:
    try:
        parse_time(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a real UTC date and time") from None
    return text


#: UTC, to the second or the microsecond, ASCII digits only (RFC 3339 with "Z").
TimeText = Annotated[
    str,
    StringConstraints(
        pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?Z$"
    ),
    AfterValidator(_real_time),
    Field(json_schema_extra={"format": "date-time"}),
]
UuidText = Annotated[
    str,
    StringConstraints(pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"),
]
TypeText = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*){0,3}$")]
HashText = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]

_T = TypeVar("_T")


class _Once(Generic[_T]):
    """``functools.cached_property`` without its lock (Python 3.11 takes one per first read).

    Statements are read-only values: computing one twice under a race is harmless,
    and a verifier reads ``id``, ``type`` and ``submission`` of every entry once.
    """

    def __init__(self, func: Callable[[Any], _T]) -> None:
        self.func = func
        self.name = func.__name__

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self
        value = instance.__dict__[self.name] = self.func(instance)
        return value


if TYPE_CHECKING:
    from functools import cached_property as once
else:
    once = _Once


class _Envelope(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    v: Literal[1]
    log: Origin
    id: UuidText
    type: TypeText
    version: Annotated[int, "payload version"]
    signer: KeyIdText
    time: TimeText
    payload: dict[str, Any]
    prev: HashText | SkipJsonSchema[None] = None  # omitted, never null


def describe(error: ValidationError, prefix: str = "") -> str:
    """Turn a pydantic error into 'path: message; path: message' for a person."""
    parts = []
    for item in error.errors(include_url=False):
        path = prefix
        for loc in item["loc"]:
            path += f"[{loc}]" if isinstance(loc, int) else (f".{loc}" if path else str(loc))
        parts.append(f"{path or '(root)'}: {item['msg']}")
    return "; ".join(parts)


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def format_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(TIME_FORMAT)


@cache
def _statement_model(type_: str, version: int) -> type[BaseModel] | None:
    """The envelope with the payload model of (type, version) in place of a plain dict.

    One validation checks a known statement whole (a verifier does this per entry);
    built on first use, so importing the module stays cheap.
    """
    payload = PAYLOADS.get((type_, version))
    if payload is None:
        return None
    name = f"Statement_{type_.replace('.', '_')}_v{version}"
    fixed: dict[str, Any] = {"type": (Literal[type_], ...), "version": (Literal[version], ...)}
    model: type[BaseModel] = create_model(name, __base__=_Envelope, payload=(payload, ...), **fixed)
    return model


def validate_statement(statement: Any) -> None:
    """Check the envelope and the typed payload; raise PayloadError naming the field."""
    if not isinstance(statement, dict):
        raise PayloadError("statement must be a JSON object")
    if "prev" in statement and statement["prev"] is None:
        raise PayloadError("statement.prev: omit the field instead of sending null")
    type_, version = statement.get("type"), statement.get("version")
    if isinstance(type_, str) and type(version) is int:
        whole = _statement_model(type_, version)
        if whole is not None:
            try:
                whole.model_validate(statement)
            except ValidationError as exc:
                raise PayloadError(describe(exc, "statement")) from None
            return
    try:
        envelope = _Envelope.model_validate(statement)
    except ValidationError as exc:
        raise PayloadError(describe(exc, "statement")) from None
    model = PAYLOADS.get((envelope.type, envelope.version))
    if model is None:
        known = sorted({t for t, _ in PAYLOADS})
        if envelope.type in known:
            raise PayloadError(
                f"statement.version: {envelope.type!r} has no payload version {envelope.version}"
            )
        raise PayloadError(f"statement.type: unknown entry type {envelope.type!r}; known: {known}")
    try:
        model.model_validate(envelope.payload)
    except ValidationError as exc:
        raise PayloadError(describe(exc, "statement.payload")) from None


def new_statement(
    *,
    log: str,
    type: str,
    payload: dict[str, Any],
    signer: str,
    time: datetime,
    version: int = 1,
    id: str | None = None,
    prev: str | None = None,
) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "v": 1,
        "log": log,
        "id": id or str(uuid.uuid4()),
        "type": type,
        "version": version,
        "signer": signer,
        "time": format_time(time),
        "payload": payload,
    }
    if prev is not None:
        statement["prev"] = prev
    return statement


class _Statement:
    """Read access to the fields of a signed statement."""

    statement: dict[str, Any]

    @once
    def id(self) -> str:
        return str(self.statement["id"])

    @once
    def type(self) -> str:  # read many times per entry by the policies and folds
        return str(self.statement["type"])

    @property
    def signer(self) -> str:
        return str(self.statement["signer"])

    @property
    def payload(self) -> dict[str, Any]:
        payload: dict[str, Any] = self.statement["payload"]
        return payload

    @property
    def time(self) -> datetime:
        return parse_time(str(self.statement["time"]))


@dataclass(frozen=True)
class Submission(_Statement):
    """A signed statement on its way to the log."""

    statement: dict[str, Any]
    signature: str
    statement_bytes: bytes = field(repr=False)

    @classmethod
    def sign(cls, signer: Signer, statement: dict[str, Any]) -> Submission:
        validate_statement(statement)
        data = canonical.canonical(statement)
        signature = signer.sign_statement(statement)
        return cls(statement, signature, data)

    @classmethod
    def new(
        cls,
        signer: Signer,
        *,
        log: str,
        type: str,
        payload: dict[str, Any],
        time: datetime,
        **fields: Any,
    ) -> Submission:
        """Build a statement signed by ``signer`` (its key id is the statement's signer)."""
        statement = new_statement(
            log=log, type=type, payload=payload, signer=signer.key_id, time=time, **fields
        )
        return cls.sign(signer, statement)

    @classmethod
    def from_json(cls, data: bytes) -> Submission:
        """Parse ``{"statement": {...}, "signature": "..."}`` and validate it (not its signature)."""
        if len(data) > MAX_STATEMENT_BYTES:
            raise EncodingError(
                f"submission is {len(data)} bytes; the limit is {MAX_STATEMENT_BYTES}"
            )
        return cls.from_value(canonical.parse_json(data, "submission"))

    @classmethod
    def from_value(cls, value: Any) -> Submission:
        if not isinstance(value, dict) or set(value) != {"statement", "signature"}:
            raise PayloadError(
                'a submission is a JSON object with exactly "statement" and "signature"'
            )
        statement, signature = value["statement"], value["signature"]
        if not isinstance(signature, str):
            raise PayloadError("signature must be a base64 string")
        validate_statement(statement)
        data = canonical.canonical(statement)
        if len(data) > MAX_STATEMENT_BYTES:
            raise EncodingError(
                f"statement is {len(data)} bytes; the limit is {MAX_STATEMENT_BYTES}"
            )
        return cls(statement, signature, data)

    def to_value(self) -> dict[str, Any]:
        return {"statement": self.statement, "signature": self.signature}

    def check_signature(self, public_key: bytes) -> None:
        verify_signature(
            public_key, self.signature, canonical.statement_message_from_bytes(self.statement_bytes)
        )

    def same_as(self, entry: Entry) -> bool:
        return self.statement_bytes == entry.statement_bytes and self.signature == entry.signature


@dataclass(frozen=True)
class Entry(_Statement):
    """A sequenced entry: its canonical bytes are what the log stores and hashes."""

    index: int
    prev: str
    signature: str
    statement: dict[str, Any]
    statement_bytes: bytes = field(repr=False)
    raw: bytes = field(repr=False)

    @classmethod
    def sequence(cls, submission: Submission, index: int, prev: str) -> Entry:
        raw = canonical.entry_bytes(index, prev, submission.signature, submission.statement_bytes)
        return cls(
            index, prev, submission.signature, submission.statement, submission.statement_bytes, raw
        )

    @classmethod
    def from_bytes(cls, raw: bytes) -> Entry:
        """Parse stored entry bytes, insisting on the canonical layout (EncodingError)."""
        index, prev, signature, statement_bytes = canonical.split_entry(raw)
        statement = canonical.check_canonical(statement_bytes, "statement")
        if not isinstance(statement, dict):
            raise EncodingError("statement must be a JSON object")
        return cls(index, prev, signature, statement, statement_bytes, raw)

    @once
    def hash(self) -> str:
        return canonical.sha256_hex(self.raw)

    @once
    def submission(self) -> Submission:
        """The signed statement as submitted (built once: every policy checks it)."""
        return Submission(self.statement, self.signature, self.statement_bytes)
