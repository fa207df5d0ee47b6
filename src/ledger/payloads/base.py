"""Shared field types for payload models."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

DecimalText = Annotated[str, StringConstraints(pattern=r"^-?(0|[1-9][0-9]{0,11})(\.[0-9]{1,6})?$")]
KeyIdText = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")]
PublicKeyText = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9+/]{43}=$")]
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
