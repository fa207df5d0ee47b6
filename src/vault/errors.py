"""Errors of the private side (the vault).

Every message says what is wrong, where, and what to do. The tree::

    VaultError
    ├── RosterError        a roster file that cannot be read, or a bad or duplicate row
    ├── PeopleStoreError   the private people store: bad URL, conflicting enrolment, bad erasure
    └── EvidenceError      an evidence file that is missing, corrupt, or named by a bad hash
"""

from __future__ import annotations


class VaultError(Exception):
    """Base of every vault error; ``str(err)`` is the message for a person."""

    code = "vault-error"


class RosterError(VaultError):
    code = "bad-roster"


class PeopleStoreError(VaultError):
    code = "people-store"


class EvidenceError(VaultError):
    code = "bad-evidence"
