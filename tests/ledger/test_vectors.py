"""pingyi's own test vectors (tests/vectors/), checked as far as possible with standard tools.

Entry hashes, leaf hashes, chain links, author signatures and checkpoint
signatures are recomputed here with hashlib and `cryptography` directly, not
through pingyi's code, as a second implementation would.
"""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
import rfc8785
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.vectors import generate

from ledger import canonical, merkle
from ledger.entry import Entry
from ledger.errors import EncodingError
from ledger.note import open_checkpoint, parse_verifier_key

VECTORS = Path(__file__).parents[1] / "vectors"
LOG: dict[str, Any] = json.loads((VECTORS / "log.json").read_text())


def test_the_committed_vectors_are_what_the_generator_makes() -> None:
    for name, text in generate.build().items():
        assert (VECTORS / name).read_text() == text, (
            f"{name} is stale: run tests/vectors/generate.py"
        )


def test_entries_hash_link_and_verify_with_standard_tools() -> None:
    keys = {k["key_id"]: base64.b64decode(k["public_key"]) for k in LOG["keys"].values()}
    prev = "0" * 64
    for item in LOG["entries"]:
        raw = item["entry_bytes"].encode()
        assert hashlib.sha256(raw).hexdigest() == item["entry_hash"]
        assert base64.b64decode(item["leaf_hash"]) == hashlib.sha256(b"\x00" + raw).digest()
        value = json.loads(raw)
        assert value["index"] == item["index"] and value["prev"] == prev
        assert rfc8785.dumps(value) == raw
        statement = item["statement_canonical"].encode()
        assert rfc8785.dumps(value["statement"]) == statement
        message = b"pingyi/statement/v1\n" + statement
        assert message.hex() == item["signed_message_hex"]
        public = keys[value["statement"]["signer"]]
        Ed25519PublicKey.from_public_bytes(public).verify(
            base64.b64decode(item["signature"]), message
        )
        assert hashlib.sha256(public).hexdigest()[:32] == value["statement"]["signer"]
        entry = Entry.from_bytes(raw)
        assert (entry.index, entry.hash, entry.statement_bytes) == (
            item["index"],
            item["entry_hash"],
            statement,
        )
        prev = item["entry_hash"]


def test_roots_and_proofs() -> None:
    leaves = [base64.b64decode(e["leaf_hash"]) for e in LOG["entries"]]
    roots = {int(n): base64.b64decode(r) for n, r in LOG["roots"].items()}
    for n, root in roots.items():
        assert merkle.root_of(leaves[:n]) == root
    for case in LOG["inclusion"]:
        proof = [base64.b64decode(h) for h in case["proof"]]
        merkle.verify_inclusion(
            leaves[case["index"]], case["index"], case["size"], proof, roots[case["size"]]
        )
    for case in LOG["consistency"]:
        proof = [base64.b64decode(h) for h in case["proof"]]
        merkle.verify_consistency(
            case["size1"], case["size2"], proof, roots[case["size1"]], roots[case["size2"]]
        )


def test_checkpoint_note_follows_c2sp_signed_note() -> None:
    note = (VECTORS / "checkpoint.note").read_text()
    vkey = LOG["log_verifier_key"]
    name, key_hex, key_b64 = vkey.split("+", 2)
    public = base64.b64decode(key_b64)
    assert public[0] == 0x01  # Ed25519 algorithm byte
    key_id = hashlib.sha256(name.encode() + b"\n" + public).digest()[:4]
    assert key_id.hex() == key_hex
    text, signature_line = note.split("\n\n")
    body = text + "\n"
    assert body == f"{LOG['origin']}\n7\n{LOG['roots']['7']}\n"
    dash, signer_name, blob = signature_line.rstrip("\n").split(" ")
    assert (dash, signer_name) == ("—", name)
    raw = base64.b64decode(blob)
    assert raw[:4] == key_id
    Ed25519PublicKey.from_public_bytes(public[1:]).verify(raw[4:], body.encode())
    checkpoint = open_checkpoint(note, [parse_verifier_key(vkey)], origin=LOG["origin"])
    assert checkpoint.size == 7


def test_canonical_cases() -> None:
    for case in json.loads((VECTORS / "canonical.json").read_text()):
        assert canonical.canonical(case["value"]).decode() == case["canonical"]
        assert rfc8785.dumps(case["value"]).decode() == case["canonical"]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | st.text(),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(), inner, max_size=5),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_fast_canonical_path_equals_rfc8785(value: Any) -> None:
    try:
        expected = rfc8785.dumps(value)
    except Exception:  # lone surrogates cannot be UTF-8: both must refuse
        try:
            canonical.canonical(value)
        except Exception:
            return
        raise AssertionError("canonical() accepted what RFC 8785 refuses") from None
    assert canonical.canonical(value) == expected


@pytest.mark.parametrize("parse", [canonical.parse_json, canonical.check_canonical])
def test_nesting_is_limited_by_a_rule_not_by_the_parsers_stack(parse: Any) -> None:
    """64 levels pass and 65 fail, however deep the caller's own stack is."""
    deepest = b'{"a":' * 32 + b"[" * 32 + b"1" + b"]" * 32 + b"}" * 32
    assert parse(deepest) is not None
    for too_deep in (b"[" * 65 + b"]" * 65, b'{"a":' * 65 + b"1" + b"}" * 65, b"[" * 5000):
        with pytest.raises(EncodingError, match="nest deeper than 64 levels"):
            parse(too_deep)
    # brackets inside strings do not count
    assert parse(b'["' + b"[{" * 100 + b'"]') == ["[{" * 100]


def test_canonical_refuses_values_nested_too_deep_whatever_their_depth() -> None:
    for depth in (65, 3000):
        value: Any = 1
        for _ in range(depth):
            value = [value]
        with pytest.raises(EncodingError, match="nest deeper than 64 levels"):
            canonical.canonical(value)
