"""`pingyi demo`: a whole ledger scenario on embedded SQLite, verified, then tampered and caught.

The office creates a log, registers its staff and supervisors, adopts the
seed-003 rulebook and opens a campaign; supervisors record findings; one supervisor's key is revoked and a
late finding it signs is refused; another rotates to a new key; checkpoints are
signed along the way; the store is verified; a copy of it is then edited as a
database administrator could, and verification names the changed entry.
"""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from rich.markup import escape
from rich.panel import Panel
from rich.progress import Progress
from rich.table import Table

from ledger.entry import Submission
from ledger.errors import LedgerError
from ledger.keys import PASSPHRASE_ENV, Signer
from ledger.note import NoteSigner, format_tlog_proof
from ledger.store.app import Ledger
from pingyi import render
from pingyi.audit import verify_store
from pingyi.rulebook_cli import adoption_payload
from projections.policy import default_policies
from projections.presets import load_preset
from projections.render import ranking_text, ranking_to_json
from projections.replay import replay

ORIGIN = "demo.pingyi.example/county-2026"
DEMO_PASSPHRASE = "demo passphrase - not for real keys"  # noqa: S105
PRESET = "003"  # the seed whose supervision component deducts per finding


def _key(out: Path, name: str) -> Signer:
    signer = Signer.generate()
    signer.save(
        out / "keys" / f"{name}.key", os.environ.get(PASSPHRASE_ENV, DEMO_PASSPHRASE).encode()
    )
    return signer


def run(out: Path, *, findings: int = 600, seed: int = 2026) -> int:
    console = render.console
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    rng = random.Random(seed)
    url = f"sqlite:///{out / 'demo.db'}"
    console.print(
        Panel.fit(f"评议 pingyi demo — store {url}\nkeys are encrypted under {out / 'keys'}")
    )

    root, log_key, office = _key(out, "office-root"), _key(out, "log"), _key(out, "office")
    supervisors = [_key(out, f"supervisor-{n:02d}") for n in range(1, 7)]
    log_signer = NoteSigner(ORIGIN, log_key.private_key)
    Ledger.create(
        url, ORIGIN, deployment="Demo county 2026", root=root, log_signer=log_signer
    ).close()
    ledger = Ledger.open(url, log_signer=log_signer, policies=default_policies())
    rulebook = load_preset(PRESET)
    units = [u.code for u in rulebook.units]

    def sign(signer: Signer, type_: str, payload: dict[str, object]) -> Submission:
        return Submission.new(
            signer, log=ORIGIN, type=type_, payload=payload, time=datetime.now(UTC)
        )

    ledger.append(
        [
            sign(
                root,
                "key.register",
                {
                    "key": office.public_b64,
                    "holder": "优化办 office staff 1",
                    "roles": ["registrar", "office"],
                },
            )
        ]
    )
    ledger.append(
        [
            sign(
                office,
                "key.register",
                {
                    "key": s.public_b64,
                    "holder": f"监督员 supervisor {n:02d}",
                    "roles": ["supervisor"],
                },
            )
            for n, s in enumerate(supervisors, 1)
        ]
    )
    ledger.append(
        [
            sign(
                office,
                "rulebook.adopt",
                adoption_payload("c2026", rulebook, f"seed {PRESET} preset"),
            ),
            sign(
                office,
                "campaign.open",
                {"campaign": "c2026", "title": "2026年度公开测评 public evaluation"},
            ),
        ]
    )

    revoked_at = findings // 2
    rotated = Signer.generate()
    with Progress(console=console, transient=True) as bar:
        task = bar.add_task("监督员记录问题 supervisors record findings", total=findings)
        for n in range(findings):
            who = rng.randrange(len(supervisors))
            if n == revoked_at:
                ledger.append(
                    [
                        sign(
                            office,
                            "key.revoke",
                            {"key_id": supervisors[0].key_id, "reason": "调离 transferred"},
                        )
                    ]
                )
                ledger.append(
                    [
                        sign(
                            supervisors[1],
                            "key.rotate",
                            {
                                "key_id": supervisors[1].key_id,
                                "new_key": rotated.public_b64,
                                "reason": "new device",
                            },
                        )
                    ]
                )
                supervisors[1] = rotated
            if n >= revoked_at and who == 0:
                who = 2
            payload = {
                "campaign": "c2026",
                "unit": rng.choice(units),
                "rule": "joint_supervision",
                "level": rng.choice(["bureau", "county"]),
                "serious": rng.random() < 0.1,
                "summary": f"第{n + 1}号 finding {n + 1}: 窗口服务问题 service-window problem",
            }
            ledger.append([sign(supervisors[who], "finding.record", payload)])
            if n % 200 == 199:
                ledger.checkpoint()
            bar.advance(task)
    late = sign(
        supervisors[0],
        "finding.record",
        {
            "campaign": "c2026",
            "unit": units[0],
            "rule": "joint_supervision",
            "level": "bureau",
            "serious": False,
            "summary": "late",
        },
    )
    try:
        ledger.append([late])
        console.print("[red]a revoked key was accepted: this is a bug[/]")
        return 1
    except LedgerError as exc:
        console.print("拒绝 refused as expected: " + escape(str(exc)))
    final = ledger.checkpoint()
    console.print(
        Panel(final.note.rstrip(), title=f"签名检查点 signed checkpoint (size {final.size})")
    )
    proof = format_tlog_proof(10, ledger.inclusion_proof(10, final.size), final.note)
    (out / "entry-10.tlog-proof").write_text(proof)
    console.print(
        f"收据 inclusion proof of entry 10 (c2sp.org/tlog-proof): {out / 'entry-10.tlog-proof'}"
    )
    state = replay(ledger.entries(), "c2026")
    console.print(
        f"重放 replayed campaign c2026 at log position {state.position}, rulebook {state.hash[:23]}…"
    )
    result = state.result()
    (out / "ranking.txt").write_text(ranking_text(result))
    (out / "ranking.json").write_bytes(ranking_to_json(result))
    ranked = sorted(
        (u for u in result.units if u.rank is not None), key=lambda u: (u.rank or 0, u.code)
    )
    table = Table(title="排名（前五与后五）Ranking, first and last five")
    for column in ("排名 Rank", "单位 Unit", "总分 Total", "结果 Bands"):
        table.add_column(column)
    for unit in ranked[:5] + ranked[-5:]:
        table.add_row(
            f"{unit.rank}{'=' if unit.tied else ''}",
            f"{unit.code} {unit.zh}",
            str(unit.total),
            ", ".join(unit.bands),
        )
    console.print(table)
    console.print(
        f"全表 full table: {out / 'ranking.txt'}; JSON (RFC 8785): {out / 'ranking.json'}"
    )
    ledger.close()

    report = verify_store(url, policies=default_policies)
    console.print(render.report_table(report))
    if not report.ok:
        return 1

    tampered = out / "tampered.db"
    shutil.copy(out / "demo.db", tampered)
    with sqlite3.connect(tampered) as conn:
        conn.execute("DROP TRIGGER stored_events_no_update")
        (state,) = conn.execute(
            "SELECT state FROM stored_events WHERE originator_version = 100"
        ).fetchone()
        conn.execute(
            "UPDATE stored_events SET state = ? WHERE originator_version = 100",
            (bytes(state).replace(b"finding", b"fincing", 1),),
        )
    bad = verify_store(f"sqlite:///{tampered}", policies=default_policies)
    console.print(
        Panel(
            "一名管理员改动了第100条中的一个字节 an administrator changed one byte of entry 100 in a copy:\n"
            + escape(str(bad.first_failure)),
            title="篡改被发现 tampering caught" if not bad.ok else "NOT CAUGHT",
        )
    )
    return 0 if not bad.ok else 1
