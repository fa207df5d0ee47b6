"""`pingyi verify --url URL [--state FILE]`: watch a running server for rollbacks and forks.

Fetches the server's stored checkpoints newer than the one remembered and its
latest checkpoint, verifies each with the trusted log key, demands a consistency
proof from the remembered one to each newer one, and remembers the newest only
if everything passed. The decisions are pure (:mod:`verifier.watch`); this
module only fetches and keeps the state file.

Trust: ``--vkey`` if given, else the key the state file remembers, else the key
the server names on first use (reported as such: compare it with a published one).
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass
from pathlib import Path

from ledger.errors import LedgerError
from ledger.note import parse_verifier_key
from pingyi.remote import Fetch, HttpError, get_json, get_text, path_with
from verifier.report import Report
from verifier.watch import Seen, WatchError, advance


@dataclass
class WatchResult:
    report: Report
    previous: Seen | None = None
    latest: Seen | None = None
    key_source: str = ""
    saved: bool = False


def watch(
    fetch: Fetch, url: str, *, state: Path | None = None, vkey: str | None = None
) -> WatchResult:
    """Check the server at ``url`` against the state file; update it only on a pass."""
    result = WatchResult(Report(subject=url))
    report = result.report
    log = "?"
    try:
        info = get_json(fetch, "/v1/log")
        log = str(info["origin"])
        if state is not None and state.exists():
            result.previous = Seen.from_json(state.read_bytes())
        previous = result.previous
        if previous is not None and previous.origin != log:
            report.fail(log, None, "log", f"the state file remembers log {previous.origin!r}")
            return result
        trusted, result.key_source = _trusted(vkey, previous, str(info.get("log_key")))
        if str(info.get("log_key")) != trusted:
            report.fail(
                log,
                None,
                "log key",
                f"the server names key {info.get('log_key')}, not the trusted {trusted}",
            )
        verifier = parse_verifier_key(trusted)
        notes = list(
            get_json(fetch, path_with("/v1/checkpoints", after=previous.size if previous else 0))
        )
        notes.append(get_text(fetch, "/v1/checkpoint"))
        last = previous
        for note in notes:
            try:
                current = Seen.open(str(note), verifier, trusted, log)
            except LedgerError as exc:
                report.fail(
                    log,
                    None,
                    "checkpoint",
                    f"a checkpoint the server sent is forged or malformed: {exc}",
                )
                return result
            report.count("checkpoints")
            if last is not None:
                proof = (
                    _proof(fetch, last, current, trusted, log) if current.size > last.size else None
                )
                advance(last, current, proof)
                if proof is not None:
                    report.count("consistency proofs")
            if last is None or current.size >= last.size:
                last = current
        result.latest = last
        if state is not None and last is not None and report.ok:
            _save(state, last.to_json(url))
            result.saved = True
    except WatchError as exc:
        report.fail(log, None, exc.check, str(exc))
    except HttpError as exc:
        report.fail(log, None, "network", str(exc))
    except (LedgerError, ValueError, KeyError, TypeError) as exc:
        report.fail(log, None, "server", f"the server's answer is malformed: {exc}")
    return result


def _trusted(vkey: str | None, previous: Seen | None, server: str) -> tuple[str, str]:
    if vkey is not None:
        return vkey, "given with --vkey"
    if previous is not None:
        return previous.log_key, "remembered in the state file"
    return server, "named by the server on first use (compare it with a published key)"


def _proof(fetch: Fetch, last: Seen, current: Seen, trusted: str, log: str) -> list[bytes]:
    answer = get_json(
        fetch, path_with("/v1/proofs/consistency", size1=last.size, size2=current.size)
    )
    their = Seen.open(str(answer["checkpoint"]), parse_verifier_key(trusted), trusted, log)
    if their.size != current.size or their.root != current.root:
        raise WatchError(
            "fork",
            f"the server signed two different roots for size {current.size}: one with its "
            "checkpoint, another with the consistency proof",
        )
    return [base64.b64decode(h, validate=True) for h in answer["proof"]]


def _save(path: Path, value: dict[str, object]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
    os.replace(tmp, path)


__all__ = ["WatchResult", "watch"]
