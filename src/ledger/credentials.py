"""One-time ballot credentials: keys the log commits to at issuance, each signing one ballot.

A credential is an Ed25519 key pair made for one ballot window. The office
appends ``credential.issue`` with the public keys only (no person is named), and
hands the private halves out unlinkably (slips at the door, or keys voters make
themselves and present at check-in). A ``ballot.cast`` is signed by the
credential, so the key registry authorises it like any other entry: the key
must be an issued credential of that campaign and window, of the voter group the
ballot claims, and unspent. Casting spends it; ``window.close`` must declare every
credential still unspent as unused, so issued = cast + declared unused.

Pure functions over the registry's key records, called from
:class:`ledger.registry.KeyRegistry` on append and in every verifier.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from ledger.errors import PayloadError, RevokedKeyError
from ledger.keys import key_id
from ledger.roles import Role

if TYPE_CHECKING:
    from ledger.registry import KeyRecord

CREDENTIAL_TYPES = frozenset({"credential.issue", "ballot.cast", "window.close"})
SPENT = "spent on a ballot"
UNUSED = "declared unused when its window closed"


def _scope(payload: Mapping[str, Any]) -> tuple[str, str]:
    return str(payload["campaign"]), str(payload["window"])


def authorize(
    keys: Mapping[str, KeyRecord], entry_type: str, signer: KeyRecord | None, payload: Any
) -> None:
    """Checks beyond the role table for credential entries (signer already found if any)."""
    if entry_type == "credential.issue":
        seen: set[str] = set()
        for n, text in enumerate(payload["keys"]):
            kid = key_id(base64.b64decode(text))
            if kid in keys or kid in seen:
                raise PayloadError(
                    f"statement.payload.keys[{n}]: key {kid} is already registered or issued; "
                    "make a fresh key for every credential"
                )
            seen.add(kid)
    elif entry_type == "ballot.cast":
        assert signer is not None
        if signer.scope != _scope(payload):
            campaign, window = signer.scope or ("?", "?")
            raise PayloadError(
                f"statement.payload.window: credential {signer.key_id} was issued for window "
                f"{window!r} of campaign {campaign!r}, not this ballot's"
            )
        if signer.group != payload.get("group"):
            raise PayloadError(
                f"statement.payload.group: credential {signer.key_id} was issued to voter group "
                f"{signer.group!r}; the ballot says {payload.get('group')!r}"
            )
    elif entry_type == "window.close":
        _authorize_close(keys, payload)


def check_unspent(signer: KeyRecord) -> None:
    """A revoked credential (spent or declared unused) cannot vote: say which."""
    if Role.VOTER in signer.roles and signer.revoked_at is not None:
        why = "a credential votes once" if signer.revoked_reason == SPENT else "it cannot vote"
        raise RevokedKeyError(
            f"credential {signer.key_id} was {signer.revoked_reason} at entry "
            f"{signer.revoked_at}: {why}"
        )


def _authorize_close(keys: Mapping[str, KeyRecord], payload: Any) -> None:
    scope = _scope(payload)
    declared = list(payload.get("unused", ()))
    if len(set(declared)) != len(declared):
        raise PayloadError("statement.payload.unused: a credential is listed twice")
    for n, kid in enumerate(declared):
        record = keys.get(kid)
        if record is None or record.scope != scope:
            raise PayloadError(
                f"statement.payload.unused[{n}]: {kid} is not a credential of window {scope[1]!r}"
            )
        if record.revoked_at is not None:
            raise PayloadError(
                f"statement.payload.unused[{n}]: credential {kid} was already {record.revoked_reason} "
                f"at entry {record.revoked_at}"
            )
    missing = sorted(
        k
        for k, r in keys.items()
        if r.scope == scope and r.revoked_at is None and k not in set(declared)
    )
    if missing:
        raise PayloadError(
            f"statement.payload.unused: {len(missing)} credential(s) of window {scope[1]!r} are "
            f"neither spent nor declared unused (first: {missing[0]}); list every unspent "
            "credential so that issued = cast + unused"
        )


def apply(keys: dict[str, KeyRecord], entry_type: str, payload: Any, index: int) -> None:
    from ledger.registry import KeyRecord

    if entry_type == "credential.issue":
        scope = _scope(payload)
        holder = f"ballot credential {scope[0]}/{scope[1]}"
        for text in payload["keys"]:
            public = base64.b64decode(text)
            kid = key_id(public)
            keys[kid] = KeyRecord(
                kid,
                public,
                holder,
                frozenset({Role.VOTER}),
                index,
                scope=scope,
                group=payload.get("group"),
            )
    elif entry_type == "window.close":
        for kid in payload.get("unused", ()):
            keys[kid] = replace(keys[kid], revoked_at=index, revoked_reason=UNUSED)


def spend(keys: dict[str, KeyRecord], signer: str, index: int) -> None:
    keys[signer] = replace(keys[signer], revoked_at=index, revoked_reason=SPENT)
