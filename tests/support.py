"""Test helpers: labelled TEST keys, a small populated log, direct tampering as an administrator."""

from __future__ import annotations

import json
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jsonschema_rs
import psycopg
import uvicorn

from api.app import create_app
from api.service import Settings
from ledger.entry import Submission
from ledger.keys import Signer
from ledger.note import NoteSigner
from ledger.schemas import schema_name
from ledger.store.app import Ledger
from projections.presets import load_preset
from projections.rulebook import rulebook_document, rulebook_hash

ORIGIN = "test.pingyi.example/county"
SCHEMAS = Path(__file__).resolve().parents[1] / "docs" / "schemas"


@cache
def published_schema(type_: str, version: int) -> Any:
    """A validator for the committed JSON Schema of (type, version) in docs/schemas."""
    path = SCHEMAS / schema_name(type_, version)
    return jsonschema_rs.Draft202012Validator(json.loads(path.read_text(encoding="utf-8")))


def schema_errors(statement: dict[str, Any]) -> list[str]:
    """What the published JSON Schema finds wrong with a statement (empty: it conforms)."""
    validator = published_schema(statement["type"], statement["version"])
    return [f"{e.instance_path}: {e.message}" for e in validator.iter_errors(statement)]


def labelled_key(label: str) -> Signer:
    """A deterministic TEST key. Never use these outside tests: the seeds are public."""
    return Signer.from_seed(f"pingyi TEST key: {label}".encode())


def adoption(campaign: str, preset: str) -> dict[str, Any]:
    rulebook = load_preset(preset)
    return {
        "campaign": campaign,
        "rulebook": rulebook_document(rulebook),
        "hash": rulebook_hash(rulebook),
        "reason": f"adopt preset {preset}",
    }


def fixed_clock() -> datetime:
    return datetime(2026, 11, 21, 9, 0, 0, tzinfo=UTC)


@dataclass
class World:
    url: str
    ledger: Ledger
    root: Signer = field(default_factory=lambda: labelled_key("root"))
    log: Signer = field(default_factory=lambda: labelled_key("log"))
    office: Signer = field(default_factory=lambda: labelled_key("office"))
    supervisor: Signer = field(default_factory=lambda: labelled_key("supervisor 1"))

    @classmethod
    def create(cls, url: str, *, rulebook: bool = False) -> World:
        """A log with office, supervisor and an open campaign c2026.

        With ``rulebook`` the campaign first adopts the seed-003 preset (one more
        entry), so the entries pass the campaign policy.
        """
        root, log = labelled_key("root"), labelled_key("log")
        ledger = Ledger.create(
            url,
            ORIGIN,
            deployment="TEST county",
            root=root,
            log_signer=NoteSigner(ORIGIN, log.private_key),
            clock=fixed_clock,
        )
        world = cls(url, ledger)
        world.append(
            world.root,
            "key.register",
            world.key_payload(world.office, "office 1", ["registrar", "office"]),
        )
        world.append(
            world.office,
            "key.register",
            world.key_payload(world.supervisor, "supervisor 1", ["supervisor"]),
        )
        if rulebook:
            world.append(world.office, "rulebook.adopt", adoption("c2026", "003"))
        world.append(world.office, "campaign.open", {"campaign": "c2026", "title": "2026 测评"})
        return world

    def reopen(self) -> Ledger:
        return self.reopen_as(self.url)

    def reopen_as(self, url: str) -> Ledger:
        return Ledger.open(
            url, log_signer=NoteSigner(ORIGIN, self.log.private_key), clock=fixed_clock
        )

    @staticmethod
    def key_payload(signer: Signer, holder: str, roles: list[str]) -> dict[str, Any]:
        return {"key": signer.public_b64, "holder": holder, "roles": roles}

    def sign(self, signer: Signer, type_: str, payload: dict[str, Any], **kw: Any) -> Submission:
        return Submission.new(
            signer, log=ORIGIN, type=type_, payload=payload, time=fixed_clock(), **kw
        )

    def append(self, signer: Signer, type_: str, payload: dict[str, Any], **kw: Any) -> int:
        return self.ledger.append([self.sign(signer, type_, payload, **kw)])[0].index

    def finding(self, n: int, signer: Signer | None = None) -> Submission:
        return self.sign(
            signer or self.supervisor,
            "finding.record",
            {
                "campaign": "c2026",
                "unit": f"OT{n % 116 + 1:03d}",  # units of the seed-003 preset
                "rule": "joint_supervision",
                "level": "bureau" if n % 3 else "county",
                "serious": n % 7 == 0,
                "summary": f"finding {n}: 窗口无人 window unattended",
            },
        )

    def add_findings(self, count: int, batch: int = 1) -> None:
        subs = [self.finding(n) for n in range(count)]
        for start in range(0, count, batch):
            self.ledger.append(subs[start : start + batch])

    def close(self) -> None:
        self.ledger.close()


# -- tampering as a database administrator would (bypassing the application) -------------


@contextmanager
def admin_sql(url: str) -> Iterator[Any]:
    """A raw cursor on the store with the append-only triggers out of the way."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        conn = sqlite3.connect(parts.path[1:])
        for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type='trigger'"
        ).fetchall():
            conn.execute(f'DROP TRIGGER "{name}"')
        try:
            yield conn
            conn.commit()
        finally:
            conn.close()
        return
    schema = parse_qs(parts.query)["schema"][0]
    with psycopg.connect(url.split("?", maxsplit=1)[0], autocommit=False) as conn:
        conn.execute(f'SET search_path TO "{schema}"')
        conn.execute("SET session_replication_role = replica")  # disables triggers
        yield conn


def events_table(url: str) -> str:
    return "stored_events" if url.startswith("sqlite") else "ledger_events"


def placeholder(url: str) -> str:
    return "?" if url.startswith("sqlite") else "%s"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def serving(settings: Settings) -> Iterator[str]:
    """A real pingyi server (uvicorn) on loopback in a thread; yields its base URL."""
    port = free_port()
    config = uvicorn.Config(
        create_app(settings), host="127.0.0.1", port=port, log_level="warning", ws="none"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(20)
