"""What every read-model recorder offers; each backend supplies only its SQL."""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from eventsourcing.persistence import Tracking

ENTRIES_TABLE = "pingyi_view_entries"
LOGS_TABLE = "pingyi_view_logs"


@dataclass(frozen=True)
class ViewEntry:
    """One campaign entry as the read model keeps it (enough for replay)."""

    log_id: str
    campaign: str
    index: int
    id: str
    type: str
    payload_text: str

    @property
    def payload(self) -> dict[str, Any]:
        value: dict[str, Any] = json.loads(self.payload_text)
        return value

    def decoded(self) -> DecodedEntry:
        """The row with its payload parsed once (replay reads the payload more than once)."""
        return DecodedEntry(self.index, self.id, self.type, json.loads(self.payload_text))


class DecodedEntry:
    """What replay needs of a read-model row, payload decoded (lighter than a dataclass)."""

    __slots__ = ("id", "index", "payload", "type")

    def __init__(self, index: int, id: str, type: str, payload: dict[str, Any]) -> None:
        self.index = index
        self.id = id
        self.type = type
        self.payload = payload


def payload_text(payload: Mapping[str, Any]) -> str:
    """Compact, sorted JSON of a payload (payloads hold no floats)."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


class ViewRecorder(ABC):
    """A tracking recorder that also stores the read model's rows."""

    @abstractmethod
    def write(
        self, rows: Sequence[ViewEntry], sizes: Mapping[str, int], tracking: Tracking
    ) -> None:
        """Insert rows, set log sizes and the tracking position, in one transaction."""

    @abstractmethod
    def select(self, log_id: str, campaign: str, as_of: int | None) -> list[ViewEntry]:
        """The campaign's rows with index <= as_of, in log order."""

    @abstractmethod
    def log_size(self, log_id: str) -> int:
        """How many entries of the log the view has seen."""

    @abstractmethod
    def campaigns(self, log_id: str) -> list[str]:
        """The campaigns of a log the view knows."""

    @abstractmethod
    def clear(self, application_name: str) -> None:
        """Forget every row and the tracking position (before a full rebuild)."""

    @abstractmethod
    def max_tracking_id(self, application_name: str) -> int | None: ...
