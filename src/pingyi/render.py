"""Tables for people (Chinese and English labels) and JSON for machines."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from ledger.entry import Entry
from verifier.report import Report

console = Console()
errors = Console(stderr=True)


def counting(label: str, *, quiet: bool = False) -> Progress:
    """A transient count of entries on stderr, labelled in Chinese and English (long work)."""
    return Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        console=errors,
        transient=True,
        disable=quiet,
    )


def print_json(value: Any) -> None:
    print(json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True))


def report_table(report: Report) -> Table:
    verdict = "[bold green]通过 PASS[/]" if report.ok else "[bold red]未通过 FAIL[/]"
    table = Table(title=f"核验报告 Verification report — {report.subject}", show_lines=False)
    table.add_column("检查项 Check")
    table.add_column("数量 Count", justify="right")
    labels = {
        "logs": "日志 logs",
        "entries": "条目 entries",
        "chain links": "哈希链 chain links",
        "roles": "角色授权 roles",
        "signatures": "签名 signatures",
        "checkpoints": "检查点 checkpoints",
        "consistency proofs": "一致性证明 consistency proofs",
    }
    for key, label in labels.items():
        if key in report.counts:
            table.add_row(label, f"{report.counts[key]:,}")
    for key, count in sorted(report.counts.items()):
        if key not in labels:
            table.add_row(key, f"{count:,}")
    table.add_row("结论 Verdict", verdict)
    if report.failures:
        table.caption = escape(f"首个问题 First failure: {report.first_failure}")
        if len(report.failures) > 1:
            table.caption += f"  (+{len(report.failures) - 1 + report.truncated_failures} more)"
    return table


def entries_table(entries: Iterable[Entry], title: str) -> Table:
    table = Table(title=title)
    for column in ("序号 Index", "类型 Type", "签名者 Signer", "时间 Time", "条目哈希 Entry hash"):
        table.add_column(column)
    for entry in entries:
        table.add_row(
            str(entry.index),
            entry.type,
            entry.signer[:12] + "…",
            str(entry.statement["time"]),
            entry.hash[:16] + "…",
        )
    return table
