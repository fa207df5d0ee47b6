"""The printable publication page: one HTML file with the ranking, its digest and checkpoint,
and how to verify it in plain words (Chinese with English).

Pure: a function from the publication document (``pingyi.publication/1``) to
text. Rows in a result band are marked the way the rulebook's band says: a band
taken from the top of a ranking marks first places (▲), one from the bottom marks
last places (▼).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

_STYLE = """
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", sans-serif;
       margin: 2em; color: #111; }
h1 { font-size: 1.5em; margin-bottom: 0.2em; }
h2 { font-size: 1.2em; margin-top: 1.6em; }
table { border-collapse: collapse; margin: 0.5em 0; }
th, td { border: 1px solid #555; padding: 0.25em 0.5em; }
th { background: #eee; font-weight: normal; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.top td { background: #e3f4e1; }
tr.bottom td { background: #fbe4e1; }
.meta td:first-child { white-space: nowrap; }
.mono { font-family: "DejaVu Sans Mono", monospace; font-size: 0.9em; word-break: break-all; }
.correction { border: 2px solid #b00; padding: 0.5em 1em; }
@media print { body { margin: 1cm; } table, .verify { page-break-inside: avoid; } }
@page { size: A4; margin: 1.5cm; }
"""


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _marks(takes: Mapping[str, str]) -> dict[str, tuple[str, str]]:
    return {key: ("top", "▲") if take == "top" else ("bottom", "▼") for key, take in takes.items()}


def _rank(row: Mapping[str, Any]) -> str:
    if row.get("forfeit"):
        return "放弃考核<br>forfeited"
    rank = row.get("rank")
    if rank is None:
        return "-"
    return f"{rank}{'=' if row.get('tied') else ''}"


def _table(
    table: Mapping[str, Any],
    components: Sequence[Mapping[str, Any]],
    bands: Mapping[str, Mapping[str, Any]],
    marks: Mapping[str, tuple[str, str]],
) -> str:
    shown = [c for c in components if c.get("placement") in ("total", "adjustment")]
    outside = [c for c in components if c.get("placement") == "outside"]
    scope = table["scope"]
    head = ["排名<br>Rank", "单位<br>Unit"]
    head += [f"{_e(c['zh'])}<br>{_e(c['en'])}" for c in shown]
    head.append("总分<br>Total")
    head += [f"{_e(c['zh'])}<br>{_e(c['en'])}" for c in outside]
    head.append("结果<br>Result")
    out = [f"<h2>{_e(scope['zh'])} / {_e(scope['en'])}</h2>", "<table>"]
    out.append("<tr>" + "".join(f"<th>{h}</th>" for h in head) + "</tr>")
    for row in table["rows"]:
        classes = [marks[b][0] for b in row.get("bands", []) if b in marks]
        css = f' class="{classes[0]}"' if classes else ""
        scores = row.get("components", {})
        not_assessed = row.get("not_assessed", {})
        cells = [f'<td class="num">{_rank(row)}</td>']
        name = _e(row["zh"]) + (f" / {_e(row['en'])}" if row.get("en") != row.get("zh") else "")
        cells.append(f"<td>{_e(row['unit'])} {name}</td>")
        for comp in shown:
            star = "*" if comp["key"] in not_assessed else ""
            cells.append(f'<td class="num">{_e(scores.get(comp["key"], ""))}{star}</td>')
        cells.append(f'<td class="num"><b>{_e(row["total"])}</b></td>')
        for comp in outside:
            cells.append(f'<td class="num">{_e(row.get("outside", {}).get(comp["key"], ""))}</td>')
        labels = []
        for key in row.get("bands", []):
            band = bands.get(key, {})
            mark = marks.get(key, ("", ""))[1]
            labels.append(f"{mark} {_e(band.get('zh', key))} {_e(band.get('en', ''))}".strip())
        cells.append(f"<td>{'<br>'.join(labels)}</td>")
        out.append(f"<tr{css}>" + "".join(cells) + "</tr>")
    out.append("</table>")
    return "\n".join(out)


def publication_html(
    document: Mapping[str, Any],
    *,
    takes: Mapping[str, str],
    log_key: str,
    files: Mapping[str, str],
) -> str:
    """The page for a ``pingyi.publication/1`` document.

    ``takes`` maps each result band to ``"top"`` or ``"bottom"`` (from the rulebook);
    ``files`` names the files published with the page (``ranking``, ``proof``).
    """
    ranking = document["ranking"]
    checkpoint = document["checkpoint"]
    digest = str(document["digest"])
    bands = {b["key"]: b for b in ranking.get("bands", [])}
    marks = _marks({k: v for k, v in takes.items() if k in bands})
    title = f"{ranking['title']['zh']} / {ranking['title']['en']}"
    meta = [
        ("日志 Log", _e(document["log"])),
        ("活动 Campaign", _e(document["campaign"])),
        ("公示条目 Publication entry", f"#{_e(document['index'])} ({_e(document['entry'])})"),
        ("签署时间 Signed at", _e(document["time"])),
        ("规则版本 Rulebook", f'<span class="mono">{_e(document["rulebook"])}</span>'),
        (
            "检查点 Checkpoint",
            f"size {_e(checkpoint['size'])}, root (base64) "
            f'<span class="mono">{_e(checkpoint["root"])}</span>',
        ),
        ("摘要 Digest", f'<span class="mono">{_e(digest)}</span>'),
        ("日志公钥 Log key", f'<span class="mono">{_e(log_key)}</span>'),
    ]
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        f"<title>{_e(title)} — 公示 publication #{_e(document['index'])}</title>",
        f"<style>{_STYLE}</style></head><body>",
        f"<h1>{_e(title)}</h1>",
        "<p>测评结果公示 Published ranking</p>",
    ]
    if document.get("replaces"):
        parts.append(
            '<div class="correction"><b>更正 Correction.</b> 本公示取代公示条目 '
            f"{_e(document['replaces'])}，原因 reason: {_e(document.get('reason') or '')}。"
            " This publication replaces the one named; both remain in the log.</div>"
        )
    parts.append('<table class="meta">')
    parts += [f"<tr><td>{k}</td><td>{v}</td></tr>" for k, v in meta]
    parts.append("</table>")
    if marks:
        legend = [
            f"{marks[k][1]} {_e(b['zh'])} / {_e(b['en'])}"
            + (" — 前列 first places" if marks[k][0] == "top" else " — 末位 last places")
            for k, b in bands.items()
            if k in marks
        ]
        parts.append("<p>结果档次 Result bands: " + "；".join(legend) + "</p>")
    for table in ranking["tables"]:
        parts.append(_table(table, ranking.get("components", []), bands, marks))
    parts.append("<p>= 并列 tied；* 未测评，按规则替代 not assessed, substituted by the rule</p>")
    parts.append(_instructions(document, digest, log_key, files))
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _instructions(
    document: Mapping[str, Any], digest: str, log_key: str, files: Mapping[str, str]
) -> str:
    hex_digest = digest.removeprefix("sha256:")
    ranking = _e(files.get("ranking", "ranking.json"))
    proof = _e(files.get("proof", "publication.tlog-proof"))
    size = _e(document["checkpoint"]["size"])
    return f"""<div class="verify">
<h2>如何核验 How to verify this page</h2>
<ol>
<li>本页排名由评议办签名的第 {_e(document["index"])} 号日志条目公布。排名是根据规则版本
{_e(document["rulebook"])} 对日志前 {size} 条记录计算的结果。<br>
This ranking was published by entry #{_e(document["index"])} of the log, signed by the evaluation
office. It is the result of the rulebook named above applied to the first {size} entries of the log.</li>
<li>核对摘要：用任何 SHA-256 工具计算随本页发布的文件 <code>{ranking}</code> 的哈希值，
结果应为 <span class="mono">{_e(hex_digest)}</span>。<br>
Check the digest: the SHA-256 of the file <code>{ranking}</code> published with this page must be
<span class="mono">{_e(hex_digest)}</span> (for example <code>sha256sum {ranking}</code>).</li>
<li>核对收据：<code>pingyi receipt verify {proof} --vkey '{_e(log_key)}'</code>
证明该公示条目确在日志之中，且日志签名有效。<br>
Check the receipt: the command above proves that the publication entry is in the log, under a
checkpoint signed by the log's key. Get that key from a source you trust, not only from this page.</li>
<li>完整核验：向评议办索取核验包（<code>pingyi export</code>），运行
<code>pingyi verify 核验包 --vkey '…'</code>。它在离线状态下检查每一个签名、角色、哈希链和检查点，
按规则重新计算排名，并与本页的摘要比对。<br>
Full check: obtain the verification bundle (<code>pingyi export</code>) and run
<code>pingyi verify BUNDLE --vkey '…'</code>. Offline, it checks every signature, role, hash
link and checkpoint, recomputes the ranking from the rulebook and compares it with this digest.
Anyone can do this; it does not require trusting the office, its server or its database.</li>
</ol></div>"""


__all__ = ["publication_html"]
