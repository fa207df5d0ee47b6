"""The private people store: who is behind each pseudonym, erasable on request.

This is not event-sourced data. The log holds only pseudonyms and salted
commitments (:mod:`vault.roster`); this store holds the names, phone numbers,
ID numbers and salts, so that a discipline inspector can open a commitment,
and so that a person can be erased under personal-information law without
changing one byte of the log. Erasure overwrites the personal columns and
the salt with NULL and keeps a tombstone (pseudonym, campaign, pool, public
group fields, when and why); after it the commitment can never be opened.

One interface, two backends, named by one URL (``PINGYI_PRIVATE_STORE``)::

    sqlite:///path/to/private.db       (default: sqlite:///pingyi-private.db)
    postgresql://user[:password]@host[:port]/dbname[?schema=name&create=no]

The PostgreSQL schema defaults to ``pingyi_private``; it and the table are
created if missing unless ``create=no``. The table (both backends)::

    pingyi_people(
        seq            integer, ascending in order of enrolment
        pseudonym      text UNIQUE NOT NULL      -- P + 20 hex, as in the log
        campaign       text NOT NULL
        pool           text NOT NULL
        member_group   text NOT NULL             -- public, as in the log
        affiliation    text                      -- public, as in the log
        leader         boolean NOT NULL          -- public, as in the log
        name           text                      -- personal; NULL once erased
        phone          text                      -- personal; NULL once erased
        id_number      text                      -- personal; NULL once erased
        salt           bytes (32)                -- NULL once erased
        erased_at      timestamp (UTC)           -- NULL until erased
        erased_reason  text                      -- NULL until erased
    )

A CHECK constraint keeps every row either whole (name and salt present, not
erased) or a tombstone (every personal column and the salt NULL).

Physical erasure: SQLite runs with ``secure_delete`` so overwritten values are
zeroed in the file. PostgreSQL keeps the old row version in the table's pages:
a plain VACUUM marks the space free but leaves the bytes (checked with
pageinspect, tests/deploy/test_private_role.py); the owner's ``VACUUM FULL``
rewrites the table without them. Its WAL and any backups keep them longer; the
retention of those is the operator's duty (deploy/README.md).
"""

from __future__ import annotations

import os
import re
from abc import ABC, abstractmethod
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import NamedTuple
from urllib.parse import urlsplit

from ledger.store import redact
from vault.errors import PeopleStoreError, RosterError
from vault.roster import PSEUDONYM, Enrolment, Person, commitment

__all__ = [
    "DEFAULT_PRIVATE_STORE",
    "PRIVATE_STORE_ENV",
    "PeopleStore",
    "PersonRecord",
    "open_people_store",
    "people_store_url",
]

PRIVATE_STORE_ENV = "PINGYI_PRIVATE_STORE"
DEFAULT_PRIVATE_STORE = "sqlite:///pingyi-private.db"
TABLE = "pingyi_people"

_LABEL = re.compile(r"[^\x00-\x1f\x7f]{1,200}")


class Row(NamedTuple):
    """One stored row, in column order, as the backends read and write it."""

    pseudonym: str
    campaign: str
    pool: str
    member_group: str
    affiliation: str | None
    leader: bool
    name: str | None
    phone: str | None
    id_number: str | None
    salt: bytes | None
    erased_at: datetime | None
    erased_reason: str | None


COLUMNS = Row._fields


@dataclass(frozen=True)
class PersonRecord:
    """What the private store knows of one pseudonym; ``person`` and ``salt`` are None once erased."""

    pseudonym: str
    campaign: str
    pool: str
    group: str
    affiliation: str | None
    leader: bool
    person: Person | None
    salt: bytes | None
    erased_at: datetime | None = None
    erased_reason: str | None = None

    @property
    def erased(self) -> bool:
        return self.erased_at is not None

    @property
    def commitment(self) -> str | None:
        """The commitment recomputed from the stored person and salt; None once erased."""
        if self.person is None or self.salt is None:
            return None
        return commitment(self.person, self.salt)

    @classmethod
    def from_row(cls, row: Row) -> PersonRecord:
        person = None
        if row.name is not None:
            try:
                person = Person(
                    name=row.name,
                    group=row.member_group,
                    phone=row.phone,
                    affiliation=row.affiliation,
                    leader=row.leader,
                    id_number=row.id_number,
                )
            except RosterError as exc:
                raise PeopleStoreError(
                    f"the stored person {row.pseudonym} is malformed ({exc}); "
                    "the private store was edited outside pingyi: restore it from a backup"
                ) from exc
        return cls(
            pseudonym=row.pseudonym,
            campaign=row.campaign,
            pool=row.pool,
            group=row.member_group,
            affiliation=row.affiliation,
            leader=row.leader,
            person=person,
            salt=row.salt,
            erased_at=row.erased_at,
            erased_reason=row.erased_reason,
        )


def _label(what: str, value: str) -> str:
    if not isinstance(value, str) or not _LABEL.fullmatch(value) or value != value.strip():
        raise PeopleStoreError(
            f"{what} {value!r} is not a valid name; use the {what} id from the log "
            "(1-200 characters, no control characters or surrounding spaces)"
        )
    return value


def _row(campaign: str, pool: str, enrolment: Enrolment) -> Row:
    person = enrolment.person
    return Row(
        pseudonym=enrolment.pseudonym,
        campaign=campaign,
        pool=pool,
        member_group=person.group,
        affiliation=person.affiliation,
        leader=person.leader,
        name=person.name,
        phone=person.phone,
        id_number=person.id_number,
        salt=bytes(enrolment.salt),
        erased_at=None,
        erased_reason=None,
    )


class PeopleStore(AbstractContextManager["PeopleStore"], ABC):
    """The private store of a deployment's pool members (one interface, two backends)."""

    url: str

    # -- the interface ---------------------------------------------------

    def add(self, campaign: str, pool: str, enrolments: Sequence[Enrolment]) -> None:
        """Store enrolments, all or nothing.

        Adding a pseudonym again with the same data does nothing; with other
        data (or after it was erased) it is refused with PeopleStoreError.
        """
        _label("campaign", campaign)
        _label("pool", pool)
        rows: dict[str, Row] = {}
        for enrolment in enrolments:
            row = _row(campaign, pool, enrolment)
            if rows.setdefault(row.pseudonym, row) != row:
                raise PeopleStoreError(
                    f"pseudonym {row.pseudonym} appears twice with different people; "
                    "enrol each person once"
                )
        with self._transaction(write=True):
            for row in rows.values():
                self._insert(row)
                stored = self._select(row.pseudonym)
                if stored is None:  # pragma: no cover - the insert above guarantees a row
                    raise PeopleStoreError(f"pseudonym {row.pseudonym} vanished while adding")
                if stored.erased_at is not None:
                    raise PeopleStoreError(
                        f"pseudonym {row.pseudonym} was erased ({stored.erased_reason}); "
                        "it can never be enrolled again: enrol the person anew"
                    )
                if stored != row:
                    raise PeopleStoreError(
                        f"pseudonym {row.pseudonym} is already stored for campaign "
                        f"{stored.campaign!r} pool {stored.pool!r} with different data; "
                        "enrolments are never changed: erase it or enrol the person anew"
                    )

    def get(self, pseudonym: str) -> PersonRecord | None:
        """The record of one pseudonym, or None if the store has never seen it."""
        if not isinstance(pseudonym, str) or not PSEUDONYM.fullmatch(pseudonym):
            return None
        with self._transaction():
            row = self._select(pseudonym)
        return None if row is None else PersonRecord.from_row(row)

    def people(self, campaign: str, pool: str) -> list[PersonRecord]:
        """Every record of one pool, erased ones included, in order of enrolment."""
        with self._transaction():
            rows = self._select_pool(_label("campaign", campaign), _label("pool", pool))
        return [PersonRecord.from_row(row) for row in rows]

    def erase(self, pseudonym: str, reason: str, *, at: datetime | None = None) -> bool:
        """Erase a person's data and salt, keeping a tombstone; False if the pseudonym is unknown.

        Erasing an erased person again changes nothing (the first reason and
        time stay) and returns True. ``at`` is the time of erasure (now, UTC).
        """
        if not isinstance(reason, str) or not reason.strip():
            raise PeopleStoreError(
                "an erasure needs a reason, e.g. the reference of the person's request"
            )
        when = at or datetime.now(UTC)
        if when.tzinfo is None:
            raise PeopleStoreError("the erasure time must carry a time zone (use UTC)")
        if not isinstance(pseudonym, str) or not PSEUDONYM.fullmatch(pseudonym):
            return False
        with self._transaction(write=True):
            row = self._select(pseudonym, for_update=True)
            if row is None:
                return False
            if row.erased_at is None:
                self._erase(pseudonym, reason.strip(), when.astimezone(UTC))
        return True

    @abstractmethod
    def close(self) -> None:
        """Release the connection."""

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- what a backend provides -----------------------------------------

    @abstractmethod
    def _transaction(self, *, write: bool = False) -> AbstractContextManager[None]:
        """One transaction; database errors leave it as PeopleStoreError."""

    @abstractmethod
    def _insert(self, row: Row) -> None:
        """Insert the row unless its pseudonym is already stored."""

    @abstractmethod
    def _select(self, pseudonym: str, *, for_update: bool = False) -> Row | None: ...

    @abstractmethod
    def _select_pool(self, campaign: str, pool: str) -> list[Row]: ...

    @abstractmethod
    def _erase(self, pseudonym: str, reason: str, at: datetime) -> None:
        """NULL the personal columns and the salt; record when and why."""


def people_store_url(given: str | None = None) -> str:
    return given or os.environ.get(PRIVATE_STORE_ENV) or DEFAULT_PRIVATE_STORE


def open_people_store(url: str | None = None) -> PeopleStore:
    """Open (and create if missing) the private people store named by ``url``."""
    url = people_store_url(url)
    scheme = urlsplit(url).scheme
    if scheme == "sqlite":
        from vault.people_sqlite import SQLitePeopleStore

        return SQLitePeopleStore(url)
    if scheme in ("postgresql", "postgres"):
        from vault.people_postgres import PostgresPeopleStore

        return PostgresPeopleStore(url)
    raise PeopleStoreError(
        f"private store URL {redact(url)!r}: the scheme must be sqlite:// or postgresql:// "
        f"(set {PRIVATE_STORE_ENV})"
    )
