"""Shared field types for payload models."""

from __future__ import annotations

import base64
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from ledger import ed25519

DecimalText = Annotated[str, StringConstraints(pattern=r"^-?(0|[1-9][0-9]{0,11})(\.[0-9]{1,6})?$")]
KeyIdText = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")]


def _usable_key(text: str) -> str:
    if not ed25519.usable_public_key(base64.b64decode(text)):
        raise ValueError(
            "not a usable Ed25519 public key (not a canonical point of the prime-order "
            "group; every key a real Ed25519 implementation generates is): "
            "make keys with `pingyi keygen`"
        )
    return text


#: A registered Ed25519 public key, base64 of its 32 bytes (see ``ledger.ed25519``).
PublicKeyText = Annotated[
    str, StringConstraints(pattern=r"^[A-Za-z0-9+/]{43}=$"), AfterValidator(_usable_key)
]
Code = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
Text = Annotated[str, StringConstraints(min_length=1, max_length=4000)]
EntryIdText = Annotated[
    str,
    StringConstraints(pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"),
]


Hex64 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
#: A pool member's public name: "P" and 20 random hex digits, never derived from personal data.
Pseudonym = Annotated[str, StringConstraints(pattern=r"^P[0-9a-f]{20}$")]


class Payload(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class Evidence(Payload):
    """A file in the evidence store, named by content: the log holds only its hash."""

    sha256: Hex64
    size: Annotated[int, Field(ge=0, le=1 << 40)]
    name: Annotated[str, StringConstraints(min_length=1, max_length=200)]


EvidenceList = Annotated[list[Evidence], Field(max_length=50)]
