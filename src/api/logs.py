"""Structured JSON log lines. Only the fields named here are written: no bodies, keys or personal data."""

from __future__ import annotations

import json
import logging
import sys

FIELDS = (
    "request_id",
    "method",
    "path",
    "status",
    "ms",
    "settings",
    # private reads and inspector authentication: key ids and pseudonyms, never personal data
    "key",
    "problem",
    "pseudonym",
    "found",
    "campaign",
    "pool",
    "pseudonyms",
)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
        }
        for name in FIELDS:
            if name in record.__dict__:
                line[name] = record.__dict__[name]
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info).splitlines()[-1]
        return json.dumps(line, ensure_ascii=False, default=str)


def configure(level: int = logging.INFO) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger("pingyi")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False
