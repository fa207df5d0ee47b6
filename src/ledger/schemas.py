"""JSON Schemas (draft 2020-12) of every statement the log accepts, one per (type, version).

They are generated from the payload models that validate statements
(:data:`ledger.payloads.PAYLOADS` inside the envelope of :mod:`ledger.entry`), so
a third party can check a statement with any JSON Schema validator; the rules a
schema cannot state are listed in docs/verification.md §6. The committed copies
in ``docs/schemas/`` are compared with these by the tests; after changing a
payload model, write them again with::

    .venv/bin/python -m ledger.schemas docs/schemas
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from ledger.entry import _statement_model
from ledger.payloads import PAYLOADS

DIALECT = "https://json-schema.org/draft/2020-12/schema"


def schema_name(type_: str, version: int) -> str:
    """The file name of the schema of (type, version): ``<type>.v<version>.json``."""
    return f"{type_}.v{version}.json"


def statement_schema(type_: str, version: int) -> dict[str, Any]:
    """The JSON Schema of a whole statement of (type, version), payload included."""
    model = _statement_model(type_, version)
    if model is None:
        raise KeyError(f"no payload model for ({type_!r}, {version})")
    schema = model.model_json_schema(mode="validation")
    return {"$schema": DIALECT, "$id": schema_name(type_, version), **schema}


def schema_files() -> dict[str, bytes]:
    """File name -> bytes (indented UTF-8 JSON) of every schema."""
    return {
        schema_name(type_, version): (
            json.dumps(statement_schema(type_, version), indent=2, ensure_ascii=False) + "\n"
        ).encode("utf-8")
        for type_, version in sorted(PAYLOADS)
    }


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m ledger.schemas DIRECTORY", file=sys.stderr)
        return 2
    folder = Path(argv[0])
    folder.mkdir(parents=True, exist_ok=True)
    files = schema_files()
    for stale in folder.glob("*.json"):
        if stale.name not in files:
            stale.unlink()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    print(f"wrote {len(files)} schemas to {folder}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
