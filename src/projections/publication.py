"""Publications: a campaign's ranking published at a checkpoint, and the rules for them.

A ``ranking.publish`` entry (payload: ``ledger.payloads.publication``) carries
the ranking document (``pingyi.ranking/1``, :func:`projections.render.ranking_document`)
and ``digest`` = ``"sha256:" + hex(SHA-256(JCS(ranking)))``, the hash of the
document's canonical bytes made by :mod:`ledger.canonical`.

:class:`PublicationPolicy` is a ``ledger.state.Policy`` (pure, replayed from the
log, re-checked by every verifier). It refuses a publication

1. of a campaign that adopted no rulebook or has not been opened;
2. whose rulebook hash is not the campaign's version in force at the checkpoint
   (the latest ``rulebook.adopt``/``rulebook.revise`` before ``checkpoint.size``);
3. whose checkpoint size is larger than the log was when it was appended;
4. whose digest is not the hash of its ranking document, or whose document names
   another rulebook;
5. that replaces an entry that is not a publication, or one of another campaign.

That the document *is* the ranking recomputed at ``checkpoint.size`` and that
``checkpoint.root`` is the log's root there needs the whole log prefix: the
bundle verifier (``verifier.bundle``) checks both.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Protocol

from ledger import canonical
from ledger.errors import PayloadError
from projections.render import RANKING_FORMAT, ranking_document
from projections.replay import Replay

PUBLISH = "ranking.publish"
PUBLICATION_FORMAT = "pingyi.publication/1"
_RULEBOOK_TYPES = ("rulebook.adopt", "rulebook.revise")


class _Item(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def type(self) -> str: ...

    @property
    def payload(self) -> dict[str, Any]: ...


def ranking_digest(document: Mapping[str, Any]) -> str:
    """``sha256:<hex>`` of the RFC 8785 canonical bytes of a ranking document."""
    return "sha256:" + canonical.sha256_hex(canonical.canonical(document))


def publication_payload(
    campaign: str,
    state: Replay,
    *,
    size: int,
    root: bytes,
    replaces: str | None = None,
    reason: str | None = None,
) -> dict[str, Any]:
    """The payload publishing ``state`` (the campaign replayed as of ``size - 1``)."""
    document = ranking_document(state.result())
    payload: dict[str, Any] = {
        "campaign": campaign,
        "rulebook": state.hash,
        "checkpoint": {"size": size, "root": base64.b64encode(root).decode("ascii")},
        "digest": ranking_digest(document),
        "ranking": document,
    }
    if replaces is not None:
        payload["replaces"] = replaces
    if reason is not None:
        payload["reason"] = reason
    return payload


def publication_document(
    *, origin: str, index: int, entry_hash: str, statement: Mapping[str, Any]
) -> dict[str, Any]:
    """The published JSON document (``pingyi.publication/1``) of a ``ranking.publish`` entry.

    Everything in it is copied from the signed entry; ``digest`` is the hash of
    the ``ranking`` member's canonical bytes.
    """
    payload = statement["payload"]
    return {
        "format": PUBLICATION_FORMAT,
        "log": origin,
        "index": index,
        "entry": statement["id"],
        "entry_hash": entry_hash,
        "time": statement["time"],
        "signer": statement["signer"],
        "campaign": payload["campaign"],
        "rulebook": payload["rulebook"],
        "checkpoint": payload["checkpoint"],
        "digest": payload["digest"],
        "replaces": payload.get("replaces"),
        "reason": payload.get("reason"),
        "ranking": payload["ranking"],
    }


@dataclass(frozen=True)
class _Campaign:
    versions: tuple[tuple[int, str], ...] = ()  # (index, rulebook hash), in log order
    opened: int | None = None

    def in_force(self, size: int) -> str | None:
        """The rulebook hash in force for the first ``size`` entries."""
        found = None
        for index, digest in self.versions:
            if index < size:
                found = digest
        return found


class PublicationPolicy:
    """Enforces the publication rules above. ``copy()`` is O(campaigns).

    The publication index (id -> position, campaign) is shared between copies and
    only grows; an id counts only if its position is below this copy's size and
    still holds it, so the entries of an undone batch leave nothing visible.
    """

    def __init__(self) -> None:
        self.size = 0
        self._campaigns: dict[str, _Campaign] = {}
        self._publications: dict[str, tuple[int, str]] = {}
        self._at: dict[int, str] = {}

    def copy(self) -> PublicationPolicy:
        twin = PublicationPolicy.__new__(PublicationPolicy)
        twin.size = self.size
        twin._campaigns = dict(self._campaigns)
        twin._publications, twin._at = self._publications, self._at
        return twin

    def check(self, submission: _Item, index: int) -> None:
        """Raise PayloadError if ``submission`` may not become entry ``index``."""
        if submission.type != PUBLISH:
            return
        payload = submission.payload
        name = str(payload["campaign"])
        state = self._campaigns.get(name)
        if state is None or not state.versions:
            raise PayloadError(
                f"statement.payload.campaign: campaign {name!r} is unknown: it adopted no rulebook"
            )
        if state.opened is None:
            raise PayloadError(
                f"statement.payload.campaign: campaign {name!r} has not been opened; "
                "publish its ranking once it is open"
            )
        size = int(payload["checkpoint"]["size"])
        if size > index:
            raise PayloadError(
                f"statement.payload.checkpoint.size: {size} is beyond the log, which holds "
                f"{index} entries before this one; publish at a checkpoint of this log"
            )
        self._check_rulebook(name, state, str(payload["rulebook"]), size)
        self._check_document(payload)
        replaced = payload.get("replaces")
        if replaced is not None:
            self._check_replaces(name, str(replaced))

    def apply(self, entry: Any) -> None:
        """Record an accepted entry."""
        index: int = entry.index
        self.size = index + 1
        self._at.pop(index, None)
        type_, payload = entry.type, entry.payload
        name = payload.get("campaign") if isinstance(payload, dict | Mapping) else None
        if not isinstance(name, str):
            return
        if type_ in _RULEBOOK_TYPES:
            state = self._campaigns.get(name, _Campaign())
            versions = (*state.versions, (index, str(payload.get("hash"))))
            self._campaigns[name] = replace(state, versions=versions)
        elif type_ == "campaign.open":
            state = self._campaigns.get(name, _Campaign())
            if state.opened is None:
                self._campaigns[name] = replace(state, opened=index)
        elif type_ == PUBLISH:
            self._publications[entry.id] = (index, name)
            self._at[index] = entry.id

    # -- helpers ---------------------------------------------------------------------------

    def publication(self, entry_id: str) -> tuple[int, str] | None:
        """(index, campaign) of the publication with this id, if this log holds one."""
        found = self._publications.get(entry_id)
        if found is None or found[0] >= self.size or self._at.get(found[0]) != entry_id:
            return None
        return found

    @staticmethod
    def _check_rulebook(name: str, state: _Campaign, digest: str, size: int) -> None:
        if digest not in {h for _, h in state.versions}:
            known = ", ".join(h for _, h in state.versions)
            raise PayloadError(
                f"statement.payload.rulebook: {digest} is not a rulebook version of campaign "
                f"{name!r} (its versions: {known})"
            )
        in_force = state.in_force(size)
        if in_force != digest:
            raise PayloadError(
                f"statement.payload.rulebook: at checkpoint size {size} the rulebook in force "
                f"for campaign {name!r} is {in_force or 'none (adopted later)'}, not {digest}"
            )

    @staticmethod
    def _check_document(payload: Mapping[str, Any]) -> None:
        document = payload["ranking"]
        if document.get("format") != RANKING_FORMAT:
            raise PayloadError(
                f"statement.payload.ranking.format: the document must be {RANKING_FORMAT!r}, "
                f"got {document.get('format')!r}"
            )
        named = document.get("rulebook")
        if not isinstance(named, Mapping) or named.get("hash") != payload["rulebook"]:
            raise PayloadError(
                "statement.payload.ranking.rulebook.hash: the document was computed with "
                "another rulebook than the publication names"
            )
        digest = ranking_digest(document)
        if digest != payload["digest"]:
            raise PayloadError(
                f"statement.payload.digest: the ranking document hashes to {digest}, "
                f"not {payload['digest']}; sign the digest of the document you publish"
            )

    def _check_replaces(self, name: str, replaced: str) -> None:
        found = self.publication(replaced)
        if found is None:
            raise PayloadError(
                f"statement.payload.replaces: entry {replaced} is not a publication in this log"
            )
        index, campaign = found
        if campaign != name:
            raise PayloadError(
                f"statement.payload.replaces: publication {replaced} (#{index}) is of campaign "
                f"{campaign!r}, not {name!r}"
            )


__all__ = [
    "PUBLICATION_FORMAT",
    "PUBLISH",
    "PublicationPolicy",
    "publication_document",
    "publication_payload",
    "ranking_digest",
]
