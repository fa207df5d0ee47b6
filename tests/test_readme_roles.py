"""The README's walkthrough by role, run exactly as written (bash), on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import os
import re
import subprocess
import sys
from pathlib import Path

from ledger.store.app import Ledger
from tests.support import schema_errors

README = Path(__file__).resolve().parents[1] / "README.md"


def walkthrough() -> str:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Walkthrough by role", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, flags=re.S)
    assert len(blocks) >= 5, "the walkthrough lost its per-role blocks"
    return "\n".join(blocks)


def test_every_role_as_the_readme_says(store_url: str, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "PINGYI_STORE": store_url,
        "PINGYI_PRIVATE_STORE": f"sqlite:///{tmp_path / 'private.db'}",
        "COLUMNS": "200",
    }
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", walkthrough()],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    out = done.stdout
    assert "通过 PASS" in out  # the outside verifier's verdict
    assert "re-run matches the log" in out  # the draw, re-run by anyone
    assert "partly_upheld" in out or "部分" in out  # the ruling shows in the explanation
    receipt = (tmp_path / "voter" / "my-ballot.tlog-proof").read_text()
    assert receipt.startswith("c2sp.org/tlog-proof@v1\nextra ")
    carried = base64.b64decode(receipt.splitlines()[1].removeprefix("extra "))
    assert b'"type":"ballot.cast"' in carried  # the voter's own ballot, checked offline above
    with Ledger.open(store_url) as ledger:
        types = [e.type for e in ledger.entries(-1)]
        for entry in ledger.entries(-1):  # a standard JSON Schema validator agrees
            assert schema_errors(entry.statement) == [], (entry.index, entry.type)
    for wanted in (
        "pool.enroll",
        "pool.freeze",
        "draw.commit",
        "draw.reveal",
        "credential.issue",
        "ballot.cast",
        "ballot.batch",
        "ballot.countersign",
        "finding.record",
        "item.claim",
        "item.count",
        "appeal.file",
        "appeal.rule",
        "campaign.close",
    ):
        assert wanted in types, wanted
    # personal data stayed in the private store
    with Ledger.open(store_url) as ledger:
        raw = b"".join(ledger.raw_entries(-1))
    assert "测试甲".encode() not in raw and b"10000000001" not in raw
    assert (tmp_path / "evidence").is_dir()
