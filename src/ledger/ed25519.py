"""Ed25519 verification, one rule for the appender and every verifier.

Signatures are checked with libsodium (through PyNaCl): RFC 8032 §5.1.7
verification without the cofactor, plus libsodium's strict rules, which
refuse a signature whose ``S`` is not below the group order, a public key or
an ``R`` of small order, and a non-canonical public key. Every signature the
ledger accepts therefore also verifies under any RFC 8032 verifier (OpenSSL,
Go's ``crypto/ed25519``, ``cryptography``): the strict rule is the one that
cannot split verifiers. It is also about 40% faster than ``cryptography``'s
OpenSSL check on this machine, and signature checks dominate verification.

Keys that are registered (genesis, ``key.register``, ``key.rotate``,
``credential.issue``) must in addition be canonical encodings of points of
the prime-order subgroup (:func:`usable_public_key`): every key a real
Ed25519 implementation generates is; a crafted one could otherwise make
signatures that one library accepts and another refuses.

Signing stays with ``cryptography`` (``ledger.keys``): Ed25519 signatures are
deterministic, so both libraries make the same bytes.
"""

from __future__ import annotations

from nacl.bindings import crypto_sign_ed25519_pk_to_curve25519, crypto_sign_open
from nacl.exceptions import BadSignatureError
from nacl.exceptions import RuntimeError as SodiumError

PUBLIC_KEY_SIZE = 32
SIGNATURE_SIZE = 64
_P = 2**255 - 19  # the field prime: a canonical y coordinate is below it


def verify(public_key: bytes, signature: bytes, message: bytes | memoryview) -> bool:
    """True if ``signature`` is ``public_key``'s valid, strict Ed25519 signature of ``message``."""
    if len(public_key) != PUBLIC_KEY_SIZE or len(signature) != SIGNATURE_SIZE:
        return False
    try:
        crypto_sign_open(signature + message, public_key)
    except (BadSignatureError, SodiumError, ValueError, TypeError):
        return False
    return True


def usable_public_key(public_key: bytes) -> bool:
    """True if the 32 bytes are a canonical point of the prime-order subgroup (any honest key)."""
    if len(public_key) != PUBLIC_KEY_SIZE:
        return False
    if int.from_bytes(public_key, "little") & ~(1 << 255) >= _P:
        return False  # non-canonical y coordinate
    try:
        # libsodium refuses small-order points, non-points and points outside the subgroup.
        crypto_sign_ed25519_pk_to_curve25519(public_key)
    except (SodiumError, ValueError, TypeError):
        return False
    return True
