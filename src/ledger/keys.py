"""Ed25519 keys: key ids, signing statements, and private keys encrypted at rest.

A key id is the first 16 bytes of SHA-256 over the raw 32-byte public key,
as 32 lowercase hex digits. A private key is only ever written to disk as
PKCS#8 PEM encrypted with a passphrase (scrypt + AES-256 via ``cryptography``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ledger import canonical, ed25519
from ledger.errors import SignatureError

PASSPHRASE_ENV = "PINGYI_KEY_PASSPHRASE"  # noqa: S105 (a variable name, not a secret)


def key_id(public_key: bytes) -> str:
    if len(public_key) != 32:
        raise SignatureError(f"an Ed25519 public key has 32 bytes, got {len(public_key)}")
    return hashlib.sha256(public_key).hexdigest()[:32]


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str, what: str, length: int | None = None) -> bytes:
    try:
        data = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError) as exc:
        raise SignatureError(f"{what} is not valid base64") from exc
    if length is not None and len(data) != length:
        raise SignatureError(f"{what} must decode to {length} bytes, got {len(data)}")
    return data


def verify_signature(public_key: bytes, signature_b64: str, message: bytes) -> None:
    """Raise SignatureError unless ``signature_b64`` is a valid signature of ``message``."""
    signature = unb64(signature_b64, "signature", 64)
    if not ed25519.verify(public_key, signature, message):
        raise SignatureError("the Ed25519 signature does not verify")


@dataclass(frozen=True)
class Signer:
    """A private key in its owner's hands; signs statements with the statement context."""

    private_key: Ed25519PrivateKey

    @classmethod
    def generate(cls) -> Signer:
        return cls(Ed25519PrivateKey.generate())

    @classmethod
    def from_seed(cls, seed: bytes) -> Signer:
        """Deterministic key from a 32-byte seed: for labelled TEST keys and the demo only."""
        return cls(Ed25519PrivateKey.from_private_bytes(hashlib.sha256(seed).digest()))

    @property
    def public_bytes(self) -> bytes:
        return self.private_key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )

    @property
    def public_b64(self) -> str:
        return b64(self.public_bytes)

    @property
    def key_id(self) -> str:
        return key_id(self.public_bytes)

    def sign_statement(self, statement: dict[str, Any]) -> str:
        return b64(self.private_key.sign(canonical.statement_message(statement)))

    def sign_raw(self, message: bytes) -> bytes:
        return self.private_key.sign(message)

    # -- at rest ------------------------------------------------------------------

    def save(self, path: Path, passphrase: bytes) -> None:
        """Write the key encrypted with ``passphrase`` (never unencrypted), mode 0600."""
        if not passphrase:
            raise SignatureError(
                "refusing to write a private key without a passphrase; "
                f"set {PASSPHRASE_ENV} or pass one"
            )
        pem = self.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(passphrase),
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
        path.with_suffix(".pub").write_text(self.public_b64 + "\n")

    @classmethod
    def load(cls, path: Path, passphrase: bytes) -> Signer:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise SignatureError(f"cannot read key file {path}: {exc.strerror}") from exc
        try:
            key = serialization.load_pem_private_key(data, password=passphrase or None)
        except (ValueError, TypeError) as exc:
            raise SignatureError(
                f"cannot open key file {path}: wrong passphrase or not an encrypted "
                "PKCS#8 Ed25519 key"
            ) from exc
        if not isinstance(key, Ed25519PrivateKey):
            raise SignatureError(f"{path} does not hold an Ed25519 key")
        return cls(key)
