"""docs/schemas: the JSON Schemas a third party checks statements with.

The committed files must be the schemas of the models that validate statements
(regenerated with ``.venv/bin/python -m ledger.schemas docs/schemas``); a
standard validator (``jsonschema_rs``, not pingyi's code) must accept what the
log accepts and refuse what it refuses, except for the few rules a schema cannot
state, which docs/verification.md §6 lists and the last test pins down.
test_schemes.py checks every statement of the four seed campaigns against them.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
from tests.support import SCHEMAS, schema_errors

from ledger.entry import validate_statement
from ledger.errors import PayloadError
from ledger.payloads import PAYLOADS
from ledger.schemas import schema_files, schema_name

VECTORS = Path(__file__).resolve().parents[1] / "vectors"
LOG = json.loads((VECTORS / "log.json").read_text(encoding="utf-8"))
BUNDLE = (VECTORS / "bundles" / "valid" / "entries.ndjson").read_text(encoding="utf-8")
STATEMENTS = [json.loads(e["entry_bytes"])["statement"] for e in LOG["entries"]] + [
    json.loads(line)["statement"] for line in BUNDLE.splitlines()
]
REGENERATE = "regenerate them: .venv/bin/python -m ledger.schemas docs/schemas"


def test_the_committed_schemas_are_those_of_the_validating_models() -> None:
    files = schema_files()
    committed = {path.name: path.read_bytes() for path in SCHEMAS.glob("*.json")}
    assert sorted(committed) == sorted(files), REGENERATE
    assert len(files) == len(PAYLOADS)
    for name, data in files.items():
        assert committed[name] == data, f"docs/schemas/{name} is stale: {REGENERATE}"


def test_every_schema_is_a_draft_2020_12_schema() -> None:
    for path in sorted(SCHEMAS.glob("*.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        jsonschema_rs.meta.validate(schema)
        assert schema["$id"] == path.name
        assert schema["properties"]["type"]["const"] == path.name.rsplit(".v", 1)[0]


def test_the_vector_statements_conform() -> None:
    assert {s["type"] for s in STATEMENTS} >= {"genesis", "key.register", "ranking.publish"}
    for statement in STATEMENTS:
        validate_statement(statement)
        assert schema_errors(statement) == []


def test_key_changes_and_revisions_conform() -> None:
    """The kinds the vectors lack (the seed campaigns and README walkthrough cover the rest)."""
    register = next(s for s in STATEMENTS if s["type"] == "key.register")["payload"]
    adopt = next(s for s in STATEMENTS if s["type"] == "rulebook.adopt")["payload"]
    kid = "0123456789abcdef0123456789abcdef"
    for type_, payload in (
        ("key.roles", {"key_id": kid, "roles": ["supervisor"], "reason": "moved to inspection"}),
        ("key.rotate", {"key_id": kid, "new_key": register["key"], "reason": "laptop replaced"}),
        ("rulebook.revise", {**adopt, "reason": "the bureau's correction of 3 March"}),
    ):
        statement = _statement(type_, payload)
        validate_statement(statement)
        assert schema_errors(statement) == [], type_


def _mutations(statement: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    out = []
    payload_field = sorted(statement["payload"])[0]
    for what, change in (
        ("unknown member", lambda s: s.update(extra=1)),
        ("unknown payload member", lambda s: s["payload"].update(extra=1)),
        ("missing signer", lambda s: s.pop("signer")),
        (f"missing payload.{payload_field}", lambda s: s["payload"].pop(payload_field)),
        ("number as text", lambda s: s.update(v="1")),
        ("prev as null", lambda s: s.update(prev=None)),
        ("bad signer", lambda s: s.update(signer="ABC")),
        ("fullwidth digits in time", lambda s: s.update(time="２０26-01-02T03:04:05Z")),
        ("time without zone", lambda s: s.update(time="2026-01-02T03:04:05")),
        ("other version", lambda s: s.update(version=2)),
    ):
        mutated = copy.deepcopy(statement)
        change(mutated)
        out.append((what, mutated))
    return out


@pytest.mark.parametrize("statement", STATEMENTS[:4], ids=lambda s: s["type"])
def test_the_schema_refuses_what_the_log_refuses(statement: dict[str, Any]) -> None:
    for what, mutated in _mutations(statement):
        with pytest.raises(PayloadError):
            validate_statement(mutated)
        if mutated["version"] == statement["version"]:
            assert schema_errors(mutated), what
        else:  # an unknown version has no schema at all
            assert not (SCHEMAS / schema_name(mutated["type"], mutated["version"])).exists()


def _statement(type_: str, payload: dict[str, Any]) -> dict[str, Any]:
    return {**copy.deepcopy(STATEMENTS[1]), "type": type_, "payload": payload}


def _draw(**change: Any) -> dict[str, Any]:
    payload = {
        "campaign": "c2026",
        "draw": "panel",
        "pool": "residents",
        "pool_digest": "ab" * 32,
        "strata": [{"name": "all", "groups": ["g1"], "count": 5}],
        "alternates": 2,
        "source": {"kind": "beacon", "description": "drand round", "beacon": "drand", "round": 7},
    }
    return _statement("draw.commit", {**payload, **change})


def test_the_rules_beyond_the_schema_are_exactly_those_documented() -> None:
    """Each of these conforms to its schema and is still refused (docs/verification.md §6)."""
    identity_point = "AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="  # small order: unusable
    register = next(s for s in STATEMENTS if s["type"] == "key.register")
    publish = next(s for s in STATEMENTS if s["type"] == "ranking.publish")
    uncorrected = {k: v for k, v in publish["payload"].items() if k != "reason"}
    one = {"name": "s", "groups": ["g1"], "count": 1}
    beyond = [
        ("not a real UTC date", {**STATEMENTS[1], "time": "2026-02-30T00:00:00Z"}),
        (
            "not a usable Ed25519 public key",
            {**register, "payload": {**register["payload"], "key": identity_point}},
        ),
        (
            "must give its reason",
            {
                **publish,
                "payload": {**uncorrected, "replaces": "0" * 8 + "-0000-4000-8000-" + "0" * 12},
            },
        ),
        ("two strata have the same name", _draw(strata=[one, one])),
        ("stratum 's' lists a group twice", _draw(strata=[{**one, "groups": ["g1", "g1"]}])),
        ("exclude_groups lists a group twice", _draw(exclude_groups=["g2", "g2"])),
        ("count \\+ alternates exceeds 65535", _draw(strata=[{**one, "count": 65_535}])),
    ]
    validate_statement(_draw())
    for refusal, statement in beyond:
        assert schema_errors(statement) == [], refusal
        with pytest.raises(PayloadError, match=refusal):
            validate_statement(statement)
