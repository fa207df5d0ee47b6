"""Shared field types for payload models."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

DecimalText = Annotated[str, StringConstraints(pattern=r"^-?(0|[1-9][0-9]{0,11})(\.[0-9]{1,6})?$")]
KeyIdText = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")]
PublicKeyText = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9+/]{43}=$")]
Code = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
Text = Annotated[str, StringConstraints(min_length=1, max_length=4000)]
EntryIdText = Annotated[
    str,
    StringConstraints(pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"),
]


class Payload(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)
