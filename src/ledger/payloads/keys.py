"""Genesis and key management payloads."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from ledger.payloads.base import KeyIdText, Payload, PublicKeyText, Text
from ledger.roles import RoleName

Holder = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class Genesis(Payload):
    """Entry 0 of a log: names the deployment, the office root key and the log's checkpoint key."""

    deployment: Holder
    root_key: PublicKeyText
    log_key: Annotated[str, StringConstraints(min_length=10, max_length=400)]  # C2SP vkey


class KeyRegister(Payload):
    key: PublicKeyText
    holder: Holder  # a role label such as "supervisor 07", never personal data
    roles: Annotated[list[RoleName], Field(min_length=1, max_length=8)]


class KeyRoles(Payload):
    key_id: KeyIdText
    roles: Annotated[list[RoleName], Field(min_length=1, max_length=8)]
    reason: Text


class KeyRevoke(Payload):
    key_id: KeyIdText
    reason: Text


class KeyRotate(Payload):
    """The old key is revoked and the new key takes over its holder and roles."""

    key_id: KeyIdText
    new_key: PublicKeyText
    reason: Text
