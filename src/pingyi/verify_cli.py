"""`pingyi verify BUNDLE` and `pingyi verify --url URL`: reports for people and for machines.

``pingyi verify`` with no argument verifies the store (``pingyi.audit``); with a
path it verifies a bundle offline (:mod:`verifier.bundle`); with ``--url`` it
watches a running server (:mod:`pingyi.watch`). Exit status: 0 only when every
check passed, 1 when a check failed, 2 when the command could not run, and with
``--url`` 3 when the server could not be reached or answered with an HTTP error.
"""

from __future__ import annotations

from pathlib import Path

from rich.markup import escape
from rich.table import Table

from pingyi import render
from verifier.bundle import BundleResult, verify_bundle
from verifier.bundle_files import BundleFiles
from verifier.bundle_format import BundleError
from verifier.report import Report

#: Every check a bundle verification makes: (check name in failures, count key, label).
CHECKS: tuple[tuple[str, str | None, str], ...] = (
    ("format", None, "格式版本 format version"),
    ("manifest", "manifest", "清单 manifest (bundle.json)"),
    ("files", None, "文件 files"),
    ("log key", None, "日志公钥 log verifier key"),
    ("entries", "entries", "条目 entries"),
    ("encoding", None, "规范编码 canonical encoding"),
    ("index", None, "序号 indices"),
    ("chain", "chain links", "哈希链 hash-chain links"),
    ("statement", None, "条目格式 statements"),
    ("genesis", None, "创世条目 genesis"),
    ("authority", "roles", "角色授权 roles"),
    ("policy", None, "规则检查 campaign rules (incl. draws)"),
    ("signature", "signatures", "签名 signatures"),
    ("checkpoint", "checkpoints", "检查点签名与根 checkpoints"),
    ("consistency", "consistency proofs", "一致性证明（重算）consistency (recomputed)"),
    ("consistency file", "consistency proof files", "一致性证明文件 consistency proof files"),
    ("campaign", None, "活动 campaign"),
    ("rulebook", "rulebook documents", "规则文件 rulebook documents"),
    ("recount", None, "重放 replay"),
    ("publication", "rankings recomputed", "公示排名重算 rankings recomputed"),
    ("publication files", None, "公示文件 publication files"),
    ("inclusion proof", "inclusion proofs", "包含证明 inclusion proofs"),
    ("internal", None, "核验程序 verifier"),
)


def read_vkey(value: str | None) -> str | None:
    """A C2SP vkey given as the string itself or as a file holding it."""
    if value is None:
        return None
    path = Path(value)
    if "+" not in value and path.is_file():
        return path.read_text(encoding="utf-8").strip()
    return value.strip()


def bundle_table(result: BundleResult) -> Table:
    report = result.report
    verdict = "[bold green]通过 PASS[/]" if report.ok else "[bold red]未通过 FAIL[/]"
    table = Table(title=f"核验报告 Bundle verification — {escape(report.subject)}")
    table.add_column("检查项 Check")
    table.add_column("数量 Count", justify="right")
    table.add_column("结果 Result")
    failed: dict[str, int] = {}
    for failure in report.failures:
        failed[failure.check] = failed.get(failure.check, 0) + 1
    known = {name for name, _, _ in CHECKS}
    for name, count_key, label in CHECKS:
        count = report.counts.get(count_key) if count_key else None
        if name in failed:
            status = f"[red]未通过 FAIL ({failed[name]})[/]"
        elif count is not None:
            status = "[green]通过 pass[/]"
        else:
            continue
        table.add_row(label, "" if count is None else f"{count:,}", status)
    for name, n in sorted(failed.items()):
        if name not in known:
            table.add_row(escape(name), "", f"[red]未通过 FAIL ({n})[/]")
    if "publications" in report.counts:
        table.add_row("公示 publications", f"{report.counts['publications']:,}", "")
    table.add_row("结论 Verdict", "", verdict)
    lines = []
    if result.trusted_key:
        lines.append(f"信任的日志公钥 trusted log key ({result.key_source}): {result.trusted_key}")
    first = report.first_failure
    if first is not None:
        more = len(report.failures) - 1 + report.truncated_failures
        lines.append(f"首个问题 First failure: {first}" + (f"  (+{more} more)" if more else ""))
    table.caption = escape("\n".join(lines))
    return table


def publications_table(result: BundleResult) -> Table | None:
    if not result.publications:
        return None
    table = Table(title="公示 Publications")
    for column in ("条目 Entry", "检查点 Size", "摘要 Digest", "更正 Replaces", "结果 Result"):
        table.add_column(column)
    for p in result.publications:
        replaces = f"{p.replaces} ({p.reason})" if p.replaces else ""
        status = "[green]通过 pass[/]" if p.ok else "[red]未通过 FAIL[/]"
        table.add_row(f"#{p.index} {p.entry}", str(p.size), p.digest, escape(replaces), status)
    return table


def run_bundle(path: Path, *, vkey: str | None, as_json: bool, workers: int | None) -> int:
    try:
        files = BundleFiles.open(path)
    except BundleError as exc:
        report = Report(subject=str(path))
        report.fail("?", None, exc.check, str(exc))
        result = BundleResult(report)
    except Exception as exc:  # never a traceback, never a pass
        report = Report(subject=str(path))
        report.fail(
            "?",
            None,
            "internal",
            f"opening the bundle stopped on an unexpected {type(exc).__name__}: {exc}; "
            "the bundle is NOT verified (please report this)",
        )
        result = BundleResult(report)
    else:
        with files, render.counting("核验 verifying", quiet=as_json) as bar:
            task = bar.add_task("verify", total=None)
            result = verify_bundle(
                files,
                log_key=vkey,
                workers=workers,
                progress=lambda n: bar.update(task, completed=n),
            )
    if as_json:
        render.print_json(result.to_json())
    else:
        render.console.print(bundle_table(result))
        publications = publications_table(result)
        if publications is not None:
            render.console.print(publications)
    return 0 if result.report.ok else 1


__all__ = ["CHECKS", "bundle_table", "read_vkey", "run_bundle"]
