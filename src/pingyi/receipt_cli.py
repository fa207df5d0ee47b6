"""Receipts: `pingyi receipt verify FILE` offline, and the ballot receipts voters are given.

A voter's receipt is two files and a key, none of them secret:

``NAME.tlog-proof``
    the ballot: a C2SP tlog-proof whose extra line is the ballot's exact entry bytes;
``NAME.credential.tlog-proof``
    the ``credential.issue`` entry that registered the ballot's credential key,
    proved against the same checkpoint (so the ballot's signature can be checked
    without the slip);
``log.vkey``
    the log's key as the log itself names it: a convenience, never a trust anchor
    (it is never overwritten with a different key, and ``receipt verify`` warns
    when it is used instead of ``--vkey``).

``pingyi ballot cast`` writes them when a signed checkpoint covers the ballot (a
server answers every append with one); ``pingyi ballot receipt`` finds the
ballot by the slip's key in a store or, with ``--url``, in the whole log it reads
from the server (so the server does not learn which ballot is asked about).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

from ledger import canonical, merkle
from ledger.entry import Entry, Submission
from ledger.errors import LedgerError
from ledger.note import format_tlog_proof, open_checkpoint, parse_tlog_proof, parse_verifier_key
from pingyi import render
from pingyi.conduct import Slip
from pingyi.keyfiles import other_log_key
from pingyi.remote import Fetch, HttpError, get_json, get_text, post_json, request
from pingyi.verify_cli import read_vkey
from verifier.receipt import (
    BALLOT,
    CREDENTIAL,
    MissingEvidence,
    VerifiedBallot,
    VerifiedReceipt,
    verify_ballot,
    verify_receipt,
)

receipt_app = typer.Typer(
    help="Check receipts (an entry with its inclusion proof).", no_args_is_help=True
)

VKEY_FILE = "log.vkey"
KEY_GIVEN, KEY_BESIDE = "given", "beside-receipt"


class ReceiptUnavailable(Exception):
    """No receipt can be made; the message says why and what to do."""


class NotCovered(ReceiptUnavailable):
    """The ballot is in the log, but no signed checkpoint covers it yet."""


# -- making a voter's receipt ---------------------------------------------------------------


@dataclass(frozen=True)
class BallotReceipt:
    """What a voter keeps: the ballot's proof, its credential's proof, the log's key."""

    ballot: Entry
    proof: str
    credential: str | None
    log_key: str


def read_slip(path: Path) -> Slip:
    """The voter's slip, or ValueError saying what is wrong with the file."""
    try:
        slip = Slip.from_json(json.loads(path.read_text(encoding="utf-8")))
        slip.signer  # noqa: B018 (the seed must make a key)
    except OSError as exc:
        raise ValueError(f"cannot read the slip {path}: {exc.strerror or exc}") from None
    except (ValueError, KeyError, TypeError, LedgerError) as exc:
        raise ValueError(
            f"{path} is not a credential slip as `pingyi credential issue` writes it ({exc})"
        ) from None
    return slip


def credential_path(receipt: Path) -> Path:
    """Where the credential's receipt lies beside a ballot's receipt."""
    stem = receipt.name.removesuffix(".tlog-proof")
    return receipt.with_name(f"{stem}.credential.tlog-proof")


def find_ballot(entries: Iterable[Entry], slip: Slip) -> tuple[Entry | None, Entry | None]:
    """(the ballot the slip's key signed, the credential.issue that registered the key)."""
    public = slip.signer.public_b64
    mine = slip.signer.key_id
    issued = None
    for entry in entries:
        if entry.type == CREDENTIAL and issued is None and public in _keys(entry):
            issued = entry
        elif entry.type == BALLOT and entry.signer == mine:
            return entry, issued
    return None, issued


def _keys(entry: Entry) -> list[Any]:
    keys = entry.payload.get("keys")
    return keys if isinstance(keys, list) else []


def _not_cast(slip: Slip, where: str) -> ReceiptUnavailable:
    return ReceiptUnavailable(
        f"no ballot was cast with this slip (credential {slip.signer.key_id}) in {where}; cast "
        "it first with `pingyi ballot cast --slip SLIP --ratings …` (the slip is for log "
        f"{slip.log}, window {slip.window}: check --store or --url)"
    )


def _not_covered(index: int) -> NotCovered:
    return NotCovered(
        f"your ballot is entry {index}, but no signed checkpoint covers it yet; ask again once "
        "the log has signed one (the office does when it publishes or runs `pingyi checkpoint`; "
        "a server holding the log key signs one whenever it is asked)"
    )


def assemble(
    ballot: Entry,
    issued: Entry | None,
    note: str,
    prove: Callable[[int], list[bytes]],
    log_key: str,
) -> BallotReceipt:
    """The receipt texts, both against the checkpoint ``note`` (whose tree ``prove`` walks)."""
    proof = format_tlog_proof(ballot.index, prove(ballot.index), note, extra=ballot.raw)
    credential = None
    if issued is not None:
        credential = format_tlog_proof(issued.index, prove(issued.index), note, extra=issued.raw)
    return BallotReceipt(ballot, proof, credential, log_key)


def local_receipt(store: str | None, slip: Slip, *, index: int | None = None) -> BallotReceipt:
    """The slip's ballot in a local store, proved against its latest stored checkpoint.

    ``index``, when the ballot's index is known, saves reading the log when no
    checkpoint covers it.
    """
    from ledger.store import store_url
    from ledger.store.app import Ledger

    with Ledger.open(store_url(store)) as ledger:
        if index is not None and all(c.size <= index for c in ledger.checkpoints()):
            raise _not_covered(index)
        ballot, issued = find_ballot(ledger.entries(-1), slip)
        if ballot is None:
            raise _not_cast(slip, f"log {ledger.origin}")
        covering = [c for c in ledger.checkpoints() if c.size > ballot.index]
        if not covering:
            raise _not_covered(ballot.index)
        latest, log_key = covering[-1], ledger.state.log_key
        if log_key is None:
            raise ReceiptUnavailable("the log has no genesis entry, so no checkpoint key")
        return assemble(
            ballot, issued, latest.note, lambda i: ledger.inclusion_proof(i, latest.size), log_key
        )


def remote_receipt(fetch: Fetch, slip: Slip, *, note: str | None = None) -> BallotReceipt:
    """The slip's ballot on a server, proved here from the whole log the server sends.

    Reads ``GET /v1/log``, ``GET /v1/checkpoint`` (unless ``note`` is given) and
    ``GET /v1/entries.ndjson``; the proofs are computed here, after checking that
    the entries hash to the checkpoint's root, so no request names the ballot.
    """
    info = get_json(fetch, "/v1/log")
    if not isinstance(info, dict) or not isinstance(info.get("origin"), str):
        raise HttpError("GET /v1/log: the answer names no log origin; is this a pingyi server?")
    origin, log_key = info["origin"], info.get("log_key")
    if not log_key:
        raise ReceiptUnavailable(f"the server's log {origin} names no checkpoint key")
    note = note if note is not None else get_text(fetch, "/v1/checkpoint")
    at = open_checkpoint(note, [parse_verifier_key(str(log_key))], origin=origin)
    raws = [line for line in request(fetch, "GET", "/v1/entries.ndjson").split(b"\n") if line]
    tree = merkle.MerkleTree(merkle.leaf_hash(raw) for raw in raws[: at.size])
    if tree.size < at.size or tree.root() != at.root:
        raise HttpError("the server's entries do not hash to the root of its own checkpoint")
    ballot, issued = find_ballot((Entry.from_bytes(raw) for raw in raws), slip)
    if ballot is None:
        raise _not_cast(slip, f"the server's log {origin}")
    if ballot.index >= at.size:
        raise _not_covered(ballot.index)
    return assemble(ballot, issued, note, lambda i: tree.inclusion_proof(i, at.size), str(log_key))


def append_remote(fetch: Fetch, submission: Submission) -> tuple[dict[str, Any], Entry]:
    """Append with ``POST /v1/entries``: the server's answer and the entry as it stores it."""
    answer = post_json(fetch, "/v1/entries", canonical.canonical(submission.to_value()))
    try:
        index = int(answer["index"])
        raw = str(get_json(fetch, f"/v1/entries/{index}")["raw"]).encode()
        recorded = answer["entry_hash"], answer["tlog_proof"], answer["duplicate"]
    except (KeyError, TypeError, ValueError) as exc:
        raise HttpError(f"the server's answer lacks {exc}; is this a pingyi server?") from None
    entry = Entry.from_bytes(raw)
    if entry.hash != recorded[0] or not submission.same_as(entry):
        raise HttpError(f"the server's entry {index} is not the ballot it was sent")
    return answer, entry


def answered_receipt(
    fetch: Fetch, slip: Slip, entry: Entry, answer: dict[str, Any]
) -> BallotReceipt:
    """The receipt of an append: the server's own tlog-proof with the ballot's bytes added,
    and the credential's proof made against the same checkpoint."""
    given = parse_tlog_proof(str(answer["tlog_proof"]))
    built = remote_receipt(fetch, slip, note=given.checkpoint)
    proof = format_tlog_proof(entry.index, given.proof, given.checkpoint, extra=entry.raw)
    return replace(built, proof=proof)


def check_made(receipt: BallotReceipt, slip: Slip) -> None:
    """Refuse to hand out a receipt that does not verify (as the voter will check it)."""
    try:
        verified = verify_receipt(receipt.proof, receipt.log_key)
        verify_ballot(
            verified, voter_key=slip.signer.public_bytes, credential_proof=receipt.credential
        )
    except LedgerError as exc:
        raise ReceiptUnavailable(
            f"the log's receipt for your ballot does not verify: {exc}"
        ) from None


def write_receipt(receipt: BallotReceipt, out: Path) -> list[Path]:
    """Write the receipt files; never replace a ``log.vkey`` that holds another key."""
    vkey = out.parent / VKEY_FILE
    existing = other_log_key(vkey, receipt.log_key)
    if existing is not None:
        raise ReceiptUnavailable(
            f"{vkey} already holds the log key\n  {existing}\nbut this log's key is\n  "
            f"{receipt.log_key}\nso it was left as it is and nothing was written. Find out "
            "which one the evaluation office publishes, then write the receipt elsewhere "
            "(--out OTHER-DIR/my-ballot.tlog-proof) or remove the file"
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(receipt.proof, encoding="utf-8")
    written = [out]
    if receipt.credential is not None:
        written.append(credential_path(out))
        written[-1].write_text(receipt.credential, encoding="utf-8")
    if not vkey.is_file():
        vkey.write_text(f"{receipt.log_key}\n", encoding="utf-8")
        written.append(vkey)
    return written


# -- checking a receipt offline ---------------------------------------------------------------


@receipt_app.command("verify")
def receipt_verify(
    file: Annotated[Path, typer.Argument(help="The receipt: a .tlog-proof file")],
    vkey: Annotated[
        str | None,
        typer.Option(
            "--vkey",
            help="The log's verifier key as the office publishes it (C2SP vkey, or a file "
            "holding it); default: log.vkey next to the receipt, with a warning",
        ),
    ] = None,
    entry: Annotated[
        Path | None,
        typer.Option("--entry", help="The entry's exact bytes, if the proof does not carry them"),
    ] = None,
    slip: Annotated[
        Path | None,
        typer.Option("--slip", help="Your credential slip: shows the ballot is the one you cast"),
    ] = None,
    credential: Annotated[
        Path | None,
        typer.Option(
            "--credential",
            help="The credential's receipt; default: NAME.credential.tlog-proof beside FILE",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable JSON output")] = False,
) -> None:
    """Verify offline that an entry is in the log under a checkpoint signed by the log's key.

    For a ballot, also check its signature with its credential key and show its
    ratings; with --slip, check that the credential is yours.
    """
    key, source = _trusted_key(file, vkey)
    proof = _read(file, "the receipt")
    given = None if entry is None else _read(entry, "the entry")
    voter_key = None
    if slip is not None:
        try:
            voter_key = read_slip(slip).signer.public_bytes
        except ValueError as exc:
            _fail(str(exc), 2)
    try:
        verified = verify_receipt(proof, key, given)
        ballot = None
        if verified.entry.type == BALLOT:
            beside = credential_path(file)
            path = credential if credential is not None else beside if beside.is_file() else None
            issued = None if path is None else _read(path, "the credential's receipt")
            ballot = verify_ballot(verified, voter_key=voter_key, credential_proof=issued)
        elif voter_key is not None:
            raise MissingEvidence(
                f"--slip checks a ballot's receipt; entry #{verified.entry.index} is a "
                f"{verified.entry.type} entry"
            )
    except MissingEvidence as exc:
        _fail(str(exc), 2)
    except LedgerError as exc:
        if as_json:
            render.print_json(
                {"verdict": "fail", "problem": str(exc), "log_key": key, "key_source": source}
            )
            raise typer.Exit(1) from None
        if source == KEY_BESIDE:
            render.console.print(_key_warning(key, file))
        _fail(f"未通过 FAIL: {exc}", 1)
    if as_json:
        render.print_json(_as_json(verified, ballot, key, source))
    else:
        _print(verified, ballot, key, source, file)


def _trusted_key(file: Path, vkey: str | None) -> tuple[str, str]:
    key = read_vkey(vkey)
    if key is not None:
        return key, KEY_GIVEN
    beside = file.parent / VKEY_FILE
    if beside.is_file():
        return beside.read_text(encoding="utf-8").strip(), KEY_BESIDE
    _fail(
        "give the log's verifier key with --vkey, as the evaluation office publishes it "
        "(on its publication page or notice board)",
        2,
    )


def _read(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        _fail(f"cannot read {what} {path}: {exc.strerror or exc}", 2)


def _key_warning(key: str, file: Path) -> Panel:
    return Panel(
        "The log's key was read from "
        f"{escape(str(file.parent / VKEY_FILE))}, which came with the receipt: whoever made "
        "the receipt could have made this key too, and then a PASS proves nothing. Compare it "
        "with the key the evaluation office publishes, character by character, or give that "
        f"key with --vkey:\n  {escape(key)}",
        title="[bold yellow]注意 WARNING: 公钥未经核对 the log key is not checked[/]",
        border_style="yellow",
    )


def _as_json(
    verified: VerifiedReceipt, ballot: VerifiedBallot | None, key: str, source: str
) -> dict[str, Any]:
    e, c = verified.entry, verified.checkpoint
    out: dict[str, Any] = {
        "verdict": "pass",
        "index": e.index,
        "entry": e.id,
        "type": e.type,
        "entry_hash": e.hash,
        "log": c.origin,
        "checkpoint_size": c.size,
        "log_key": key,
        "key_source": source,
        "log_key_source": "given with --vkey"
        if source == KEY_GIVEN
        else "log.vkey beside the receipt",
        "author_signature_checked": ballot is not None,
        "warnings": []
        if source == KEY_GIVEN
        else ["the log key came with the receipt: compare it with the office's published key"],
    }
    if ballot is not None:
        p = e.payload
        out["ballot"] = {
            "campaign": p["campaign"],
            "window": p["window"],
            "component": p["component"],
            "group": p.get("group"),
            "ratings": ballot.ratings,
            "credential": e.signer,
            "credential_key": base64.b64encode(ballot.public_key).decode(),
            "credential_issued_at": None
            if ballot.credential is None
            else ballot.credential.entry.index,
            "yours": ballot.yours,
        }
        if not ballot.yours:
            out["warnings"].append("no slip given: nothing ties the ballot's author to you")
    return out


def _print(
    verified: VerifiedReceipt, ballot: VerifiedBallot | None, key: str, source: str, file: Path
) -> None:
    e, c = verified.entry, verified.checkpoint
    if source == KEY_BESIDE:
        render.console.print(_key_warning(key, file))
    where = "given with --vkey" if source == KEY_GIVEN else "from log.vkey beside the receipt"
    render.console.print(
        f"[bold green]通过 PASS[/] entry #{e.index} ({escape(e.type)}, {e.id}) is in log "
        f"{escape(c.origin)} under the checkpoint of size {c.size} signed by the log key\n"
        f"  {escape(key)} ({where})\n  entry hash {e.hash}"
    )
    if ballot is None:
        render.console.print(
            f"  author key {e.signer}: its signature is not checked here (that needs the key "
            "registry: verify a bundle with `pingyi verify BUNDLE`)"
        )
        return
    render.console.print(_scope(ballot))
    render.console.print(_ratings_table(ballot))
    render.console.print(
        f"签名 Signature: checked — these ratings are exactly what credential {e.signer} signed"
    )
    if ballot.credential is not None:
        render.console.print(
            f"凭证 Credential: issued by entry #{ballot.credential.entry.index} "
            "(credential.issue), proved in the same log"
        )
    else:
        render.console.print(
            "[yellow]凭证 Credential: its issue entry is not proved here (no credential "
            "receipt beside this one)[/]"
        )
    if ballot.yours:
        render.console.print("本人 Yours: yes — the credential is the one your slip holds")
    else:
        render.console.print(
            "[bold yellow]本人 Yours: not shown — without --slip nothing here ties this "
            "ballot's author to you; check with --slip YOUR-SLIP[/]"
        )


def _ratings_table(ballot: VerifiedBallot) -> Table:
    table = Table()
    table.add_column("单位 Unit")
    table.add_column("评价 Rating")
    for unit, level in sorted(ballot.ratings.items()):
        table.add_row(escape(unit), escape(level))
    return table


def _scope(ballot: VerifiedBallot) -> str:
    p = ballot.entry.payload
    return escape(
        f"记录的选票 The ballot as recorded: 活动 campaign {p['campaign']} · 窗口 window "
        f"{p['window']} · 项目 component {p['component']} · 群体 group {p.get('group') or '—'}"
    )


def _fail(message: str, code: int) -> NoReturn:
    render.errors.print(f"[bold red]error:[/] {escape(message)}")
    raise typer.Exit(code)


__all__ = [
    "BallotReceipt",
    "NotCovered",
    "ReceiptUnavailable",
    "answered_receipt",
    "append_remote",
    "check_made",
    "credential_path",
    "find_ballot",
    "local_receipt",
    "read_slip",
    "receipt_app",
    "remote_receipt",
    "write_receipt",
]
