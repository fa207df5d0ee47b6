"""The private side of a campaign: what must never enter the public log.

The log holds, per pool member, a random pseudonym and a salted commitment
(:mod:`vault.roster`); names, phone numbers and ID numbers live in a separate,
erasable store (:mod:`vault.people`) that a discipline inspector can read.
Evidence files are kept by content hash (:mod:`vault.evidence`); the log holds
only their SHA-256. Errors are in :mod:`vault.errors`.
"""
