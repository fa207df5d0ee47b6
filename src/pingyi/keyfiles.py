"""Private key files for the command line: encrypted at rest, passphrase from env or prompt."""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path

from ledger.keys import PASSPHRASE_ENV, Signer
from ledger.note import NoteSigner


def passphrase(confirm: bool = False) -> bytes:
    value = os.environ.get(PASSPHRASE_ENV)
    if value:
        return value.encode()
    if not sys.stdin.isatty():
        raise SystemExit(
            f"error: no passphrase: set {PASSPHRASE_ENV} or run in a terminal to be asked"
        )
    first = getpass.getpass("key passphrase: ")
    if confirm and getpass.getpass("again: ") != first:
        raise SystemExit("error: the passphrases differ")
    return first.encode()


def load_signer(path: Path) -> Signer:
    return Signer.load(path, passphrase())


def load_log_signer(path: Path, origin: str) -> NoteSigner:
    return NoteSigner(origin, load_signer(path).private_key)


def other_log_key(path: Path, vkey: str) -> str | None:
    """The other log key a ``log.vkey`` file at ``path`` holds, if any: such a file is
    never replaced (the reader must find out which key the office publishes)."""
    if not path.is_file():
        return None
    existing = path.read_text(encoding="utf-8").strip()
    return None if existing == vkey else existing
