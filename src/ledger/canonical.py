"""The one module that owns every byte pingyi signs or hashes.

Everything signed or hashed is RFC 8785 (JCS) canonical JSON. Nothing else in
the code base serialises for signing: call these functions.

Byte layouts (docs/verification.md is the normative text):

- statement message (what an author signs)::

      b"pingyi/statement/v1\\n" || JCS(statement)

- entry bytes (what the log stores, hashes and puts in the Merkle tree)::

      JCS({"index": n, "prev": hex, "signature": b64, "statement": {...}})

  Because JCS sorts keys, ``"statement"`` is the last member, so the
  statement's canonical bytes are a verbatim slice of the entry bytes
  (:func:`split_entry`): a verifier checks the author's signature over the
  very bytes that were hashed.
- entry hash: SHA-256(entry bytes), lowercase hex; ``prev`` of entry 0 is 64 zeros.
- Merkle leaf: SHA-256(0x00 || entry bytes) (RFC 9162), see :mod:`ledger.merkle`.

Floats never enter signed data: scores and points travel as decimal strings,
and :func:`canonical` refuses a float anywhere in the value.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Mapping
from typing import Any

import rfc8785

from ledger.errors import EncodingError

STATEMENT_CONTEXT = b"pingyi/statement/v1\n"
#: Domain prefixes of every other signed or hashed message (one place for all of them).
AUTH_CONTEXT = b"pingyi/auth/v1\n"  # an inspector's signed challenge (api.auth)
PERSON_CONTEXT = b"pingyi/person/v1\n"  # a pool member's salted commitment (vault.roster)
DRAW_CONTEXT = (
    b"pingyi/draw/v1\n"  # a draw stratum's key, beacon and seeds modes (projections.draw)
)
GENESIS_PREV = "0" * 64
MAX_SAFE_INTEGER = 2**53 - 1
#: Arrays and objects nest at most this deep in any JSON pingyi reads (a statement is
#: about 10 deep): a fixed rule, so acceptance never depends on a parser's stack.
MAX_DEPTH = 64
_TOO_DEEP = f"arrays and objects nest deeper than {MAX_DEPTH} levels"

_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"')
_BRACKET = re.compile(rb"[\[\]{}]")
_HEX64 = re.compile(r"[0-9a-f]{64}")
_SIGNATURE = re.compile(r"[A-Za-z0-9+/]{86}==")
_ENTRY_PREFIX = re.compile(
    rb'\A\{"index":(0|[1-9][0-9]{0,15}),"prev":"([0-9a-f]{64})",'
    rb'"signature":"([A-Za-z0-9+/]{86}==)","statement":'
)


def _check(value: object, path: str) -> bool:
    """Reject what JCS cannot carry exactly; say whether the stdlib fast path is exact.

    The fast path (``json.dumps`` with sorted keys) gives JCS bytes when every
    object key is ASCII (then code-point order equals UTF-16 order) and there
    are no floats. Strings are escaped the same way by both.
    """
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return True
    if isinstance(value, int):
        if abs(value) > MAX_SAFE_INTEGER:
            raise EncodingError(f"{path}: integer {value} is outside ±2^53; send it as a string")
        return True
    if isinstance(value, float):
        raise EncodingError(
            f"{path}: floats are not allowed in signed data; send the number as a decimal string"
        )
    if isinstance(value, Mapping):
        fast = True
        for key, item in value.items():
            if not isinstance(key, str):
                raise EncodingError(f"{path}: object keys must be strings, got {key!r}")
            fast = _check(item, f"{path}.{key}") and fast and key.isascii()
        return fast
    if isinstance(value, list | tuple):
        fast = True
        for i, item in enumerate(value):
            fast = _check(item, f"{path}[{i}]") and fast
        return fast
    raise EncodingError(f"{path}: {type(value).__name__} cannot be canonical JSON")


# JCS bytes of a value, exact when _check says the fast path is (ASCII keys, no floats).
_ENCODER = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
)


def _stdlib_encoder() -> Callable[[Any], str]:
    """``_ENCODER.encode`` for values parsed from JSON (no cycles possible), made cheaper.

    ``JSONEncoder.encode`` builds the C encoder on every call; this builds it once,
    with the same settings (and no cycle check), and falls back to ``encode``
    where the C accelerator is missing.
    """
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # pragma: no cover - CPython has the accelerator
        return _ENCODER.encode
    encode = make(
        None, _ENCODER.default, json.encoder.encode_basestring, None, ":", ",", True, False, False
    )

    def text(value: Any) -> str:
        return "".join(encode(value, 0))

    return text


_stdlib_text = _stdlib_encoder()


def canonical(value: Any) -> bytes:
    """RFC 8785 canonical bytes of a JSON value (dicts, lists, str, int, bool, None)
    nested at most MAX_DEPTH deep."""
    what = "cannot canonicalise"
    try:
        out = _encode(value)
    except RecursionError:  # far deeper still
        raise EncodingError(f"{what}: {_TOO_DEEP}") from None
    _check_depth(out, what)
    return out


def _encode(value: Any) -> bytes:
    if _check(value, "$"):
        try:
            return _ENCODER.encode(value).encode("utf-8")
        except UnicodeEncodeError as exc:  # a lone surrogate: no UTF-8 for it
            raise EncodingError(f"cannot canonicalise: {exc.reason} in a string") from None
    try:
        return bytes(rfc8785.dumps(value))
    except RecursionError:
        raise
    except Exception as exc:
        raise EncodingError(f"cannot canonicalise: {exc}") from exc


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def auth_message(log: str, nonce: str, key: str, purpose: str) -> bytes:
    """The exact bytes an inspector signs to redeem a challenge ``nonce``."""
    return AUTH_CONTEXT + canonical({"key": key, "log": log, "nonce": nonce, "purpose": purpose})


def person_commitment(salt: bytes, person: Mapping[str, Any]) -> str:
    """SHA-256 hex of ``pingyi/person/v1\\n || salt || JCS(person)``: a pool member's commitment."""
    return hashlib.sha256(PERSON_CONTEXT + salt + canonical(person)).hexdigest()


def statement_message(statement: Mapping[str, Any]) -> bytes:
    """The exact bytes an author signs for a statement."""
    return STATEMENT_CONTEXT + canonical(statement)


def statement_message_from_bytes(statement_bytes: bytes) -> bytes:
    return STATEMENT_CONTEXT + statement_bytes


def entry_bytes(index: int, prev: str, signature: str, statement_bytes: bytes) -> bytes:
    """Canonical bytes of a sequenced entry, built around the statement's canonical bytes.

    Exact: JCS orders the members index, prev, signature, statement, and none of
    the first three needs escaping (checked here), so this equals
    ``canonical({"index": ..., "prev": ..., "signature": ..., "statement": ...})``.
    """
    if not (_HEX64.fullmatch(prev) and _SIGNATURE.fullmatch(signature)) or index < 0:
        raise EncodingError(
            "entry fields are not in canonical form (index, hex prev, base64 signature)"
        )
    return b'{"index":%d,"prev":"%s","signature":"%s","statement":%s}' % (
        index,
        prev.encode("ascii"),
        signature.encode("ascii"),
        statement_bytes,
    )


def split_entry(data: bytes) -> tuple[int, str, str, bytes]:
    """Split entry bytes into (index, prev, signature, statement bytes) without re-encoding.

    Raises EncodingError when the bytes do not have the canonical entry layout.
    The statement bytes still have to be checked for canonical form by the
    caller (:func:`check_canonical`).
    """
    match = _ENTRY_PREFIX.match(data)
    if match is None or not data.endswith(b"}"):
        raise EncodingError(
            "entry bytes do not start with the canonical layout "
            '{"index":N,"prev":"<64 hex>","signature":"<base64>","statement":{...}}'
        )
    statement_bytes = data[match.end() : -1]
    return (
        int(match.group(1)),
        match.group(2).decode("ascii"),
        match.group(3).decode("ascii"),
        statement_bytes,
    )


class _Refused(ValueError):
    """A number or constant the strict parser refuses (re-raised with context)."""


def _no_float(text: str) -> Any:
    raise _Refused(f"number {text} has a fraction or exponent; use a string")


def _no_constant(text: str) -> Any:
    raise _Refused(f"{text} is not JSON")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _Refused(f"duplicate key {key!r}")
            seen.add(key)
    return result


# Built once: json.loads/json.dumps with options build a new decoder/encoder per call.
_STRICT = json.JSONDecoder(
    object_pairs_hook=_no_duplicates, parse_float=_no_float, parse_constant=_no_constant
)


def _safe_int(text: str) -> int:
    value = int(text)
    if abs(value) > MAX_SAFE_INTEGER:
        raise _Refused(f"integer {text} is outside ±2^53")
    return value


# For check_canonical's fast path: no duplicate-key hook (the re-encoding comparison
# catches duplicates), integers checked against ±2^53 as they are parsed.
_PLAIN = json.JSONDecoder(parse_float=_no_float, parse_constant=_no_constant, parse_int=_safe_int)


def _check_depth(data: bytes, what: str) -> None:
    """Refuse JSON whose arrays and objects nest deeper than MAX_DEPTH."""
    if data.count(b"[") + data.count(b"{") <= MAX_DEPTH:
        return  # cannot be deeper: the common case costs two counts
    depth = 0
    for bracket in _BRACKET.findall(_JSON_STRING.sub(b'""', data)):
        depth += 1 if bracket in b"[{" else -1
        if depth > MAX_DEPTH:
            raise EncodingError(f"{what}: {_TOO_DEEP}")


def parse_json(data: bytes, what: str = "document") -> Any:
    """Parse JSON strictly: UTF-8, no NaN/Infinity, no duplicate keys, no floats,
    at most MAX_DEPTH levels of nesting."""
    _check_depth(data, what)
    try:
        return _STRICT.decode(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise EncodingError(f"{what}: not UTF-8 ({exc.reason} at byte {exc.start})") from exc
    except _Refused as exc:
        raise EncodingError(f"{what}: {exc}") from None
    except json.JSONDecodeError as exc:
        raise EncodingError(
            f"{what}: malformed JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from exc
    except ValueError as exc:  # e.g. an integer too long to convert
        raise EncodingError(f"{what}: {exc}") from None


def check_canonical(data: bytes, what: str = "statement") -> Any:
    """Parse bytes and insist they are already in canonical form; return the value.

    Fast path, exact: parse without the per-object duplicate-key hook and compare
    the text with the stdlib encoding of the value (sorted keys, no whitespace, no
    ASCII escaping), skipping the :func:`_check` walk. That encoding is the RFC 8785
    form when no character is beyond U+FFFF (code-point order of keys is then
    UTF-16 order), there are no floats (refused while parsing) and every integer is
    within ±2^53 (checked while parsing). Equal text also rules out duplicate keys
    (the re-encoding keeps one of them), whitespace, ``-0``, lone surrogates and
    escapes JCS does not use. Anything else, and every mismatch, takes the full
    path (:func:`parse_json`, :func:`canonical`), which names the defect.
    """
    _check_depth(data, what)
    # F0..F4 lead the 4-byte UTF-8 sequences of characters beyond U+FFFF (F5..FF are
    # never valid UTF-8): sorting their keys by code point may differ from UTF-16 order.
    if data.isascii() or not (
        b"\xf0" in data or b"\xf1" in data or b"\xf2" in data or b"\xf3" in data or b"\xf4" in data
    ):
        try:
            text = data.decode("utf-8")
            value, _ = _PLAIN.raw_decode(text)  # trailing data: the comparison fails
        except ValueError:
            pass  # the full path below says what is wrong
        else:
            if _stdlib_text(value) == text:
                return value
    value = parse_json(data, what)
    if canonical(value) != data:
        raise EncodingError(f"{what}: bytes are not RFC 8785 canonical JSON")
    return value
