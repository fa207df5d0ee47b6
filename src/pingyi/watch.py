"""`pingyi verify --url URL [--state FILE] [--also FILE]…`: watch a running server for rollbacks
and forks.

Reads and re-verifies the state file first (under an exclusive lock on
``FILE.lock``), then fetches the server's stored checkpoints newer than the one
remembered and its latest checkpoint, verifies each with the trusted log key,
demands a consistency proof from the remembered one to each newer one (to an
evenly spaced sample of them when the server lists more than ``limit``), and
checks every ``--also`` checkpoint (another watcher's state, a signed note, a
tlog-proof) against the newest. The newest is remembered only if everything
passed; conflicting signed notes are kept as evidence next to the state file.
The decisions are pure (:mod:`verifier.watch`); this module fetches and keeps files.

Trust: ``--vkey`` if given, else the key the state file remembers, else the key
the server names on first use (reported as such: compare it with a published one).

Outcomes and exit codes: 0 pass; 1 something caught (rollback, fork, a checkpoint
not signed by the log key, a malformed answer); 2 a local or usage problem (state
file, ``--also`` file, lock, ``--vkey``); 3 the server could not be reached or
answered with an HTTP error (nothing proved either way).
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.markup import escape

from ledger.errors import LedgerError
from ledger.note import parse_verifier_key
from pingyi import render
from pingyi.remote import (
    BadAnswer,
    Fetch,
    HttpError,
    HttpStatusError,
    get_json,
    get_text,
    member,
    path_with,
    urllib_fetch,
)
from verifier.report import Report
from verifier.watch import (
    Seen,
    StateError,
    WatchError,
    advance,
    compare,
    evidence,
    read_checkpoint,
    sample,
)

#: Above this many listed checkpoints, proofs are asked for an evenly spaced sample.
MAX_PROOFS = 1000
#: Checkpoints asked for per GET /v1/checkpoints (the server's largest page).
PAGE = 1000
EXIT_CODES = {"pass": 0, "caught": 1, "local": 2, "unreachable": 3}


class LocalError(Exception):
    """A problem on this side (a file, the lock, an argument): exit 2, never the server's fault."""

    def __init__(self, check: str, message: str) -> None:
        super().__init__(message)
        self.check = check


@dataclass
class WatchResult:
    report: Report
    previous: Seen | None = None
    latest: Seen | None = None
    key_source: str = ""
    saved: bool = False
    outcome: str = "pass"  # a key of EXIT_CODES
    log: str = "?"
    not_saved: str = ""  # why a passing run left the state file as it was
    listed: int = 0  # checkpoints the server listed
    proved: int = 0  # of which proofs were asked for, when sampled (0: all were)
    others: list[dict[str, Any]] = field(default_factory=list)
    evidence: list[dict[str, Any]] = field(default_factory=list)
    evidence_files: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.outcome]

    def to_json(self) -> dict[str, Any]:
        out = self.report.to_json()
        out.update(
            {
                "outcome": self.outcome,
                "exit_code": self.exit_code,
                "log_key_source": self.key_source,
                "remembered": None if self.previous is None else self.previous.size,
                "latest": None if self.latest is None else self.latest.size,
                "state_saved": self.saved,
                "state_not_saved": self.not_saved or None,
                "sample": {"listed": self.listed, "proved": self.proved} if self.proved else None,
                "also": self.others,
                "evidence": self.evidence,
                "evidence_files": self.evidence_files,
            }
        )
        return out


def watch(
    fetch: Fetch,
    url: str,
    *,
    state: Path | None = None,
    vkey: str | None = None,
    also: Sequence[Path] = (),
    limit: int = MAX_PROOFS,
) -> WatchResult:
    """Check the server at ``url`` against the state file; update it only on a pass."""
    result = WatchResult(Report(subject=url))
    with ExitStack() as stack:
        try:
            if vkey is not None:
                _check_vkey(vkey)
            if state is not None:
                stack.enter_context(_locked(state))
                result.previous = load_state(state, vkey)
            files = [(path, _read_other(path)) for path in also]
            _check(fetch, result, files, vkey, limit)
        except LocalError as exc:
            _fail(result, "local", exc.check, str(exc))
        except WatchError as exc:
            _caught(result, exc)
        except BadAnswer as exc:
            _fail(result, "caught", "server", str(exc))
        except HttpError as exc:
            _fail(result, "unreachable", "network", f"could not reach the server: {exc}")
        except (LedgerError, ValueError, KeyError, TypeError) as exc:
            _fail(result, "caught", "server", f"the server's answer is malformed: {exc}")
        if state is not None:
            _keep(result, state, url)
    return result


def _check(
    fetch: Fetch,
    result: WatchResult,
    files: list[tuple[Path, bytes]],
    vkey: str | None,
    limit: int,
) -> None:
    previous = result.previous
    info = get_json(fetch, "/v1/log")
    result.log = log = str(member(info, "origin", "/v1/log"))
    if previous is not None and previous.origin != log:
        _fail(result, "caught", "log", f"the state file remembers log {previous.origin!r}")
        return
    named = str(member(info, "log_key", "/v1/log"))
    trusted, result.key_source = _trusted(vkey, previous, named)
    if named != trusted:
        message = f"the server names key {named}, not the trusted {trusted}"
        _fail(result, "caught", "log key", message)
    others = [_open_other(path, data, trusted, log) for path, data in files]
    newest = _chain(fetch, result, trusted, limit)
    if newest is not None:
        for other in others:
            _compare(fetch, result, other, newest)


def _listed(fetch: Fetch, after: int) -> list[str]:
    """Every checkpoint the server lists above size ``after``, page by page (PAGE a page)."""
    listed: list[str] = []
    while True:
        path = path_with("/v1/checkpoints", after=after, limit=PAGE)
        page = get_json(fetch, path)
        if not isinstance(page, list) or not all(isinstance(n, str) for n in page):
            raise BadAnswer(f"the server's answer to GET {path} is not a list of checkpoints")
        listed += page
        if len(page) < PAGE:
            return listed
        try:
            size = int(page[-1].split("\n")[1])
        except (IndexError, ValueError):
            raise BadAnswer(f"the last checkpoint of GET {path} has no size line") from None
        if size <= after:
            raise BadAnswer(f"GET {path} went backwards (to size {size}): it would never end")
        after = size


def _chain(fetch: Fetch, result: WatchResult, trusted: str, limit: int) -> Seen | None:
    """Walk the listed checkpoints and the latest one; the newest, or None if one was forged."""
    report, log, last = result.report, result.log, result.previous
    verifier = parse_verifier_key(trusted)
    listed = _listed(fetch, last.size if last else 0)
    chosen = sample(len(listed), limit)
    result.listed = len(listed)
    result.proved = len(chosen) if len(chosen) < len(listed) else 0
    notes = [(n, "GET /v1/checkpoints", i in chosen) for i, n in enumerate(listed)]
    notes.append((get_text(fetch, "/v1/checkpoint"), "GET /v1/checkpoint", True))
    for note, source, prove in notes:
        try:
            current = Seen.open(note, verifier, trusted, log, source)
        except LedgerError as exc:
            message = f"a checkpoint the server sent is forged or malformed: {exc}"
            _fail(result, "caught", "checkpoint", message)
            return None
        report.count("checkpoints")
        if last is not None and (prove or current.size <= last.size):
            proof = _proof(fetch, last, current) if current.size > last.size else None
            advance(last, current, proof)
            if proof is not None:
                report.count("consistency proofs")
        if last is None or (prove and current.size >= last.size):
            last = current
    result.latest = last
    return last


def _compare(fetch: Fetch, result: WatchResult, other: Seen, newest: Seen) -> None:
    try:
        proof = _proof(fetch, other, newest) if 0 < other.size < newest.size else None
        compare(other, newest, proof)
    except WatchError as exc:
        _caught(result, exc)
        verdict = exc.check
    else:
        result.report.count("other checkpoints")
        verdict = "consistent"
    result.others.append({"file": other.source, "size": other.size, "result": verdict})


def _proof(fetch: Fetch, last: Seen, current: Seen) -> list[bytes]:
    """The server's consistency proof from ``last`` to ``current`` (both signed by the log)."""
    path = path_with("/v1/proofs/consistency", size1=last.size, size2=current.size)
    try:
        answer = get_json(fetch, path)
    except HttpStatusError as exc:
        raise WatchError(
            "consistency",
            f"the log signed checkpoints of sizes {last.size} and {current.size}, but the "
            f"server cannot prove that the second extends the first ({exc})",
            (last, current),
        ) from None
    note, key = str(member(answer, "checkpoint", path)), current.log_key
    their = Seen.open(note, parse_verifier_key(key), key, current.origin, f"GET {path}")
    if their.size != current.size:
        raise BadAnswer(f"the server's answer to GET {path} is for size {their.size}")
    if their.root != current.root:
        raise WatchError(
            "fork",
            f"the server signed two different roots for size {current.size}: one with its "
            "checkpoint, another with the consistency proof",
            (current, their),
        )
    hashes = member(answer, "proof", path)
    try:
        if not isinstance(hashes, list):
            raise TypeError
        return [base64.b64decode(str(h), validate=True) for h in hashes]
    except (TypeError, ValueError):
        raise BadAnswer(f"the server's answer to GET {path} has a malformed 'proof'") from None


def _trusted(vkey: str | None, previous: Seen | None, server: str) -> tuple[str, str]:
    if vkey is not None:
        return vkey, "given with --vkey"
    if previous is not None:
        return previous.log_key, "remembered in the state file"
    return server, "named by the server on first use (compare it with a published key)"


def _fail(result: WatchResult, outcome: str, check: str, message: str) -> None:
    result.report.fail(result.log, None, check, message)
    if result.outcome == "pass" or outcome == "caught":
        result.outcome = outcome


def _caught(result: WatchResult, exc: WatchError) -> None:
    _fail(result, "caught", exc.check, str(exc))
    doc = evidence(exc, result.report.subject)
    if doc is not None:
        result.evidence.append(doc)


# -- local files ------------------------------------------------------------------


def _check_vkey(vkey: str) -> None:
    try:
        parse_verifier_key(vkey)
    except LedgerError as exc:
        raise LocalError("usage", f"--vkey is not a C2SP verifier key: {exc}") from None


def _read_other(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise LocalError("also", f"cannot read {path} (--also): {exc.strerror or exc}") from None


def _open_other(path: Path, data: bytes, trusted: str, log: str) -> Seen:
    try:
        return read_checkpoint(data, trusted, log, str(path))
    except StateError as exc:
        raise LocalError("also", f"{path} (--also) cannot be used: {exc}") from None


def load_state(state: Path, trusted: str | None) -> Seen | None:
    """The verified checkpoint a state file remembers; None if there is no file; LocalError."""
    try:
        data = state.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        message = f"cannot read the state file {state}: {exc.strerror or exc}"
        raise LocalError("state file", message) from None
    try:
        return Seen.from_json(data, trusted, f"the state file {state}")
    except StateError as exc:
        message = f"the state file {state} cannot be trusted: {exc}"
        raise LocalError("state file", message) from None


@contextmanager
def _locked(state: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``STATE.lock`` (LocalError if another run holds it)."""
    lock = state.with_name(state.name + ".lock")
    try:
        state.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    except (FileExistsError, NotADirectoryError):
        message = f"cannot use the state file {state}: a part of its path is not a directory"
        raise LocalError("state file", message) from None
    except OSError as exc:
        message = f"cannot use the state file {state}: cannot open {lock}: {exc.strerror or exc}"
        raise LocalError("state file", message) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            message = f"another run is using the state file {state} (it holds {lock})"
            raise LocalError("state file", message) from None
        yield
    finally:
        os.close(fd)


def save_state(state: Path, seen: Seen, url: str) -> str:
    """Replace the state file atomically with ``seen`` (the caller holds the lock).

    Returns "" when saved, else why not: a state on disk further on is never replaced.
    """
    on_disk = load_state(state, seen.log_key)
    if on_disk is not None and on_disk.size > seen.size:
        return f"it now remembers size {on_disk.size}, further on than {seen.size}"
    value = seen.to_json(url)
    data = (json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()
    try:
        tmp = _write_temp(state, data)
        try:
            os.replace(tmp, state)
        except OSError:
            with suppress(OSError):
                os.unlink(tmp)
            raise
        _sync_dir(state.parent)
    except OSError as exc:
        message = f"cannot write the state file {state}: {exc.strerror or exc}"
        raise LocalError("state file", message) from None
    return ""


def write_evidence(state: Path, doc: dict[str, Any]) -> Path:
    """Write ``doc`` to ``STATE.evidence.json`` (``-2``, ``-3``… if taken; never overwritten)."""
    data = (json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()
    try:
        tmp = _write_temp(state, data)
        try:
            n = 1
            while True:
                path = state.with_name(f"{state.name}.evidence{'' if n == 1 else f'-{n}'}.json")
                try:
                    os.link(tmp, path)  # complete or absent, and never over another file
                except FileExistsError:
                    n += 1
                    continue
                _sync_dir(state.parent)
                return path
        finally:
            os.unlink(tmp)
    except OSError as exc:
        message = f"cannot write evidence next to {state}: {exc.strerror or exc}"
        raise LocalError("evidence", message) from None


def _write_temp(state: Path, data: bytes) -> str:
    fd, tmp = tempfile.mkstemp(prefix=f".{state.name}.", suffix=".tmp", dir=state.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
    except OSError:
        with suppress(OSError):
            os.unlink(tmp)
        raise
    return tmp


def _sync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _keep(result: WatchResult, state: Path, url: str) -> None:
    """Write the evidence caught, then the state if everything passed."""
    try:
        for doc in result.evidence:
            result.evidence_files.append(str(write_evidence(state, doc)))
        if result.report.ok and result.latest is not None:
            result.not_saved = save_state(state, result.latest, url)
            result.saved = not result.not_saved
    except LocalError as exc:
        _fail(result, "local", exc.check, str(exc))


# -- the command ------------------------------------------------------------------


def run(
    url: str,
    *,
    state: Path | None,
    vkey: str | None,
    as_json: bool,
    also: Sequence[Path] = (),
    limit: int = MAX_PROOFS,
) -> int:
    """``pingyi verify --url``: print the report (or JSON); return the exit code."""
    try:
        fetch = urllib_fetch(url)
    except HttpError as exc:
        render.errors.print(f"[bold red]error:[/] {escape(str(exc))}")
        return EXIT_CODES["local"]
    result = watch(fetch, url, state=state, vkey=vkey, also=also, limit=limit)
    if as_json:
        render.print_json(result.to_json())
    elif result.outcome == "local":
        for failure in result.report.failures:
            render.errors.print(f"[bold red]error:[/] {escape(failure.message)}")
    else:
        _print(result, state)
    return result.exit_code


def _print(result: WatchResult, state: Path | None) -> None:
    say = render.console.print
    say(render.report_table(result.report))
    before = "nothing" if result.previous is None else f"size {result.previous.size}"
    now = "?" if result.latest is None else f"size {result.latest.size}"
    saved = "; state saved" if result.saved else ""
    say(f"记住的 remembered: {before} → 现在 now: {now}; key {escape(result.key_source)}{saved}")
    if result.not_saved:
        say(f"状态未替换 state file left as it was: {escape(result.not_saved)}")
    if result.proved:
        say(
            f"抽样 sampled: the server lists {result.listed:,} checkpoints; all were verified, "
            f"consistency proofs were asked for {result.proved:,} evenly spaced ones"
        )
    for other in result.others:
        say(f"对照 also {escape(other['file'])} (size {other['size']}): {other['result']}")
    for i, doc in enumerate(result.evidence):
        say(f"证据 evidence ({doc['check']}):")
        for c in doc["checkpoints"]:
            say(f"  size {c['size']} root {c['root']} — {escape(c['source'])}")
        kept = result.evidence_files[i] if i < len(result.evidence_files) else None
        say(f"  {'written to ' + escape(kept) if kept else 'not written (use --json to keep it)'}")
    if result.outcome == "unreachable":
        say("无法连接 could not reach the server: nothing was proved either way (exit 3)")
    if state is None:
        say(
            "没有状态文件 no --state FILE: nothing is remembered for the next run, so a "
            "later rollback or fork cannot be detected"
        )


__all__ = [
    "EXIT_CODES",
    "MAX_PROOFS",
    "LocalError",
    "WatchResult",
    "load_state",
    "run",
    "save_state",
    "watch",
    "write_evidence",
]
