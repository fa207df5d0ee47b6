"""Storage: one log interface over eventsourcing, SQLite by default, PostgreSQL in production.

A store is named by one URL (``--store`` or ``PINGYI_STORE``)::

    sqlite:///path/to/file.db          (the default: sqlite:///pingyi.db in the working directory)
    postgresql://user[:password]@host[:port]/dbname[?schema=name&create=no]

``create=no`` is for the least-privilege application role: it creates nothing.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from ledger.errors import StoreError

STORE_ENV = "PINGYI_STORE"
DEFAULT_STORE = "sqlite:///pingyi.db"


def store_url(given: str | None = None) -> str:
    return given or os.environ.get(STORE_ENV) or DEFAULT_STORE


def eventsourcing_env(url: str) -> dict[str, str]:
    """Translate a store URL into eventsourcing's environment settings."""
    parts = urlsplit(url)
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    create = "n" if query.get("create", "yes").lower() in ("no", "n", "false", "0") else "y"
    if parts.scheme == "sqlite":
        path = unquote(parts.path)
        if parts.netloc or not path.startswith("/"):
            raise StoreError(
                f"store URL {url!r}: write sqlite:///relative/path.db or sqlite:////absolute/path.db"
            )
        path = path[1:]
        if not path:
            raise StoreError(f"store URL {url!r} names no file")
        if path != ":memory:":
            Path(path).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)
        return {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": path,
            "SQLITE_LOCK_TIMEOUT": "30",
            "APPLICATION_RECORDER_TOPIC": "ledger.store.sqlite:SQLiteLedgerRecorder",
            "CREATE_TABLE": create,
        }
    if parts.scheme in ("postgresql", "postgres"):
        if not parts.hostname or not parts.path.strip("/"):
            raise StoreError(f"store URL {url!r}: write postgresql://user@host:port/dbname")
        return {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": unquote(parts.path.strip("/")),
            "POSTGRES_HOST": parts.hostname,
            "POSTGRES_PORT": str(parts.port or 5432),
            "POSTGRES_USER": unquote(parts.username or "postgres"),
            "POSTGRES_PASSWORD": unquote(parts.password or ""),
            "POSTGRES_SCHEMA": query.get("schema", "public"),
            "POSTGRES_POOL_SIZE": query.get("pool", "2"),
            "POSTGRES_MAX_OVERFLOW": "4",
            "POSTGRES_LOCK_TIMEOUT": "30",
            "POSTGRES_ENABLE_DB_FUNCTIONS": "n",
            "APPLICATION_RECORDER_TOPIC": "ledger.store.postgres:PostgresLedgerRecorder",
            "CREATE_TABLE": create,
        }
    raise StoreError(
        f"store URL {url!r}: the scheme must be sqlite:// or postgresql:// "
        f"(set --store or {STORE_ENV})"
    )


def redact(url: str) -> str:
    """The URL without its password, for logs and messages."""
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return parts._replace(netloc=netloc).geturl()
    return url
