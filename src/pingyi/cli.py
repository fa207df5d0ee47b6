"""The pingyi command: one subcommand per user journey.

Every command that touches a store takes it the same way: ``--store URL`` or
the ``PINGYI_STORE`` environment variable, default ``sqlite:///pingyi.db``.
Private keys are files encrypted at rest; the passphrase comes from
``PINGYI_KEY_PASSPHRASE`` or a prompt.
"""

from __future__ import annotations

import base64
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from ledger import canonical
from ledger.entry import Submission
from ledger.errors import LedgerError
from ledger.keys import Signer, key_id
from ledger.store import STORE_ENV, store_url
from ledger.store.app import Ledger
from pingyi import render
from pingyi.audit import verify_store
from pingyi.conduct_cli import register as register_conduct
from pingyi.diff import diff_command
from pingyi.export import export_command
from pingyi.keyfiles import load_log_signer, load_signer, passphrase
from pingyi.project import project_command
from pingyi.publish import publish_command
from pingyi.receipt_cli import receipt_app
from pingyi.replay import explain_command, replay_command
from pingyi.rulebook_cli import adoption_payload, read, rulebook_app
from projections.policy import default_policies

app = typer.Typer(
    help="评议 pingyi — signed, append-only scoring ledger for public evaluations.",
    no_args_is_help=True,
    add_completion=False,
)
key_app = typer.Typer(
    help="Register, re-role, rotate and revoke keys (signed entries).", no_args_is_help=True
)
app.add_typer(key_app, name="key")
app.add_typer(rulebook_app, name="rulebook")
app.command("replay")(replay_command)
app.command("explain")(explain_command)
register_conduct(app)
app.command("project")(project_command)
app.command("publish")(publish_command)
app.command("export")(export_command)
app.command("diff")(diff_command)
app.add_typer(receipt_app, name="receipt")

StoreOpt = Annotated[
    str | None,
    typer.Option(
        "--store",
        envvar=STORE_ENV,
        help="Store URL: sqlite:///file.db or postgresql://user@host/db",
    ),
]
SignerOpt = Annotated[Path, typer.Option("--signer", help="Your encrypted private key file")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable JSON output")]


def fail(message: str, code: int = 2) -> None:
    render.errors.print(f"[bold red]error:[/] {message}")
    raise typer.Exit(code)


def _append(
    store: str | None, signer_path: Path, type_: str, payload: dict[str, Any], as_json: bool
) -> None:
    signer = load_signer(signer_path)
    try:
        with Ledger.open(store_url(store), policies=default_policies()) as ledger:
            submission = Submission.new(
                signer, log=ledger.origin, type=type_, payload=payload, time=datetime.now(UTC)
            )
            receipt = ledger.append([submission])[0]
    except LedgerError as exc:
        fail(str(exc))
    result = {
        "index": receipt.index,
        "entry_hash": receipt.entry_hash,
        "duplicate": receipt.duplicate,
    }
    if as_json:
        render.print_json(result)
    else:
        render.console.print(
            f"已记录 recorded {type_} as entry {receipt.index} ({receipt.entry_hash[:16]}…)"
        )


@app.command()
def keygen(
    name: Annotated[str, typer.Argument(help="File name for the key, e.g. supervisor-07")],
    directory: Annotated[
        Path, typer.Option("--dir", help="Where to write NAME.key and NAME.pub")
    ] = Path("keys"),
) -> None:
    """Generate an Ed25519 key; the private key is written encrypted with your passphrase."""
    signer = Signer.generate()
    try:
        signer.save(directory / f"{name}.key", passphrase(confirm=True))
    except (LedgerError, FileExistsError) as exc:
        fail(f"{exc}")
    render.console.print(
        f"key id {signer.key_id}\npublic key {signer.public_b64}\nwritten {directory / name}.key (encrypted), .pub"
    )


@app.command()
def init(
    origin: Annotated[str, typer.Option(help="The log's origin, e.g. pingyi.county.gov.cn/2026")],
    deployment: Annotated[str, typer.Option(help="Human name of the deployment")],
    root_key: Annotated[Path, typer.Option(help="The office root key file")],
    log_key: Annotated[Path, typer.Option(help="The log's checkpoint key file")],
    store: StoreOpt = None,
) -> None:
    """Create a log: its genesis entry names the office root key and the checkpoint key."""
    try:
        ledger = Ledger.create(
            store_url(store),
            origin,
            deployment=deployment,
            root=load_signer(root_key),
            log_signer=load_log_signer(log_key, origin),
        )
    except LedgerError as exc:
        fail(str(exc))
    render.console.print(f"创建 created log {origin!r}; verifier key: {ledger.state.log_key}")
    ledger.close()


def _public_key(value: str) -> str:
    path = Path(value)
    text = path.read_text().strip() if path.exists() else value
    try:
        key_id(base64.b64decode(text, validate=True))
    except (ValueError, LedgerError):
        fail(f"{value!r} is neither a .pub file nor a base64 Ed25519 public key")
    return text


@key_app.command("register")
def key_register(
    public_key: Annotated[str, typer.Argument(help="NAME.pub file or base64 public key")],
    holder: Annotated[
        str, typer.Option(help="Role label such as 'supervisor 07' (no personal data)")
    ],
    role: Annotated[list[str], typer.Option(help="Role to grant (repeat for several)")],
    signer: SignerOpt,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Register a key with roles (signed by root or a registrar)."""
    _append(
        store,
        signer,
        "key.register",
        {"key": _public_key(public_key), "holder": holder, "roles": role},
        as_json,
    )


@key_app.command("revoke")
def key_revoke(
    key: Annotated[str, typer.Argument(help="Key id to revoke")],
    reason: Annotated[str, typer.Option(help="Why")],
    signer: SignerOpt,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Revoke a key: entries it signs from now on are rejected."""
    _append(store, signer, "key.revoke", {"key_id": key, "reason": reason}, as_json)


@key_app.command("rotate")
def key_rotate(
    key: Annotated[str, typer.Argument(help="Key id being replaced")],
    new_key: Annotated[str, typer.Option(help="NAME.pub file or base64 public key of the new key")],
    reason: Annotated[str, typer.Option(help="Why")],
    signer: SignerOpt,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Replace a key by a new one with the same holder and roles (signed by the old key or a registrar)."""
    _append(
        store,
        signer,
        "key.rotate",
        {"key_id": key, "new_key": _public_key(new_key), "reason": reason},
        as_json,
    )


@key_app.command("roles")
def key_roles(
    key: Annotated[str, typer.Argument(help="Key id")],
    role: Annotated[list[str], typer.Option(help="The key's new roles (repeat)")],
    reason: Annotated[str, typer.Option(help="Why")],
    signer: SignerOpt,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Change a key's roles."""
    _append(store, signer, "key.roles", {"key_id": key, "roles": role, "reason": reason}, as_json)


@rulebook_app.command("adopt")
def rulebook_adopt(
    campaign: Annotated[str, typer.Argument(help="Campaign code")],
    signer: SignerOpt,
    source: Annotated[Path | None, typer.Argument(help="Rulebook file (YAML or JSON)")] = None,
    preset: Annotated[str | None, typer.Option(help="A seed preset instead of a file")] = None,
    reason: Annotated[str, typer.Option(help="Why this rulebook")] = "adopted for the campaign",
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Adopt a rulebook into a campaign (before it opens) by a signed entry."""
    _append(
        store,
        signer,
        "rulebook.adopt",
        adoption_payload(campaign, read(source, preset), reason),
        as_json,
    )


@app.command()
def sign(
    entry_type: Annotated[
        str, typer.Argument(metavar="TYPE", help="Entry type, e.g. finding.record")
    ],
    payload: Annotated[str, typer.Option(help="Payload JSON, or @file.json")],
    signer: SignerOpt,
    log: Annotated[str, typer.Option(help="The log's origin")],
    prev: Annotated[str | None, typer.Option(help="Pin the entry after this head hash")] = None,
) -> None:
    """Sign a statement offline and print the submission (JSON) for `pingyi submit` or the API."""
    text = Path(payload[1:]).read_bytes() if payload.startswith("@") else payload.encode()
    try:
        body = canonical.parse_json(text, "payload")
        key = load_signer(signer)
        submission = Submission.new(
            key, log=log, type=entry_type, payload=body, time=datetime.now(UTC), prev=prev
        )
    except LedgerError as exc:
        fail(str(exc))
    print(canonical.canonical(submission.to_value()).decode())


@app.command()
def submit(
    source: Annotated[
        Path, typer.Argument(help="File with one submission per line (NDJSON), or - for stdin")
    ],
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Append signed submissions (all or none) to the store."""
    data = sys.stdin.buffer.read() if str(source) == "-" else source.read_bytes()
    try:
        subs = [Submission.from_json(line) for line in data.splitlines() if line.strip()]
        with Ledger.open(store_url(store), policies=default_policies()) as ledger:
            receipts = ledger.append(subs)
    except LedgerError as exc:
        fail(str(exc))
    if as_json:
        render.print_json([r.__dict__ for r in receipts])
    else:
        for r in receipts:
            note = " (already recorded)" if r.duplicate else ""
            render.console.print(f"entry {r.index} {r.entry_hash[:16]}…{note}")


@app.command()
def checkpoint(
    log_key: Annotated[Path, typer.Option(help="The log's checkpoint key file")],
    store: StoreOpt = None,
) -> None:
    """Sign and store a checkpoint at the current size; print it (C2SP signed note)."""
    try:
        with Ledger.open(store_url(store)) as probe:
            origin = probe.origin
        with Ledger.open(store_url(store), log_signer=load_log_signer(log_key, origin)) as ledger:
            print(ledger.checkpoint().note, end="")
    except LedgerError as exc:
        fail(str(exc))


@app.command("log")
def show_log(
    store: StoreOpt = None,
    after: Annotated[int, typer.Option(help="Show entries after this index")] = -1,
    limit: Annotated[int, typer.Option(help="At most this many")] = 50,
    as_json: JsonOpt = False,
) -> None:
    """List entries."""
    try:
        with Ledger.open(store_url(store)) as ledger:
            entries = []
            for entry in ledger.entries(after):
                entries.append(entry)
                if len(entries) >= limit:
                    break
    except LedgerError as exc:
        fail(str(exc))
    if as_json:
        render.print_json(
            [
                {
                    "index": e.index,
                    "prev": e.prev,
                    "hash": e.hash,
                    "statement": e.statement,
                    "signature": e.signature,
                }
                for e in entries
            ]
        )
    else:
        render.console.print(render.entries_table(entries, f"日志 Log {ledger.origin}"))


@app.command()
def verify(
    bundle: Annotated[
        Path | None,
        typer.Argument(help="A bundle (directory, .zip or .tar.gz) to verify offline"),
    ] = None,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
    workers: Annotated[
        int | None, typer.Option(help="Processes for signature checks (default: all cores)")
    ] = None,
    url: Annotated[
        str | None, typer.Option("--url", help="Watch a running pingyi server instead")
    ] = None,
    state: Annotated[
        Path | None,
        typer.Option("--state", help="With --url: file remembering the last checkpoint"),
    ] = None,
    vkey: Annotated[
        str | None,
        typer.Option("--vkey", help="Trusted log verifier key (C2SP vkey, or a file holding it)"),
    ] = None,
    also: Annotated[
        list[Path] | None,
        typer.Option(
            "--also",
            help="With --url: another view to compare with the server's newest checkpoint "
            "(another watcher's state file, a signed checkpoint or a tlog-proof); repeatable",
        ),
    ] = None,
) -> None:
    """Verify a store end to end: signatures, roles, chain, Merkle roots, checkpoints.

    With BUNDLE: verify an exported bundle offline, recomputing every publication.
    With --url: fetch checkpoints and consistency proofs from a server, remembered in --state,
    and compare other views given with --also.
    Exits 0 only when every check passes; otherwise names the first failure (with --url,
    3 when the server could not be reached).
    """
    if bundle is not None or url is not None:
        from pingyi.verify_cli import read_vkey, run_bundle
        from pingyi.watch import run as run_url

        trusted = read_vkey(vkey)
        if bundle is not None:
            raise typer.Exit(run_bundle(bundle, vkey=trusted, as_json=as_json, workers=workers))
        assert url is not None
        raise typer.Exit(run_url(url, state=state, vkey=trusted, as_json=as_json, also=also or []))
    with render.counting("核验 verifying", quiet=as_json) as bar:
        task = bar.add_task("verify", total=None)
        try:
            report = verify_store(
                store_url(store),
                policies=default_policies,
                workers=workers,
                progress=lambda n: bar.update(task, completed=n),
            )
        except LedgerError as exc:
            fail(str(exc))
    if as_json:
        render.print_json(report.to_json())
    else:
        render.console.print(render.report_table(report))
    if not report.ok:
        raise typer.Exit(1)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port")] = 8080,
    workers: Annotated[
        int, typer.Option(help="Worker processes (use several only on PostgreSQL)")
    ] = 1,
    store: StoreOpt = None,
    log_key: Annotated[
        Path | None, typer.Option("--log-key", envvar="PINGYI_LOG_KEY", help="Checkpoint key file")
    ] = None,
) -> None:
    """Serve the HTTP API with uvicorn (store from --store / PINGYI_STORE)."""
    import os

    import uvicorn

    url = store_url(store)
    if workers > 1 and url.startswith("sqlite"):
        fail("several workers need PostgreSQL: SQLite allows one writer process")
    os.environ["PINGYI_STORE"] = url
    if log_key is not None:
        os.environ["PINGYI_LOG_KEY"] = str(log_key)
    uvicorn.run(
        "api.app:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
    )


@app.command()
def demo(
    out: Annotated[
        Path, typer.Option(help="Directory for the demo's store, keys and outputs")
    ] = Path("pingyi-demo"),
    scheme: Annotated[
        str, typer.Option(help="Which seed scheme's campaign to run: 000 (default) … 004")
    ] = "000",
    seed: Annotated[int, typer.Option(help="Seed of the simulated ratings and draws")] = 2026,
) -> None:
    """Run a whole campaign on embedded SQLite: publish, export, verify offline, catch tampering."""
    from pingyi.demo import run

    raise typer.Exit(run(out, scheme=scheme, seed=seed))


def main() -> None:
    app()
