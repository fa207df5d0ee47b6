"""The key registry: which key holds which roles, replayed from key entries.

Pure state machine shared by the append path and every verifier: ``authorize``
decides whether a statement may be appended at a given index, ``apply``
advances the registry with an entry that was accepted.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, replace
from typing import Any

from ledger import credentials
from ledger.errors import PayloadError, RevokedKeyError, RoleError, UnknownKeyError
from ledger.keys import key_id
from ledger.roles import ROOT_ONLY_GRANTS, SELF, Role, allowed_roles

KEY_TYPES = frozenset({"key.register", "key.roles", "key.revoke", "key.rotate"})


@dataclass(frozen=True)
class KeyRecord:
    key_id: str
    public_key: bytes
    holder: str
    roles: frozenset[str]
    registered_at: int
    revoked_at: int | None = None
    revoked_reason: str = ""
    scope: tuple[str, str] | None = None  # (campaign, window) of a ballot credential
    group: str | None = None  # the voter group a ballot credential was issued to


class KeyRegistry:
    def __init__(self) -> None:
        self.keys: dict[str, KeyRecord] = {}

    def copy(self) -> KeyRegistry:
        clone = KeyRegistry()
        clone.keys = dict(self.keys)
        return clone

    def public_key(self, kid: str) -> bytes | None:
        record = self.keys.get(kid)
        return record.public_key if record else None

    def authorize(self, entry_type: str, signer: str, payload: dict[str, Any], index: int) -> None:
        """Raise UnknownKeyError, RevokedKeyError, RoleError or PayloadError, or return."""
        if entry_type == "genesis":
            if index != 0:
                raise RoleError("genesis can only be entry 0 of a log")
            if signer != key_id(base64.b64decode(payload["root_key"])):
                raise RoleError("genesis must be signed by the root key it names")
            return
        if index == 0:
            raise RoleError("entry 0 of a log must be its genesis")
        record = self.keys.get(signer)
        if record is None:
            raise UnknownKeyError(
                f"signer {signer} is not a registered key of this log; register it first"
            )
        credentials.check_unspent(record)
        if record.revoked_at is not None:
            raise RevokedKeyError(
                f"signer {signer} ({record.holder}) was revoked at entry {record.revoked_at}: "
                f"{record.revoked_reason}"
            )
        allowed = allowed_roles(entry_type)
        self_rotation = SELF in allowed and payload.get("key_id") == signer
        if not (record.roles & allowed) and not self_rotation:
            need = ", ".join(sorted(r for r in allowed if r != SELF)) or "no role"
            have = ", ".join(sorted(record.roles))
            raise RoleError(
                f"{entry_type!r} needs a key with role {need}; signer {signer} "
                f"({record.holder}) has {have}"
            )
        if entry_type in KEY_TYPES:
            self._authorize_key_change(entry_type, record, payload)
        elif entry_type in credentials.CREDENTIAL_TYPES:
            credentials.authorize(self.keys, entry_type, record, payload)

    def _authorize_key_change(
        self, entry_type: str, signer: KeyRecord, payload: dict[str, Any]
    ) -> None:
        granted = frozenset(payload.get("roles", ()))
        if Role.ROOT in granted:
            raise RoleError("the root role is only named by genesis or passed on by key.rotate")
        if granted & ROOT_ONLY_GRANTS and Role.ROOT not in signer.roles:
            raise RoleError("only the root key may grant the registrar role")
        if entry_type == "key.register":
            kid = key_id(base64.b64decode(payload["key"]))
            if kid in self.keys:
                raise PayloadError(f"statement.payload.key: key {kid} is already registered")
            return
        target = self.keys.get(payload["key_id"])
        if target is None:
            raise PayloadError(
                f"statement.payload.key_id: no key {payload['key_id']} is registered"
            )
        if target.revoked_at is not None:
            raise PayloadError(
                f"statement.payload.key_id: key {target.key_id} is already revoked "
                f"(entry {target.revoked_at})"
            )
        privileged = target.roles & ROOT_ONLY_GRANTS
        if privileged and Role.ROOT not in signer.roles and target.key_id != signer.key_id:
            raise RoleError(f"only the root key may change a key with role {sorted(privileged)}")
        if entry_type == "key.revoke" and Role.ROOT in target.roles:
            raise RoleError("the root key cannot be revoked; rotate it with key.rotate")
        if entry_type == "key.rotate":
            new = key_id(base64.b64decode(payload["new_key"]))
            if new in self.keys:
                raise PayloadError(f"statement.payload.new_key: key {new} is already registered")

    def apply(
        self, entry_type: str, payload: dict[str, Any], index: int, signer: str | None = None
    ) -> None:
        """Advance with an accepted entry (``signer`` is needed to spend a ballot credential)."""
        if entry_type in credentials.CREDENTIAL_TYPES:
            if entry_type == "ballot.cast":
                if signer is None:
                    raise TypeError("apply(ballot.cast) needs the signer to spend its credential")
                credentials.spend(self.keys, signer, index)
            else:
                credentials.apply(self.keys, entry_type, payload, index)
        elif entry_type == "genesis":
            public = base64.b64decode(payload["root_key"])
            kid = key_id(public)
            self.keys[kid] = KeyRecord(kid, public, "office root", frozenset({Role.ROOT}), index)
        elif entry_type == "key.register":
            public = base64.b64decode(payload["key"])
            kid = key_id(public)
            self.keys[kid] = KeyRecord(
                kid, public, payload["holder"], frozenset(payload["roles"]), index
            )
        elif entry_type == "key.roles":
            old = self.keys[payload["key_id"]]
            self.keys[old.key_id] = replace(old, roles=frozenset(payload["roles"]))
        elif entry_type == "key.revoke":
            old = self.keys[payload["key_id"]]
            self.keys[old.key_id] = replace(old, revoked_at=index, revoked_reason=payload["reason"])
        elif entry_type == "key.rotate":
            old = self.keys[payload["key_id"]]
            public = base64.b64decode(payload["new_key"])
            kid = key_id(public)
            self.keys[old.key_id] = replace(
                old, revoked_at=index, revoked_reason=f"rotated to {kid}: {payload['reason']}"
            )
            self.keys[kid] = KeyRecord(kid, public, old.holder, old.roles, index)
