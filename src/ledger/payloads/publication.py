"""Publication payload: the office publishes a campaign's ranking at a checkpoint.

``ranking.publish`` binds the campaign, the rulebook version (content hash, as in
``rulebook.adopt``), the checkpoint the ranking was computed at (tree size and
root, the root in standard base64 as in a C2SP checkpoint), the digest of the
ranking document and the document itself. A correction names the publication it
replaces and why; both stay in the log.

This layer checks the shape only. Whether the campaign is open, the rulebook is
the campaign's, the checkpoint is not ahead of the log and the digest is the
document's is checked by ``projections.publication.PublicationPolicy``; whether
the document is the ranking recomputed at that checkpoint is checked by the
bundle verifier (``verifier.bundle``), which holds the whole log prefix.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, StringConstraints, model_validator

from ledger.payloads.base import Code, EntryIdText, Payload, Text
from ledger.payloads.scoring import RulebookHashText

Base64Hash = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9+/]{43}=$")]
DigestText = Annotated[str, StringConstraints(pattern=r"^sha256:[0-9a-f]{64}$")]


class PublishedCheckpoint(Payload):
    """The checkpoint a ranking was computed at: tree size and base64 RFC 9162 root."""

    size: Annotated[int, Field(ge=1, le=2**53 - 1)]
    root: Base64Hash


class RankingPublish(Payload):
    """A published ranking (the ``pingyi.ranking/1`` document) and what it was computed from."""

    campaign: Code
    rulebook: RulebookHashText
    checkpoint: PublishedCheckpoint
    digest: DigestText  # "sha256:" + hex SHA-256 of the JCS bytes of ``ranking``
    ranking: dict[str, Any]
    replaces: EntryIdText | None = None
    reason: Text | None = None

    @model_validator(mode="after")
    def _reason_for_a_correction(self) -> RankingPublish:
        if self.replaces is not None and self.reason is None:
            raise ValueError("a correction (replaces) must give its reason")
        return self
