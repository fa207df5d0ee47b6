"""Reading YAML and JSON documents with exact numbers.

YAML floats (``0.5``) are read as the strings ``"0.5"`` and JSON floats as
Decimals, so no number is ever rounded through binary floating point. Dates are
left as strings and duplicate keys are refused.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any, Literal

import yaml

_FLOAT = "tag:yaml.org,2002:float"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"


class _ExactLoader(yaml.SafeLoader):
    """SafeLoader without float or timestamp resolution, refusing duplicate keys."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


_ExactLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in (_FLOAT, _TIMESTAMP)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key {key!r}")
        out[key] = value
    return out


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number")


def parse_document(text: str | bytes, fmt: Literal["yaml", "json"] | None = None) -> Any:
    """Parse YAML or JSON (guessed from the first character when ``fmt`` is None)."""
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    if fmt is None:
        fmt = "json" if text.lstrip().startswith(("{", "[")) else "yaml"
    if fmt == "json":
        try:
            return json.loads(
                text,
                parse_float=Decimal,
                parse_constant=_no_constant,
                object_pairs_hook=_no_duplicates,
            )
        except json.JSONDecodeError as err:
            raise ValueError(f"not valid JSON: {err}") from None
    try:
        return yaml.load(text, Loader=_ExactLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as err:
        raise ValueError(f"not valid YAML: {err}") from None
