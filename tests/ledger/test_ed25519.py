"""The strict Ed25519 rule (docs/verification.md §4) on the edge-case vectors.

``tests/vectors/signatures.json`` holds crafted signatures that the
cofactorless RFC 8032 equation accepts but the strict rule refuses. They are
checked three ways: with pingyi's verifier (``ledger.ed25519``), with
``cryptography`` (OpenSSL, the lax rule: it shows why one rule must be
shared), and through the ledger, which must refuse them on append.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pydantic import ValidationError

from ledger import ed25519
from ledger.errors import SignatureError
from ledger.keys import Signer, verify_signature
from ledger.payloads.keys import KeyRegister

VECTORS: dict[str, Any] = json.loads(
    (Path(__file__).parents[1] / "vectors" / "signatures.json").read_text()
)
MESSAGE = bytes.fromhex(VECTORS["message"])
CASES = VECTORS["signatures"]
KEYS = VECTORS["public_keys"]


def _openssl_accepts(public: bytes, signature: bytes, message: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(signature, message)
    except InvalidSignature:
        return False
    return True


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_strict_rule_on_the_edge_cases(case: dict[str, Any]) -> None:
    public, signature = bytes.fromhex(case["public_key"]), bytes.fromhex(case["signature"])
    assert ed25519.verify(public, signature, MESSAGE) is case["strict_valid"]
    # OpenSSL checks only the cofactorless equation (and S < L): lax where ours is strict.
    assert _openssl_accepts(public, signature, MESSAGE) is case["cofactorless_equation_holds"]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_the_append_path_uses_the_strict_rule(case: dict[str, Any]) -> None:
    public = bytes.fromhex(case["public_key"])
    signature = base64.b64encode(bytes.fromhex(case["signature"])).decode()
    if case["strict_valid"]:
        verify_signature(public, signature, MESSAGE)
    else:
        with pytest.raises(SignatureError, match="does not verify"):
            verify_signature(public, signature, MESSAGE)


@pytest.mark.parametrize("key", KEYS, ids=[k["name"] for k in KEYS])
def test_only_usable_keys_can_be_registered(key: dict[str, Any]) -> None:
    raw = bytes.fromhex(key["public_key"])
    assert ed25519.usable_public_key(raw) is key["usable"]
    payload = {
        "key": base64.b64encode(raw).decode(),
        "holder": "supervisor 01",
        "roles": ["supervisor"],
    }
    if key["usable"]:
        KeyRegister.model_validate(payload)
    else:
        with pytest.raises(ValidationError, match="not a usable Ed25519 public key"):
            KeyRegister.model_validate(payload)


def test_signatures_of_fresh_keys_verify_and_wrong_ones_do_not() -> None:
    signer = Signer.generate()
    assert ed25519.usable_public_key(signer.public_bytes)
    signature = signer.private_key.sign(MESSAGE)
    assert ed25519.verify(signer.public_bytes, signature, MESSAGE)
    assert ed25519.verify(signer.public_bytes, signature, memoryview(MESSAGE))
    assert not ed25519.verify(signer.public_bytes, signature, MESSAGE + b" ")
    assert not ed25519.verify(signer.public_bytes, signature[:63], MESSAGE)
    assert not ed25519.verify(signer.public_bytes[:31], signature, MESSAGE)
