"""Prometheus metrics: request counts and latencies by route (never by path or body)."""

from __future__ import annotations

from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest

REQUESTS = Counter("pingyi_requests_total", "HTTP requests", ["method", "route", "status"])
LATENCY = Histogram("pingyi_request_seconds", "HTTP request latency", ["method", "route"])
APPENDED = Counter("pingyi_entries_appended_total", "Entries appended through this process")
AUTH = Counter(
    "pingyi_auth_total", "Inspector authentication: granted, or the problem code", ["outcome"]
)
PRIVATE_READS = Counter(
    "pingyi_private_reads_total", "Reads of personal data by inspectors", ["kind"]
)


def observe(method: str, route: Any, status: int, seconds: float) -> None:
    name = route if isinstance(route, str) else getattr(route, "path", "unmatched")
    REQUESTS.labels(method, name, str(status)).inc()
    LATENCY.labels(method, name).observe(seconds)


def render() -> tuple[bytes, str]:
    return generate_latest(), CONTENT_TYPE_LATEST
