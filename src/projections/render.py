"""Readable output: ranking tables and explanations as text (Chinese + English) and JSON.

JSON output is RFC 8785 canonical JSON: keys sorted, no insignificant
whitespace, every score and point value a decimal string (ranks and log
positions are integers), so identical inputs give byte-identical output.
"""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import rfc8785
from rich import box
from rich.console import Console
from rich.table import Table

from projections.decimals import dec_str, fixed_str
from projections.explain import Amount, ExplainedLine, Explanation
from projections.result import CampaignResult, Forfeit, UnitResult

RANKING_FORMAT = "pingyi.ranking/1"
EXPLANATION_FORMAT = "pingyi.explanation/1"


def _num(value: Decimal | None) -> str | None:
    return None if value is None else fixed_str(value)


def _forfeit(forfeit: Forfeit | None) -> dict[str, Any] | None:
    if forfeit is None:
        return None
    return {
        "deadline": forfeit.deadline,
        "reason": forfeit.reason,
        "entry": forfeit.entry,
        "index": forfeit.index,
    }


def _row(unit: UnitResult) -> dict[str, Any]:
    return {
        "rank": unit.rank,
        "tied": unit.tied,
        "unit": unit.code,
        "zh": unit.zh,
        "en": unit.en,
        "category": unit.category,
        "total": fixed_str(unit.total),
        "components": {c.key: fixed_str(c.score) for c in unit.components},
        "not_assessed": {c.key: c.substituted for c in unit.components if c.substituted},
        "outside": {k: fixed_str(v) for k, v in unit.outside},
        "bands": list(unit.bands),
        "lists": list(unit.lists),
        "forfeit": _forfeit(unit.forfeit),
    }


def ranking_document(result: CampaignResult) -> dict[str, Any]:
    """The result as JSON data (numbers as decimal strings)."""
    by_code = {u.code: u for u in result.units}
    return {
        "format": RANKING_FORMAT,
        "rulebook": {"key": result.rulebook_key, "hash": result.rulebook_hash},
        "title": {"zh": result.title.zh, "en": result.title.en},
        "components": [
            {
                "key": c.key,
                "zh": c.zh,
                "en": c.en,
                "max": _num(c.max),
                "placement": c.placement,
                "weight": _num(c.weight),
            }
            for c in result.components
        ],
        "bands": [
            {
                "key": b.key,
                "zh": b.zh,
                "en": b.en,
                "effects": {k: fixed_str(v) for k, v in b.effects},
            }
            for b in result.bands
        ],
        "tables": [
            {
                "scope": {"key": t.scope.key, "zh": t.scope.zh, "en": t.scope.en},
                "rows": [_row(by_code[u]) for u in t.units],
            }
            for t in result.tables
        ],
        "candidates": {k: list(v) for k, v in result.candidates},
        "invalid_ballots": [
            {
                "entry": b.entry,
                "index": b.index,
                "component": b.component,
                "reason": b.reason,
                "units": list(b.units),
            }
            for b in result.invalid_ballots
        ],
        "warnings": list(result.warnings),
    }


def ranking_to_json(result: CampaignResult) -> bytes:
    """Canonical JSON bytes of a result: byte-identical for identical inputs."""
    out: bytes = rfc8785.dumps(ranking_document(result))
    return out


def _amount(amount: Amount | None) -> dict[str, str] | None:
    if amount is None:
        return None
    shown = fixed_str(amount.shown)
    out = {"shown": shown}
    if amount.exact != dec_str(amount.shown):
        out["exact"] = amount.exact
    return out


def _line(line: ExplainedLine) -> dict[str, Any]:
    return {
        "entry": line.entry,
        "index": line.index,
        "note": line.note,
        "delta": _amount(line.delta),
        "total_delta": _amount(line.total_delta),
    }


def explanation_document(exp: Explanation) -> dict[str, Any]:
    """An explanation as JSON data."""
    return {
        "format": EXPLANATION_FORMAT,
        "rulebook": {"key": exp.rulebook_key, "hash": exp.rulebook_hash},
        "unit": {"code": exp.unit, "zh": exp.zh, "en": exp.en, "category": exp.category},
        "total": fixed_str(exp.total),
        "outside": {k: fixed_str(v) for k, v in exp.outside},
        "rank": exp.rank,
        "tied": exp.tied,
        "bands": list(exp.bands),
        "lists": list(exp.lists),
        "forfeit": _forfeit(exp.forfeit),
        "components": [
            {
                "key": c.key,
                "zh": c.zh,
                "en": c.en,
                "score": fixed_str(c.score),
                "max": _num(c.max),
                "placement": c.placement,
                "weight": c.weight,
                "assessed": c.assessed,
                "lines": [_line(ln) for ln in c.lines],
            }
            for c in exp.components
        ],
        "total_lines": [_line(ln) for ln in exp.total_lines],
        "excluded": [
            {
                "entry": e.entry,
                "index": e.index,
                "kind": e.kind,
                "component": e.component,
                "reason": e.reason,
            }
            for e in exp.excluded
        ],
        "rulings": [
            {
                "entry": r.entry,
                "index": r.index,
                "target": r.target,
                "outcome": r.outcome,
                "adjusted": _num(r.adjusted),
                "reason": r.reason,
            }
            for r in exp.rulings
        ],
    }


def explanation_to_json(exp: Explanation) -> bytes:
    """Canonical JSON bytes of an explanation."""
    out: bytes = rfc8785.dumps(explanation_document(exp))
    return out


# -- text --------------------------------------------------------------------------------


def _console(width: int) -> tuple[Console, io.StringIO]:
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=width,
        color_system=None,
        force_terminal=False,
        force_jupyter=False,
        force_interactive=False,
        legacy_windows=False,
        soft_wrap=False,
        emoji=False,
        highlight=False,
        markup=False,
    )
    return console, buffer


def ranking_text(result: CampaignResult, *, width: int = 160) -> str:
    """One table per ranking scope, with Chinese and English headings."""
    console, buffer = _console(width)
    by_code = {u.code: u for u in result.units}
    shown = [c for c in result.components if c.placement in ("total", "adjustment")]
    outside = [c for c in result.components if c.placement == "outside"]
    bands = {b.key: b for b in result.bands}
    console.print(f"{result.title.zh} / {result.title.en}")
    console.print(f"规则版本 Rulebook: {result.rulebook_key} {result.rulebook_hash}")
    for table_data in result.tables:
        scope = table_data.scope
        table = Table(title=f"{scope.zh} / {scope.en}", box=box.ASCII, show_lines=False)
        table.add_column("排名\nRank", justify="right")
        table.add_column("单位\nUnit")
        for comp in shown:
            table.add_column(f"{comp.zh}\n{comp.en}", justify="right")
        table.add_column("总分\nTotal", justify="right")
        for comp in outside:
            table.add_column(f"{comp.zh}\n{comp.en}", justify="right")
        table.add_column("结果\nBands")
        for code in table_data.units:
            unit = by_code[code]
            scores = {c.key: c for c in unit.components}
            rank = (
                "放弃考核 forfeited"
                if unit.forfeit
                else (f"{unit.rank}{'=' if unit.tied else ''}" if unit.rank is not None else "-")
            )
            cells = [
                rank,
                f"{unit.code} {unit.zh}" + (f" / {unit.en}" if unit.en != unit.zh else ""),
            ]
            for comp in shown:
                score = scores[comp.key]
                mark = "*" if score.substituted else ""
                cells.append(f"{fixed_str(score.score)}{mark}")
            cells.append(fixed_str(unit.total))
            cells += [fixed_str(v) for _, v in unit.outside]
            cells.append(", ".join(f"{bands[b].zh} {bands[b].en}" for b in unit.bands))
            table.add_row(*cells)
        console.print(table)
    console.print("= tied 并列; * not assessed, substituted 未测评，按规则替代")
    if result.invalid_ballots:
        console.print("无效票 Invalid ballots:")
        for ballot in result.invalid_ballots:
            console.print(
                f"  entry {ballot.entry} (#{ballot.index}) {ballot.component}: {ballot.reason}"
            )
    return buffer.getvalue()


def _amount_text(amount: Amount | None) -> str:
    if amount is None:
        return ""
    text = fixed_str(amount.shown)
    if not text.startswith("-"):
        text = "+" + text
    if "/" in amount.exact:
        text += f" (= {amount.exact})"
    return text


def explanation_text(exp: Explanation) -> str:
    """A unit's explanation, as an inspector reads it."""
    out: list[str] = []
    out.append(f"{exp.unit} {exp.zh} / {exp.en}  ({exp.category})")
    out.append(f"规则版本 Rulebook: {exp.rulebook_key} {exp.rulebook_hash}")
    rank = "放弃考核 forfeited" if exp.forfeit else (str(exp.rank) if exp.rank else "-")
    tied = " (并列 tied)" if exp.tied else ""
    out.append(f"总分 Total: {fixed_str(exp.total)}   排名 Rank: {rank}{tied}")
    if exp.forfeit:
        out.append(f"  forfeit ({exp.forfeit.deadline}): {exp.forfeit.reason}")
    if exp.bands:
        out.append(f"结果 Bands: {', '.join(exp.bands)}")
    if exp.lists:
        out.append(f"候选名单 Lists: {', '.join(exp.lists)}")
    for key, value in exp.outside:
        out.append(f"附加分 Outside the total: {key} {fixed_str(value)}")
    for comp in exp.components:
        cap = f" of {fixed_str(comp.max)}" if comp.max is not None else ""
        out.append("")
        out.append(
            f"[{comp.key}] {comp.zh} / {comp.en}: {fixed_str(comp.score)}{cap}"
            f"  ({comp.placement}, weight {comp.weight})"
        )
        for line in comp.lines:
            where = f"entry {line.entry} #{line.index}" if line.entry else "rule"
            total = f"  total {_amount_text(line.total_delta)}" if line.total_delta else ""
            out.append(f"  {_amount_text(line.delta):>12}  {where}: {line.note}{total}")
    if exp.total_lines:
        out.append("")
        out.append(f"[total] 总分 / Total: {fixed_str(exp.total)}")
    for line in exp.total_lines:
        out.append(f"  {_amount_text(line.delta):>12}  rule: {line.note}")
    if exp.excluded:
        out.append("")
        out.append("不计分 Not counted:")
        for ex in exp.excluded:
            part = f" [{ex.component}]" if ex.component else ""
            out.append(f"  entry {ex.entry} #{ex.index} {ex.kind}{part}: {ex.reason}")
    if exp.rulings:
        out.append("")
        out.append("申诉裁定 Rulings:")
        for r in exp.rulings:
            adj = f", adjusted to {fixed_str(r.adjusted)}" if r.adjusted is not None else ""
            why = f": {r.reason}" if r.reason else ""
            out.append(f"  entry {r.entry} #{r.index} on entry {r.target}: {r.outcome}{adj}{why}")
    return "\n".join(out) + "\n"
