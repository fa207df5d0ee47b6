"""`pingyi demo`: a whole campaign on embedded SQLite, published, exported, verified, tampered.

Seed 000 by default (``--scheme 001``…``004`` for the others): the office
registers its staff, adopts the rulebook and opens the campaign, enrols the
800-person pool and freezes it, commits to and reveals the two draws (the 5+5
review panel, the 250-person assembly), the review panel votes with one-time
credentials, clerks transcribe the assembly's paper ballots and supervisors
countersign them, supervisors record findings with evidence, a unit's bonus
claim is approved, an appeal is ruled on, and the campaign closes. The office
then publishes the signed ranking (entry + tlog-proof, JSON, printable page),
exports the bundle, and the bundle is verified offline; finally one byte of a
copy of the bundle is changed and verification names the entry.
"""

from __future__ import annotations

import os
import random
import shutil
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.markup import escape
from rich.panel import Panel
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from ledger.keys import PASSPHRASE_ENV, Signer
from ledger.note import NoteSigner
from ledger.store.app import Ledger
from pingyi import render
from pingyi.export import export_store
from pingyi.publish import publish_in, write_publication
from pingyi.scenario import LEVELS, Seed000, Staff, supplemented_rulebook
from pingyi.schemes import SCHEMES as OTHER_SCHEMES
from pingyi.verify_cli import bundle_table
from projections.policy import default_policies
from projections.render import ranking_text
from projections.replay import replay
from vault.evidence import EvidenceStore
from vault.people import open_people_store
from verifier.bundle import verify_bundle
from verifier.bundle_files import BundleFiles

ORIGIN = "demo.pingyi.example/county-2026"
DEMO_PASSPHRASE = "demo passphrase - not for real keys"  # noqa: S105
SCHEMES: dict[str, Any] = {"000": Seed000, **OTHER_SCHEMES}


def realistic(rng: random.Random, units: list[str]) -> Callable[[str, int, str], str]:
    """Ratings with realistic spreads: each unit has a quality, each ballot some noise."""
    quality = {u: rng.betavariate(5, 2) for u in units}

    def rate(component: str, voter: int, unit: str) -> str:
        if rng.random() < 0.04:
            return "dont_know"
        x = quality[unit] + rng.gauss(0, 0.18)
        return LEVELS[0 if x > 0.8 else 1 if x > 0.55 else 2 if x > 0.3 else 3]

    return rate


def _save_keys(out: Path, staff: Staff, log_key: Signer) -> None:
    secret = os.environ.get(PASSPHRASE_ENV, DEMO_PASSPHRASE).encode()
    named = {"office-root": staff.root, "log": log_key, "office": staff.office}
    named |= {f"clerk-{n}": k for n, k in enumerate(staff.clerks, 1)}
    named |= {f"supervisor-{n:02d}": k for n, k in enumerate(staff.supervisors, 1)}
    named |= {"inspector": staff.inspector, "unit-rep": staff.unit_rep}
    for name, key in named.items():
        key.save(out / "keys" / f"{name}.key", secret)


def _tamper(bundle: Path, copy: Path) -> int:
    """Change one byte of one entry in a copy of the bundle; return the entry's index."""
    shutil.copytree(bundle, copy)
    entries = copy / "entries.ndjson"
    lines = entries.read_bytes().split(b"\n")
    victim = len([line for line in lines if line]) // 2
    # back-date one entry by a century: what someone hiding a late entry might try
    lines[victim] = lines[victim].replace(b'"time":"20', b'"time":"19', 1)
    entries.write_bytes(b"\n".join(lines))
    return victim


def run(out: Path, *, scheme: str = "000", seed: int = 2026) -> int:
    console = render.console
    started = time.monotonic()
    if scheme not in SCHEMES:
        render.errors.print(
            f"[bold red]error:[/] unknown scheme {scheme!r}; use one of {', '.join(SCHEMES)}"
        )
        return 2
    if out.exists():
        shutil.rmtree(out)
    (out / "keys").mkdir(parents=True)
    rng = random.Random(seed)
    url = f"sqlite:///{out / 'pingyi.db'}"
    console.print(
        Panel.fit(
            f"评议 pingyi demo — seed {scheme}\nstore {url}\nkeys (encrypted) {out / 'keys'}",
            title="演示 demo",
        )
    )
    staff = Staff.generate(os.urandom)
    log_key = Signer.generate()
    _save_keys(out, staff, log_key)
    log_signer = NoteSigner(ORIGIN, log_key.private_key)
    Ledger.create(
        url, ORIGIN, deployment="Demo county 2026", root=staff.root, log_signer=log_signer
    ).close()
    ledger = Ledger.open(url, log_signer=log_signer, policies=default_policies())
    people = open_people_store(f"sqlite:///{out / 'private.db'}")
    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("campaign", total=None)

        def step(name: str) -> None:
            progress.console.print(f"  [green]✓[/] {name}")
            progress.update(task, description=name)

        campaign_class = SCHEMES[scheme]
        kwargs: dict[str, Any] = {
            "rng": rng,
            "clock": lambda: datetime.now(UTC),
            "people": people,
            "evidence": EvidenceStore(out / "evidence"),
            "step": step,
        }
        if scheme == "000":
            kwargs["rate"] = realistic(rng, [u.code for u in supplemented_rulebook().units])
        running = campaign_class(ledger, staff, **kwargs)
        running.run()
        campaign = running_campaign(running)

        progress.update(task, description="publishing 发布")
        published = publish_in(ledger, campaign, staff.office)
        files = write_publication(published, out / "publication")
        step(f"ranking published as entry {published.entry.index} 排名已签名发布")
        size = ledger.size
        ledger.close()
        people.close()

        progress.update(task, description="exporting 导出")
        export_store(url, campaign, out / "bundle")
        step("bundle exported 导出核验包")
        progress.update(task, description="verifying 核验")
        result = verify_bundle(BundleFiles.open(out / "bundle"))
        step("bundle verified offline 离线核验")
        victim = _tamper(out / "bundle", out / "bundle-tampered")
        tampered = verify_bundle(BundleFiles.open(out / "bundle-tampered"))

    state = replay(Ledger.open(url).entries(-1), campaign)
    text = ranking_text(state.result())
    (out / "ranking.txt").write_text(text, encoding="utf-8")
    print(text)
    console.print(bundle_table(result))
    first = tampered.report.first_failure
    console.print(
        Panel.fit(
            f"篡改演示 tamper demo: entry {victim} of a copy back-dated ({out / 'bundle-tampered'})\n"
            f"verdict: {'[red]FAIL[/]' if not tampered.report.ok else '[green]PASS (!)[/]'} — "
            f"{escape(str(first))}",
        )
    )
    where = Table(title="文件 Where things are", show_header=False)
    for label, path in (
        ("printable page 公示页", files["page"]),
        ("publication JSON 公示数据", files["document"]),
        ("receipt (tlog-proof) 收据", files["proof"]),
        ("bundle 核验包", out / "bundle"),
        ("ranking text 排名表", out / "ranking.txt"),
        ("log store 日志库", out / "pingyi.db"),
    ):
        where.add_row(label, str(path))
    console.print(where)
    console.print(
        f"{size:,} entries · {time.monotonic() - started:.1f} s · verify again with: "
        f"pingyi verify {out / 'bundle'}"
    )
    return 0 if result.report.ok and not tampered.report.ok else 1


def running_campaign(running: Any) -> str:
    """The campaign code of a running scheme (class or module constant ``CAMPAIGN``)."""
    code = getattr(running, "CAMPAIGN", None) or getattr(running, "campaign", None)
    if code is None:
        from pingyi.scenario import CAMPAIGN

        code = CAMPAIGN
    return str(code)
