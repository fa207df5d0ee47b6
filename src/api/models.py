"""What the API sends and accepts, as pydantic models (they are also the OpenAPI schemas).

Path and query patterns repeat the ledger's own field patterns
(``ledger.payloads.base``) so that a malformed id is refused as a 422 problem
before it reaches the store.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ledger.canonical import MAX_SAFE_INTEGER

ENTRY_ID = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
CODE = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
KEY_ID = r"^[0-9a-f]{32}$"
PSEUDONYM = r"^P[0-9a-f]{20}$"
BASE64_SIGNATURE = r"^[A-Za-z0-9+/]{86}==$"
NONCE = r"^[A-Za-z0-9_-]{43}$"
MAX_INDEX = MAX_SAFE_INTEGER


class Receipt(BaseModel):
    index: int = Field(description="The entry's index in the log")
    entry_hash: str = Field(description="hex SHA-256 of the entry bytes")
    leaf_hash: str = Field(description="base64 RFC 9162 leaf hash")
    duplicate: bool = Field(description="True when this exact signed entry was already recorded")
    checkpoint: str = Field(description="C2SP signed checkpoint the proof is against")
    inclusion_proof: list[str] = Field(description="base64 RFC 9162 inclusion proof hashes")
    tlog_proof: str = Field(description="The same proof as a c2sp.org/tlog-proof@v1 text")


class EntryView(BaseModel):
    index: int
    hash: str
    raw: str = Field(description="The exact canonical entry bytes (hash these)")
    statement: dict[str, Any]
    signature: str


class EntryPage(BaseModel):
    entries: list[EntryView]
    next_after: int | None = Field(description="Pass as ?after= for the next page; null at the end")


class LogInfo(BaseModel):
    origin: str
    size: int
    root: str
    log_key: str | None = Field(description="C2SP verifier key of the checkpoint key")


class InclusionProof(BaseModel):
    index: int
    size: int
    leaf_hash: str
    proof: list[str]
    checkpoint: str


class ConsistencyProof(BaseModel):
    size1: int
    size2: int
    proof: list[str]
    checkpoint: str = Field(description="Signed checkpoint at size2")


class Health(BaseModel):
    status: str


class Readiness(BaseModel):
    status: str
    size: int = Field(description="Entries in the log")


# -- campaigns, rankings, explanations -----------------------------------------------------


class RulebookVersionView(BaseModel):
    index: int = Field(description="Log position of the rulebook.adopt / rulebook.revise entry")
    entry: str = Field(description="Its entry id")
    type: str
    hash: str = Field(description="Content hash of the rulebook version")


class CampaignView(BaseModel):
    campaign: str
    title: str | None = Field(description="From campaign.open; null until it opens")
    rulebook: str | None = Field(description="Hash of the rulebook in force now; null if none")
    rulebook_versions: list[RulebookVersionView]
    opened: int | None = Field(description="Log position of campaign.open, or null")
    closed: int | None = Field(description="Log position of campaign.close, or null")


class CampaignList(BaseModel):
    size: int = Field(description="The log size this list reflects")
    campaigns: list[CampaignView]


class _Open(BaseModel):
    """A document whose members beyond those named here are kept as they are."""

    model_config = ConfigDict(extra="allow")


class RulebookRef(BaseModel):
    key: str
    hash: str


class RankingDocument(_Open):
    """``projections.render.ranking_to_json``: canonical JSON, numbers as decimal strings."""

    format: str = Field(description='"pingyi.ranking/1"')
    rulebook: RulebookRef
    title: dict[str, str]
    components: list[dict[str, Any]]
    tables: list[dict[str, Any]]
    warnings: list[str]


class ExplanationDocument(_Open):
    """``projections.render.explanation_to_json``: every entry that moved a unit's score."""

    format: str = Field(description='"pingyi.explanation/1"')
    rulebook: RulebookRef
    unit: dict[str, Any]
    total: str
    components: list[dict[str, Any]]


# -- publications ---------------------------------------------------------------------------


class PublicationView(BaseModel):
    index: int = Field(description="Log position of the ranking.publish entry")
    id: str = Field(description="Entry id")
    hash: str = Field(description="hex SHA-256 of the entry bytes")
    signer: str = Field(description="Key id that signed it")
    time: str = Field(description="Time the signer claims")
    campaign: str | None
    payload: dict[str, Any] = Field(description="The signed payload, as recorded")


class PublicationList(BaseModel):
    size: int = Field(description="The log size this list reflects")
    publications: list[PublicationView]


class PublicationProof(BaseModel):
    publication: PublicationView
    entry: EntryView = Field(description="The exact entry bytes (the Merkle leaf is over raw)")
    inclusion: InclusionProof = Field(description="Proof against the latest signed checkpoint")


# -- inspector authentication and private data -------------------------------------------------


class Challenge(BaseModel):
    log: str = Field(description="The log's origin the nonce is bound to")
    nonce: str = Field(description="Random, single use (base64url, 32 bytes)")
    purpose: str = Field(description='"private-read"')
    expires: str = Field(description="UTC time after which the nonce is refused")
    message: str = Field(
        description='What to sign: b"pingyi/auth/v1\\n" + RFC 8785 JSON of '
        '{"key": <key id>, "log": log, "nonce": nonce, "purpose": purpose}'
    )


class TokenRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    key: str = Field(pattern=KEY_ID, description="The inspector's registered key id")
    nonce: str = Field(pattern=NONCE, description="From POST /v1/auth/challenge")
    signature: str = Field(
        pattern=BASE64_SIGNATURE, description="base64 Ed25519 signature of the auth message"
    )


class Token(BaseModel):
    token: str = Field(description="Send as Authorization: Bearer <token>")
    token_type: str = Field(description='"Bearer"')
    key: str = Field(description="The key id the token stands for")
    expires: str = Field(description="UTC time after which the token is refused")


class PersonDetails(BaseModel):
    """Personal data (``vault.roster.Person``): never logged, never in the public log."""

    name: str
    group: str
    phone: str | None
    affiliation: str | None
    leader: bool
    id_number: str | None


class PersonView(BaseModel):
    pseudonym: str = Field(description="The pool member's public name in the log")
    campaign: str
    pool: str
    group: str = Field(description="Public: as in the log")
    affiliation: str | None = Field(description="Public: as in the log")
    leader: bool = Field(description="Public: as in the log")
    erased: bool = Field(description="Personal details were erased; only the tombstone remains")
    erased_at: str | None = Field(description="When they were erased (UTC), or null")
    erased_reason: str | None
    salt: str | None = Field(description="hex salt of the commitment in the log; null if erased")
    commitment: str | None = Field(
        description="hex SHA-256 commitment recomputed from person and salt; compare with the log"
    )
    person: PersonDetails | None = Field(description="Null once erased")


class PoolPeople(BaseModel):
    campaign: str
    pool: str
    people: list[PersonView]
