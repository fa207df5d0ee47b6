"""Commands for a campaign's life, one group per journey, each signed by the person acting.

office      pool import/show/erase, draw commit/reveal/show, window open/close,
            credential issue, bonus approve
voter       ballot cast (with a credential slip), ballot receipt
clerk       ballot transcribe;  supervisor: ballot countersign, finding record/amend/withdraw
operator    survey import;      unit rep: bonus claim, appeal file;  inspector: appeal rule

Every command signs locally and appends to ``--store`` or, with ``--url``, to a
pingyi server; ``--json`` gives machine output.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.progress import Progress
from rich.table import Table

from ledger.entry import Submission
from ledger.errors import LedgerError
from ledger.keys import Signer
from pingyi import conduct, render
from pingyi import receipt_cli as receipts
from pingyi.keyfiles import load_signer
from pingyi.remote import HttpError, urllib_fetch
from pingyi.target import URL_ENV, Target, open_target
from projections.errors import ProjectionError
from vault.errors import VaultError
from vault.evidence import EVIDENCE_ENV, EvidenceStore
from vault.people import PRIVATE_STORE_ENV, open_people_store
from vault.roster import enroll, read_roster

StoreOpt = Annotated[str | None, typer.Option("--store", envvar="PINGYI_STORE", help="Store URL")]
UrlOpt = Annotated[
    str | None, typer.Option("--url", envvar=URL_ENV, help="A pingyi server instead of a store")
]
SignerOpt = Annotated[Path, typer.Option("--signer", help="Your encrypted private key file")]
CampaignOpt = Annotated[str, typer.Option("--campaign", help="Campaign code")]
CampaignArg = Annotated[str, typer.Argument(help="Campaign code")]
TitleOpt = Annotated[str, typer.Option("--title", help="Title")]
PoolOpt = Annotated[str, typer.Option("--pool", help="Pool code")]
DrawOpt = Annotated[str, typer.Option("--draw", help="Draw code")]
WindowOpt = Annotated[str, typer.Option("--window", help="Window code")]
PaperWindowOpt = Annotated[str, typer.Option("--window", help="The paper window")]
SlipOpt = Annotated[Path, typer.Option("--slip", help="Your credential slip")]
UnitOpt = Annotated[str, typer.Option("--unit", help="Unit code")]
LevelOpt = Annotated[str, typer.Option("--level", help="bureau | county")]
SeriousOpt = Annotated[bool, typer.Option("--serious/--no-serious", help="Marked serious")]
FindingOpt = Annotated[str, typer.Option("--finding", help="Entry id of the finding")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable JSON output")]
EvidenceOpt = Annotated[
    list[Path] | None, typer.Option("--evidence", help="Evidence file (repeatable)")
]
EvidenceDirOpt = Annotated[
    Path | None,
    typer.Option("--evidence-dir", envvar=EVIDENCE_ENV, help="The evidence file store"),
]

apps = {
    name: typer.Typer(help=text, no_args_is_help=True)
    for name, text in {
        "campaign": "Open and close a campaign (office; adopt its rulebook first).",
        "pool": "The evaluator pool: import a roster, show it, erase a person's data (office).",
        "draw": "Verifiable draws: commit before the randomness exists, then reveal (office).",
        "window": "Ballot windows: open and close (office).",
        "credential": "One-time ballot credentials (office issues, voters use).",
        "ballot": "Cast a ballot with a credential, transcribe and countersign paper ballots.",
        "survey": "Satisfaction survey responses (survey operators).",
        "finding": "Inspection findings with evidence (supervisors).",
        "bonus": "Bonus claims with evidence (unit representatives) and approval (office).",
        "appeal": "Appeals (unit representatives) and rulings (discipline inspectors).",
    }.items()
}


def fail(message: str) -> None:
    render.errors.print(f"[bold red]error:[/] {message}")
    raise typer.Exit(2)


@contextmanager
def target(
    store: str | None, url: str | None, evidence_dir: Path | None = None
) -> Iterator[Target]:
    try:
        with open_target(store, url, EvidenceStore(evidence_dir)) as found:
            yield found
    except (LedgerError, ProjectionError, VaultError, OSError, ValueError) as exc:
        fail(str(exc))


def now() -> datetime:
    return datetime.now(UTC)


def submit(
    where: Target,
    signer: Signer,
    steps: list[tuple[str, dict[str, Any]]],
    as_json: bool,
    *,
    chunk: int = 50,
) -> list[dict[str, Any]]:
    subs = [
        Submission.new(signer, log=where.origin, type=t, payload=p, time=now()) for t, p in steps
    ]
    return record(where, subs, as_json, chunk=chunk)


def sign_and_submit(
    signer: Path,
    store: str | None,
    url: str | None,
    steps: list[tuple[str, dict[str, Any]]],
    as_json: bool,
    evidence_dir: Path | None = None,
    *,
    chunk: int = 50,
) -> None:
    """Open the target, load the signer's key and record ``steps`` signed with it."""
    with target(store, url, evidence_dir) as where:
        submit(where, load_signer(signer), steps, as_json, chunk=chunk)


def record(
    where: Target, subs: list[Submission], as_json: bool, *, chunk: int = 50
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    with Progress(transient=True, disable=len(subs) <= chunk or as_json) as progress:
        task = progress.add_task("记录 recording", total=len(subs))
        for start in range(0, len(subs), chunk):
            part = subs[start : start + chunk]
            for sub, r in zip(part, where.append(part), strict=True):
                out.append(
                    {
                        "id": sub.id,
                        "type": sub.type,
                        "index": r.index,
                        "entry_hash": r.entry_hash,
                        "duplicate": r.duplicate,
                    }
                )
            progress.advance(task, len(part))
    if as_json:
        render.print_json(out)
    else:
        for row in out[-5:]:
            render.console.print(f"已记录 recorded {row['type']} #{row['index']} id {row['id']}")
        if len(out) > 5:
            render.console.print(f"… {len(out)} entries in all")
    return out


def state(where: Target, campaign: str) -> conduct.Campaign:
    return conduct.Campaign(campaign, where.entries())


def evidence(files: list[Path] | None, directory: Path | None) -> list[dict[str, Any]]:
    """Put each file into the evidence store; the entry holds its hash, size and name."""
    store = EvidenceStore(directory)
    out = []
    for path in files or []:
        stored = store.put_file(path)
        out.append({"sha256": stored.sha256, "size": stored.size, "name": path.name[:200]})
    return out


# -- campaign -------------------------------------------------------------------------------


@apps["campaign"].command("open")
def campaign_open(
    campaign: CampaignArg,
    title: TitleOpt,
    signer: SignerOpt,
    store: StoreOpt = None,
    url: UrlOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Open a campaign: its rulebook is frozen from now on (changes are signed revisions)."""
    steps = [("campaign.open", {"campaign": campaign, "title": title})]
    sign_and_submit(signer, store, url, steps, as_json)


@apps["campaign"].command("close")
def campaign_close(
    campaign: CampaignArg,
    signer: SignerOpt,
    store: StoreOpt = None,
    url: UrlOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Close a campaign (every ballot window must be closed); appeals and rulings may follow."""
    sign_and_submit(signer, store, url, [("campaign.close", {"campaign": campaign})], as_json)


# -- pool -----------------------------------------------------------------------------------

PrivateOpt = Annotated[
    str | None,
    typer.Option(
        "--private-store",
        envvar=PRIVATE_STORE_ENV,
        help="Private store URL (personal data; default: a SQLite file here)",
    ),
]


@apps["pool"].command("init-store")
def pool_init_store(private: PrivateOpt = None) -> None:
    """Create the private store's tables (once, as their owner, before granting a role)."""
    try:
        with open_people_store(private):
            pass
    except VaultError as exc:
        fail(str(exc))
    render.console.print("私密库已就绪 the private store's tables are in place")


@apps["pool"].command("import")
def pool_import(
    roster: Annotated[
        Path, typer.Argument(help="Roster CSV or JSON (name, phone, group, affiliation, leader)")
    ],
    campaign: CampaignOpt,
    pool: PoolOpt,
    signer: SignerOpt,
    private: PrivateOpt = None,
    store: StoreOpt = None,
    url: UrlOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Enrol a roster: personal data to the private store, pseudonyms and commitments to the log; freeze."""
    try:
        enrolments = enroll(read_roster(roster))
        with open_people_store(private) as people:
            people.add(campaign, pool, enrolments)
    except VaultError as exc:
        fail(str(exc))
    key = load_signer(signer)
    with target(store, url) as where:
        members = [dict(e.member) for e in enrolments]
        submit(where, key, conduct.enrol_payloads(campaign, pool, members), as_json, chunk=1)


@apps["pool"].command("show")
def pool_show(
    campaign: CampaignOpt,
    pool: PoolOpt,
    store: StoreOpt = None,
    url: UrlOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The pool as the log holds it: members per group (no personal data)."""
    with target(store, url) as where:
        members = state(where, campaign).members(pool)
    groups: dict[str, int] = {}
    for m in members:
        groups[m["group"]] = groups.get(m["group"], 0) + 1
    if as_json:
        render.print_json({"pool": pool, "size": len(members), "groups": groups})
        return
    table = Table(title=f"测评人员库 Pool {pool} ({len(members)})")
    table.add_column("群体 Group")
    table.add_column("人数 Members", justify="right")
    for group, count in sorted(groups.items()):
        table.add_row(group, str(count))
    render.console.print(table)


@apps["pool"].command("erase")
def pool_erase(
    pseudonym: Annotated[str, typer.Argument(help="The person's pseudonym")],
    reason: Annotated[str, typer.Option(help="Why (e.g. the person's request under PIPL)")],
    private: PrivateOpt = None,
) -> None:
    """Erase a person's data from the private store; the log (and every hash) is unchanged."""
    with open_people_store(private) as people:
        if not people.erase(pseudonym, reason):
            fail(f"no person {pseudonym} in the private store")
    render.console.print(f"已删除 erased the personal data of {pseudonym}; the log is unchanged")


# -- draws ----------------------------------------------------------------------------------


def _stratum(text: str) -> dict[str, Any]:
    """NAME:GROUP+GROUP:COUNT[:all]"""
    parts = text.split(":")
    if len(parts) not in (3, 4) or not parts[2].isdigit():
        raise typer.BadParameter(f"{text!r}: use NAME:GROUP+GROUP:COUNT[:all]")
    out: dict[str, Any] = {"name": parts[0], "groups": parts[1].split("+"), "count": int(parts[2])}
    if len(parts) == 4:
        out["all_if_at_most"] = parts[3] == "all"
    return out


def _source(text: str, description: str) -> dict[str, Any]:
    """rfc3797:N | beacon:NAME:ROUND | seeds:HASH,HASH"""
    kind, _, rest = text.partition(":")
    if kind == "rfc3797" and rest.isdigit():
        return {"kind": kind, "description": description, "sources": int(rest)}
    if kind == "beacon" and rest.count(":") == 1 and rest.split(":")[1].isdigit():
        name, round_ = rest.split(":")
        return {"kind": kind, "description": description, "beacon": name, "round": int(round_)}
    if kind == "seeds" and rest:
        return {"kind": kind, "description": description, "commitments": rest.split(",")}
    raise typer.BadParameter(f"{text!r}: use rfc3797:N, beacon:NAME:ROUND or seeds:SHA256,SHA256…")


@apps["draw"].command("commit")
def draw_commit(
    campaign: CampaignOpt,
    draw: Annotated[str, typer.Option(help="Draw code, e.g. assembly")],
    pool: Annotated[str, typer.Option(help="The frozen pool")],
    stratum: Annotated[
        list[str], typer.Option(help="NAME:GROUP+GROUP:COUNT[:all] (repeatable, in order)")
    ],
    source: Annotated[
        str, typer.Option(help="rfc3797:N | beacon:NAME:ROUND | seeds:SHA256,SHA256")
    ],
    description: Annotated[str, typer.Option(help="Where the random values will come from")],
    signer: SignerOpt,
    alternates: Annotated[int, typer.Option(help="Ordered alternates per stratum")] = 0,
    exclude_group: Annotated[
        list[str] | None, typer.Option(help="Group never drawn (repeatable)")
    ] = None,
    store: StoreOpt = None,
    url: UrlOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Commit to pool, quotas, exclusions and the randomness source, before the values exist."""
    key = load_signer(signer)
    with target(store, url) as where:
        members = state(where, campaign).members(pool)
        payload = conduct.commit_payload(
            campaign,
            draw,
            pool,
            members,
            strata=[_stratum(s) for s in stratum],
            source=_source(source, description),
            alternates=alternates,
            exclude_groups=exclude_group or [],
        )
        submit(where, key, [("draw.commit", payload)], as_json)


@apps["draw"].command("reveal")
def draw_reveal(
    campaign: CampaignOpt,
    draw: DrawOpt,
    signer: SignerOpt,
    numbers: Annotated[
        list[str] | None,
        typer.Option(help="RFC 3797: one source's published values, space-separated (repeatable)"),
    ] = None,
    beacon: Annotated[str | None, typer.Option(help="The beacon round's output (hex)")] = None,
    seed: Annotated[
        list[str] | None,
        typer.Option(help="A party's revealed seed (hex, repeatable, in committed order)"),
    ] = None,
    store: StoreOpt = None,
    url: UrlOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Enter the random values; the draw is computed from them and recorded with its result."""
    values: Any = [n.split() for n in numbers] if numbers else beacon if beacon else seed
    if not values:
        fail("give the values: --numbers (RFC 3797), --beacon or --seed")
    key = load_signer(signer)
    with target(store, url) as where:
        try:
            payload = conduct.reveal_payload(state(where, campaign), draw, values)
        except ProjectionError as exc:
            fail(str(exc))
        submit(where, key, [("draw.reveal", payload)], as_json)
        _print_draw(payload, as_json)


def _print_draw(payload: dict[str, Any], as_json: bool) -> None:
    if as_json:
        return
    table = Table(title=f"抽取结果 Draw {payload['draw']}")
    for column in ("分组 Stratum", "入选 Selected", "候补 Alternates (in order)"):
        table.add_column(column)
    for name, chosen in payload["selected"].items():
        table.add_row(
            name,
            f"{len(chosen)}: " + " ".join(chosen[:4]) + (" …" if len(chosen) > 4 else ""),
            " ".join(payload["alternates"].get(name, [])[:3]),
        )
    render.console.print(table)


@apps["draw"].command("show")
def draw_show(
    campaign: CampaignOpt,
    draw: DrawOpt,
    store: StoreOpt = None,
    url: UrlOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Re-run a draw from the log alone and show who was drawn, in order."""
    with target(store, url) as where:
        found = state(where, campaign)
        reveal = next(
            (e.payload for e in found.of_type("draw.reveal") if e.payload["draw"] == draw), None
        )
        if reveal is None:
            fail(f"draw {draw!r} has not been revealed")
        assert reveal is not None
        again = conduct.reveal_payload(found, draw, reveal["values"])
    same = again == reveal
    if as_json:
        render.print_json({**again, "matches_log": same})
    else:
        _print_draw(again, False)
        render.console.print(
            "重算一致 re-run matches the log" if same else "[red]re-run differs from the log[/]"
        )
    if not same:
        raise typer.Exit(1)


# -- windows and credentials -------------------------------------------------------------------


@apps["window"].command("open")
def window_open(
    campaign: CampaignOpt,
    window: WindowOpt,
    component: Annotated[str, typer.Option(help="The ballot component it collects")],
    mode: Annotated[str, typer.Option(help="credential | paper")],
    title: TitleOpt,
    signer: SignerOpt,
    store: StoreOpt = None,
    url: UrlOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Open a ballot window."""
    payload = {
        "campaign": campaign,
        "window": window,
        "component": component,
        "mode": mode,
        "title": title,
    }
    sign_and_submit(signer, store, url, [("window.open", payload)], as_json)


@apps["window"].command("close")
def window_close(
    campaign: CampaignOpt,
    window: WindowOpt,
    signer: SignerOpt,
    checked_in: Annotated[int | None, typer.Option(help="Paper: voters checked in")] = None,
    store: StoreOpt = None,
    url: UrlOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Close a window, declaring every unspent credential unused (issued = cast + unused)."""
    with target(store, url) as where:
        unused = state(where, campaign).unspent(window)
        payload: dict[str, Any] = {"campaign": campaign, "window": window, "unused": unused}
        if checked_in is not None:
            payload["checked_in"] = checked_in
        submit(where, load_signer(signer), [("window.close", payload)], as_json)


@apps["credential"].command("issue")
def credential_issue(
    campaign: CampaignOpt,
    window: WindowOpt,
    component: Annotated[str, typer.Option(help="The window's component")],
    count: Annotated[int, typer.Option(help="How many credentials")],
    out: Annotated[Path, typer.Option(help="Directory for the slips (one file per voter)")],
    signer: SignerOpt,
    group: Annotated[
        str | None, typer.Option(help="Voter group, if the rulebook weighs groups")
    ] = None,
    store: StoreOpt = None,
    url: UrlOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Make one-time credentials, commit to their public keys, write one slip per voter.

    Hand the slips out unlinkably (shuffled, at the door); each slip is a secret key.
    """
    key = load_signer(signer)
    with target(store, url) as where:
        slips = conduct.new_slips(
            where.origin, campaign, window, component, group, count, os.urandom
        )
        submit(where, key, [("credential.issue", conduct.issue_payload(slips))], as_json)
    out.mkdir(parents=True, exist_ok=True)
    for n, slip in enumerate(slips, 1):
        path = out / f"slip-{window}-{n:04d}.json"
        path.touch(mode=0o600, exist_ok=False)
        path.write_text(json.dumps(slip.to_json(), ensure_ascii=False))
    if not as_json:
        render.console.print(
            f"{count} slips written to {out} (each is a secret: print, shuffle, hand out)"
        )


# -- ballots --------------------------------------------------------------------------------


def _ratings(text: str) -> dict[str, str]:
    if text.startswith("@"):
        data = json.loads(Path(text[1:]).read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise typer.BadParameter("the ratings file must be a JSON object {unit: level}")
        return {str(k): str(v) for k, v in data.items()}
    return dict(pair.split("=", 1) for pair in text.split(",") if pair)


ReceiptOut = Annotated[
    Path,
    typer.Option(
        "--out",
        help="Your receipt (C2SP tlog-proof with your ballot); "
        "NAME.credential.tlog-proof and log.vkey are written beside it",
    ),
]
MY_RECEIPT = Path("my-ballot.tlog-proof")


def read_slip(path: Path) -> conduct.Slip:
    try:
        return receipts.read_slip(path)
    except ValueError as exc:
        fail(str(exc))
        raise


@apps["ballot"].command("cast")
def ballot_cast(
    slip: SlipOpt,
    ratings: Annotated[str, typer.Option(help="UNIT=LEVEL,UNIT=LEVEL or @ratings.json")],
    out: ReceiptOut = MY_RECEIPT,
    store: StoreOpt = None,
    url: UrlOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Cast your anonymous ballot, signed with the slip's one-time key (keep the slip).

    Your receipt is written to --out as soon as a signed checkpoint covers the
    ballot: at once with --url (the server answers with one), else later with
    ``pingyi ballot receipt``.
    """
    card = read_slip(slip)
    ballot = conduct.cast(card, _ratings(ratings), now())
    make: Callable[[], receipts.BallotReceipt]
    if url:
        try:
            fetch = urllib_fetch(url)
            answer, entry = receipts.append_remote(fetch, ballot)
        except (HttpError, LedgerError) as exc:
            fail(escape(str(exc)))
        index, entry_hash, duplicate = entry.index, entry.hash, bool(answer["duplicate"])
        make = partial(receipts.answered_receipt, fetch, card, entry, answer)
    else:
        with target(store, None) as where:
            (recorded,) = where.append([ballot])
        index, entry_hash, duplicate = recorded.index, recorded.entry_hash, recorded.duplicate
        make = partial(receipts.local_receipt, store, card, index=index)
    row: dict[str, Any] = {
        "id": ballot.id,
        "type": ballot.type,
        "index": index,
        "entry_hash": entry_hash,
        "duplicate": duplicate,
    }
    if not as_json:
        render.console.print(f"已记录 recorded {ballot.type} #{index} id {ballot.id}")
    source = f" --url {url}" if url else f" --store {store}" if store else ""
    row["receipt"], code = _hand_receipt(make, card, out, slip, as_json, index=index, source=source)
    if as_json:
        render.print_json([row])
    raise typer.Exit(code)


def _hand_receipt(
    make: Callable[[], receipts.BallotReceipt],
    card: conduct.Slip,
    out: Path,
    slip: Path,
    as_json: bool,
    *,
    index: int,
    source: str,
) -> tuple[list[str] | None, int]:
    """After a cast: write the receipt if a checkpoint covers the ballot; say what to do if not."""
    try:
        made = make()
        receipts.check_made(made, card)
        written = receipts.write_receipt(made, out)
    except receipts.NotCovered:
        if not as_json:
            render.console.print(
                "no signed checkpoint covers your ballot yet; get your receipt once the office "
                f"has signed one: pingyi ballot receipt --slip {slip} --out {out}{source}"
            )
        return None, 0
    except (receipts.ReceiptUnavailable, HttpError, LedgerError, OSError) as exc:
        render.errors.print(
            f"[bold red]error:[/] your ballot is recorded as entry {index}, but no receipt was "
            f"written: {escape(str(exc))}"
        )
        return None, 1
    if not as_json:
        _print_receipt(written, slip)
    return [str(p) for p in written], 0


def _print_receipt(written: list[Path], slip: Path) -> None:
    render.console.print(
        f"收据 receipt for your ballot written to {', '.join(str(p) for p in written)} "
        "(nothing in it is secret; keep the slip secret)\n"
        f"check it anywhere with: pingyi receipt verify {written[0]} --slip {slip} "
        "--vkey 'THE LOG KEY THE OFFICE PUBLISHES'"
    )


@apps["ballot"].command("receipt")
def ballot_receipt(
    slip: SlipOpt,
    out: ReceiptOut = MY_RECEIPT,
    store: StoreOpt = None,
    url: UrlOpt = None,
) -> None:
    """Find your ballot by your slip (nobody else can link it to you); write your receipt.

    The receipt is a c2sp.org/tlog-proof holding your ballot's exact bytes, its
    inclusion proof and a signed checkpoint, with the credential's proof and
    ``log.vkey`` beside it (an existing log.vkey with another key is never
    replaced). With --url the whole log is read from the server and the proofs
    are made here, so the server does not learn which ballot is yours. Check it
    anywhere with ``pingyi receipt verify``.
    """
    card = read_slip(slip)
    try:
        if url:
            made = receipts.remote_receipt(urllib_fetch(url), card)
        else:
            made = receipts.local_receipt(store, card)
        receipts.check_made(made, card)
        written = receipts.write_receipt(made, out)
    except (receipts.ReceiptUnavailable, HttpError, LedgerError, OSError) as exc:
        fail(escape(str(exc)))
    _print_receipt(written, slip)


@apps["ballot"].command("transcribe")
def ballot_transcribe(
    campaign: CampaignOpt,
    window: PaperWindowOpt,
    ballots: Annotated[
        Path, typer.Option(help="Transcribed ballots: JSON list or NDJSON of {ratings, group}")
    ],
    batch: Annotated[str, typer.Option(help="Batch name prefix, e.g. desk-3")],
    signer: SignerOpt,
    store: StoreOpt = None,
    url: UrlOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """A clerk records paper ballots in batches of 50 (each counts once countersigned)."""
    payloads = conduct.batch_payloads(campaign, window, batch, conduct.read_ballots(ballots))
    steps = [("ballot.batch", p) for p in payloads]
    sign_and_submit(signer, store, url, steps, as_json, chunk=1)


@apps["ballot"].command("countersign")
def ballot_countersign(
    campaign: CampaignOpt,
    window: PaperWindowOpt,
    batch: Annotated[str, typer.Option(help="The batch's entry id")],
    count: Annotated[int, typer.Option(help="Paper ballots you counted in the batch")],
    signer: SignerOpt,
    store: StoreOpt = None,
    url: UrlOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """A supervisor confirms a clerk's batch against the paper."""
    payload = {"campaign": campaign, "window": window, "batch": batch, "count": count}
    sign_and_submit(signer, store, url, [("ballot.countersign", payload)], as_json)


# -- surveys, findings, bonuses, appeals ----------------------------------------------------------


@apps["survey"].command("import")
def survey_import(
    responses: Annotated[Path, typer.Argument(help="CSV with columns unit, level[, respondent]")],
    campaign: CampaignOpt,
    component: Annotated[str, typer.Option(help="The survey component")],
    signer: SignerOpt,
    store: StoreOpt = None,
    url: UrlOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Record survey responses (phone, SMS, in person), in batches, with progress."""
    with responses.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    steps = []
    for row in rows:
        payload = {
            "campaign": campaign,
            "unit": row["unit"],
            "component": component,
            "level": row["level"],
        }
        if row.get("respondent"):
            payload["respondent"] = row["respondent"]
        steps.append(("survey.response", payload))
    sign_and_submit(signer, store, url, steps, as_json, chunk=500)


@apps["finding"].command("record")
def finding_record(
    campaign: CampaignOpt,
    unit: UnitOpt,
    rule: Annotated[str, typer.Option(help="The rulebook component it falls under")],
    level: LevelOpt,
    summary: Annotated[str, typer.Option(help="What was found")],
    signer: SignerOpt,
    serious: SeriousOpt = False,
    evidence_file: EvidenceOpt = None,
    evidence_dir: EvidenceDirOpt = None,
    store: StoreOpt = None,
    url: UrlOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Record an inspection finding; evidence files go to the evidence store by content hash."""
    payload = {
        "campaign": campaign,
        "unit": unit,
        "rule": rule,
        "level": level,
        "serious": serious,
        "summary": summary,
        "evidence": evidence(evidence_file, evidence_dir),
    }
    sign_and_submit(signer, store, url, [("finding.record", payload)], as_json, evidence_dir)


@apps["finding"].command("amend")
def finding_amend(
    campaign: CampaignOpt,
    finding: FindingOpt,
    unit: UnitOpt,
    rule: Annotated[str, typer.Option(help="Component")],
    level: LevelOpt,
    summary: Annotated[str, typer.Option(help="The corrected finding")],
    reason: Annotated[str, typer.Option(help="Why it is amended")],
    signer: SignerOpt,
    serious: SeriousOpt = False,
    evidence_file: EvidenceOpt = None,
    evidence_dir: EvidenceDirOpt = None,
    store: StoreOpt = None,
    url: UrlOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Replace a finding with a corrected one (the original stays in the log, withdrawn)."""
    payload = {
        "campaign": campaign,
        "finding": finding,
        "unit": unit,
        "rule": rule,
        "level": level,
        "serious": serious,
        "summary": summary,
        "reason": reason,
        "evidence": evidence(evidence_file, evidence_dir),
    }
    sign_and_submit(signer, store, url, [("finding.amend", payload)], as_json, evidence_dir)


@apps["finding"].command("withdraw")
def finding_withdraw(
    campaign: CampaignOpt,
    finding: FindingOpt,
    reason: Annotated[str, typer.Option(help="Why")],
    signer: SignerOpt,
    store: StoreOpt = None,
    url: UrlOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Withdraw a finding (a new entry pointing to it; nothing is deleted)."""
    payload = {"campaign": campaign, "finding": finding, "reason": reason}
    sign_and_submit(signer, store, url, [("finding.withdraw", payload)], as_json)


@apps["bonus"].command("claim")
def bonus_claim(
    campaign: CampaignOpt,
    unit: Annotated[str, typer.Option(help="Your unit")],
    component: Annotated[str, typer.Option(help="The bonus component")],
    item: Annotated[str, typer.Option(help="The rulebook item")],
    signer: SignerOpt,
    count: Annotated[int, typer.Option(help="Occurrences")] = 1,
    evidence_file: EvidenceOpt = None,
    evidence_dir: EvidenceDirOpt = None,
    store: StoreOpt = None,
    url: UrlOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """A unit claims a bonus with its evidence; it counts once the office approves it."""
    payload = {
        "campaign": campaign,
        "unit": unit,
        "component": component,
        "item": item,
        "count": count,
        "evidence": evidence(evidence_file, evidence_dir),
    }
    sign_and_submit(signer, store, url, [("item.claim", payload)], as_json, evidence_dir)


@apps["bonus"].command("approve")
def bonus_approve(
    campaign: CampaignOpt,
    claim: Annotated[str, typer.Option(help="Entry id of the claim")],
    signer: SignerOpt,
    store: StoreOpt = None,
    url: UrlOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The office approves a claim: an item.count naming it, with the claim's evidence."""
    with target(store, url) as where:
        found = state(where, campaign).entries.get(claim)
        if found is None or found.type != "item.claim":
            fail(f"entry {claim} is not a bonus claim of campaign {campaign!r}")
        assert found is not None
        p = found.payload
        payload: dict[str, Any] = {
            k: p[k] for k in ("campaign", "unit", "component", "item", "count") if k in p
        }
        payload.update(claim=claim, evidence=p.get("evidence", []))
        submit(where, load_signer(signer), [("item.count", payload)], as_json)


@apps["appeal"].command("file")
def appeal_file(
    campaign: CampaignOpt,
    target_id: Annotated[str, typer.Option("--target", help="Entry id appealed against")],
    reason: Annotated[str, typer.Option(help="Grounds")],
    signer: SignerOpt,
    store: StoreOpt = None,
    url: UrlOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """A unit's representative appeals against an entry of the campaign."""
    payload = {"campaign": campaign, "target": target_id, "reason": reason}
    sign_and_submit(signer, store, url, [("appeal.file", payload)], as_json)


@apps["appeal"].command("rule")
def appeal_rule(
    campaign: CampaignOpt,
    target_id: Annotated[str, typer.Option("--target", help="Entry id ruled on")],
    outcome: Annotated[str, typer.Option(help="upheld | partly_upheld | rejected")],
    reason: Annotated[str, typer.Option(help="Reasons")],
    signer: SignerOpt,
    adjusted: Annotated[
        str | None, typer.Option(help="Partly upheld: the points that stand")
    ] = None,
    store: StoreOpt = None,
    url: UrlOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """A discipline inspector rules on an appeal; replay and explain apply and show it."""
    payload: dict[str, Any] = {
        "campaign": campaign,
        "target": target_id,
        "outcome": outcome,
        "reason": reason,
    }
    if adjusted is not None:
        payload["adjusted"] = adjusted
    sign_and_submit(signer, store, url, [("appeal.rule", payload)], as_json)


def register(app: typer.Typer) -> None:
    for name, sub in apps.items():
        app.add_typer(sub, name=name)
