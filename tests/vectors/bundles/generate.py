"""Regenerate the bundle test vectors: one valid bundle and broken ones named after their defect.

    python tests/vectors/bundles/generate.py            # rewrite tests/vectors/bundles/*/
    python tests/vectors/bundles/generate.py --check    # exit 1 if the files differ

Deterministic: TEST keys from published seeds (never use them for anything
real), fixed entry ids and times; Ed25519 signatures are deterministic. The log
is built in memory (no store) and written with ``pingyi.bundle_writer``, the
code ``pingyi export`` uses. ``expected.json`` says, for each bundle, the
verdict and the first failure (check, entry index, words of the message) that
``pingyi verify`` must report; ``tests/test_bundle_vectors.py`` checks it.
"""

from __future__ import annotations

import base64
import filecmp
import hashlib
import json
import shutil
import sys
import tempfile
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ledger import canonical, merkle
from ledger.entry import Entry, Submission, new_statement
from ledger.keys import Signer
from ledger.note import Checkpoint, NoteSigner
from pingyi.bundle_writer import write_bundle
from projections.publication import PUBLISH, publication_payload, ranking_digest
from projections.replay import replay
from projections.rulebook import (
    Rulebook,
    load_rulebook,
    revise,
    rulebook_document,
    rulebook_hash,
)

HERE = Path(__file__).parent
ORIGIN = "bundles.pingyi.example/test-log"
CAMPAIGN = "c1"
TIME = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
SEEDS = {
    "root": b"pingyi TEST bundle key: office root",
    "log": b"pingyi TEST bundle key: log checkpoints",
    "office": b"pingyi TEST bundle key: office staff",
    "staff": b"pingyi TEST bundle key: supervisor and survey operator",
    "foreign": b"pingyi TEST bundle key: somebody else's log key",
}
KEYS = {name: Signer.from_seed(seed) for name, seed in SEEDS.items()}
LOG = NoteSigner(ORIGIN, KEYS["log"].private_key)
FOREIGN = NoteSigner(ORIGIN, KEYS["foreign"].private_key)


class MemoryLog:
    """A log built in memory, entry by entry, with deterministic ids."""

    def __init__(self) -> None:
        self.entries: list[Entry] = []
        self.notes: list[str] = []
        self.tree = merkle.MerkleTree()

    def add(self, signer: str, type_: str, payload: dict[str, Any]) -> Entry:
        n = len(self.entries)
        entry_id = str(
            uuid.UUID(hashlib.sha256(f"bundle vector entry {n}".encode()).hexdigest()[:32])
        )
        key = KEYS[signer]
        statement = new_statement(
            log=ORIGIN, type=type_, payload=payload, signer=key.key_id, time=TIME, id=entry_id
        )
        head = self.entries[-1].hash if self.entries else canonical.GENESIS_PREV
        entry = Entry.sequence(Submission.sign(key, statement), n, head)
        self.entries.append(entry)
        self.tree.append(merkle.leaf_hash(entry.raw))
        return entry

    def checkpoint(self, signer: NoteSigner = LOG, root: bytes | None = None) -> int:
        size = len(self.entries)
        body = Checkpoint(ORIGIN, size, root or self.tree.root(size)).body()
        self.notes.append(signer.sign(body))
        return size

    def publish(
        self,
        signer: str = "office",
        *,
        replaces: str | None = None,
        reason: str | None = None,
        doctor: Callable[[dict[str, Any]], None] | None = None,
    ) -> Entry:
        size = len(self.entries)
        state = replay(self.entries, CAMPAIGN, as_of=size - 1)
        payload = publication_payload(
            CAMPAIGN, state, size=size, root=self.tree.root(size), replaces=replaces, reason=reason
        )
        if doctor is not None:
            doctor(payload)
        return self.add(signer, PUBLISH, payload)

    def write(self, out: Path) -> None:
        write_bundle(
            out,
            origin=ORIGIN,
            campaign=CAMPAIGN,
            log_key=LOG.verifier_key,
            entries=[e.raw for e in self.entries],
            checkpoints=self.notes,
            generator="tests/vectors/bundles/generate.py",
        )


#: A small rulebook keeps the vectors small: four units, two components, a first and a last band.
RULEBOOK_YAML = """\
format: pingyi.rulebook/1
key: bundle-test
title: {zh: 核验包测试规则, en: Bundle test rulebook}
categories:
  - {key: all, label: {zh: 全部, en: All}}
units:
  - {code: A, name: {zh: 甲单位, en: Unit A}, category: all}
  - {code: B, name: {zh: 乙单位, en: Unit B}, category: all}
  - {code: C, name: {zh: 丙单位, en: Unit C}, category: all}
  - {code: D, name: {zh: 丁单位, en: Unit D}, category: all}
components:
  - key: survey
    label: {zh: 回访调查, en: Survey}
    max: 10
    rule:
      kind: deduction_per_response
      levels:
        satisfied: {points: 0}
        basically_satisfied: {points: 1}
        dissatisfied: {points: 2}
      floor: 0
  - key: findings
    label: {zh: 监督检查, en: Findings}
    max: 10
    rule:
      kind: deduction_per_finding
      levels:
        bureau: {points: 1}
        county: {points: 2}
      floor: 0
total:
  max: 20
  of: {survey: 1, findings: 1}
ranking:
  tie_break: [unit_code]
bands:
  - {key: first, label: {zh: 第一名, en: First place}, take: top, ranks: [1, 1]}
  - {key: last, label: {zh: 末位, en: Last place}, take: bottom, ranks: [1, 1]}
"""


def rulebook() -> Rulebook:
    return load_rulebook(RULEBOOK_YAML)


def adoption(rulebook: Rulebook, reason: str) -> dict[str, Any]:
    return {
        "campaign": CAMPAIGN,
        "rulebook": rulebook_document(rulebook),
        "hash": rulebook_hash(rulebook),
        "reason": reason,
    }


def survey(unit: str, level: str) -> dict[str, Any]:
    return {"campaign": CAMPAIGN, "unit": unit, "component": "survey", "level": level}


def finding(unit: str, level: str, summary: str) -> dict[str, Any]:
    return {
        "campaign": CAMPAIGN,
        "unit": unit,
        "rule": "findings",
        "level": level,
        "serious": False,
        "summary": summary,
    }


def build(
    *,
    swap_rulebook: bool = False,
    doctor: Callable[[dict[str, Any]], None] | None = None,
    publisher: str = "office",
    replaces_finding: bool = False,
) -> MemoryLog:
    """The campaign's log; the keyword arguments put one defect in it (signed as if valid)."""
    log = MemoryLog()
    root, office, staff = KEYS["root"], KEYS["office"], KEYS["staff"]
    log.add(
        "root",
        "genesis",
        {"deployment": "TEST bundles", "root_key": root.public_b64, "log_key": LOG.verifier_key},
    )
    log.checkpoint()
    roles = ["registrar", "office"]
    log.add(
        "root",
        "key.register",
        {"key": office.public_b64, "holder": "office (TEST)", "roles": roles},
    )
    roles = ["supervisor", "survey_operator"]
    log.add(
        "office",
        "key.register",
        {"key": staff.public_b64, "holder": "staff (TEST)", "roles": roles},
    )
    log.add("office", "rulebook.adopt", adoption(rulebook(), "TEST: adopted"))
    log.add("office", "campaign.open", {"campaign": CAMPAIGN, "title": "测评 TEST campaign"})
    if swap_rulebook:
        swapped = revise(rulebook(), {"title": {"zh": "换过的规则", "en": "Swapped rulebook"}})
        log.add("office", "rulebook.adopt", adoption(swapped, "TEST: swapped after opening"))
    log.add("staff", "survey.response", survey("A", "dissatisfied"))
    log.add("staff", "survey.response", survey("A", "basically_satisfied"))
    log.add("staff", "survey.response", survey("C", "dissatisfied"))
    wrong = log.add("staff", "finding.record", finding("B", "county", "窗口无人 window unattended"))
    log.add("staff", "finding.record", finding("D", "bureau", "收费未公示 fees not posted"))
    log.checkpoint()
    first = log.publish(publisher, doctor=doctor)
    log.checkpoint()
    log.add(
        "staff",
        "finding.withdraw",
        {"campaign": CAMPAIGN, "finding": wrong.id, "reason": "记错单位 wrong unit"},
    )
    log.add("staff", "survey.response", survey("B", "dissatisfied"))
    log.checkpoint()
    log.publish(
        replaces=wrong.id if replaces_finding else first.id,
        reason="撤回一项误记的问题 a finding recorded in error was withdrawn",
    )
    log.checkpoint()
    return log


def _doctor_ranking(payload: dict[str, Any]) -> None:
    """Swap two units' totals in the document, and sign the digest of the doctored document."""
    rows = [row for table in payload["ranking"]["tables"] for row in table["rows"]]
    rows[0]["total"], rows[1]["total"] = rows[1]["total"], rows[0]["total"]
    payload["digest"] = ranking_digest(payload["ranking"])


def _wrong_root(payload: dict[str, Any]) -> None:
    payload["checkpoint"]["root"] = base64.b64encode(b"\x42" * 32).decode()


# -- file-level defects, applied to a copy of the valid bundle ----------------------------


def _lines(out: Path) -> list[bytes]:
    return (out / "entries.ndjson").read_bytes().split(b"\n")[:-1]


def _set_lines(out: Path, lines: list[bytes]) -> None:
    (out / "entries.ndjson").write_bytes(b"".join(line + b"\n" for line in lines))


def _truncate(out: Path) -> None:
    _set_lines(out, _lines(out)[:-3])


def _drop_middle(out: Path) -> None:
    lines = _lines(out)
    del lines[6]
    _set_lines(out, lines)


def _swap_pair(out: Path) -> None:
    lines = _lines(out)
    lines[6], lines[7] = lines[7], lines[6]
    _set_lines(out, lines)


def _change_byte(out: Path) -> None:
    lines = _lines(out)
    lines[8] = lines[8].replace(b"window unattended", b"window unattendee", 1)
    _set_lines(out, lines)


def _cut_mid_line(out: Path) -> None:
    data = (out / "entries.ndjson").read_bytes()
    (out / "entries.ndjson").write_bytes(data[: data.rfind(b"\n", 0, len(data) - 1) + 40])


def _foreign_key(out: Path) -> None:
    for path in sorted((out / "checkpoints").iterdir()):
        text = path.read_text(encoding="utf-8")
        path.write_text(FOREIGN.sign(text[: text.rfind("\n\n") + 1]), encoding="utf-8")


def _fork_checkpoint(out: Path) -> None:
    """Sign, with the log's own key, a checkpoint of size 10 over another tree's root."""
    path = out / "checkpoints" / f"{10:012d}.note"
    path.write_text(LOG.sign(Checkpoint(ORIGIN, 10, b"\x17" * 32).body()), encoding="utf-8")


def _manifest(out: Path) -> dict[str, Any]:
    value: dict[str, Any] = json.loads((out / "bundle.json").read_text(encoding="utf-8"))
    return value


def _malformed_json(out: Path) -> None:
    text = (out / "bundle.json").read_text(encoding="utf-8")
    (out / "bundle.json").write_text(text[: len(text) // 2], encoding="utf-8")


def _unknown_version(out: Path) -> None:
    manifest = _manifest(out)
    manifest["format"] = "pingyi.bundle/99"
    (out / "bundle.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")


def _swap_rulebook_file(out: Path) -> None:
    (path,) = (out / "rulebooks").iterdir()
    other = revise(rulebook(), {"title": {"zh": "另一本规则", "en": "Another rulebook"}})
    path.write_bytes(canonical.canonical(rulebook_document(other)))


def _remove_vkey(out: Path) -> None:
    (out / "log.vkey").unlink()


def _bad_consistency(out: Path) -> None:
    path = sorted((out / "consistency").iterdir())[-1]
    hashes = path.read_text().splitlines()
    hashes[0] = base64.b64encode(b"\x00" * 32).decode()
    path.write_text("".join(h + "\n" for h in hashes))


def _remove_readme(out: Path) -> None:
    (out / "README.txt").unlink()


def _list_consistency_twice(out: Path) -> None:
    manifest = _manifest(out)
    manifest["consistency"].append(manifest["consistency"][0])
    (out / "bundle.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")


def _crlf_consistency(out: Path) -> None:
    path = sorted((out / "consistency").iterdir())[-1]
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))


def _alter_document(out: Path) -> None:
    path = sorted((out / "publications").glob("*.json"))[0]
    document = json.loads(path.read_bytes())
    document["ranking"]["tables"][0]["rows"][0]["total"] = "99.9"
    path.write_bytes(canonical.canonical(document))


FILE_DEFECTS: dict[str, Callable[[Path], None]] = {
    "truncated": _truncate,
    "missing-middle-entry": _drop_middle,
    "swapped-pair": _swap_pair,
    "changed-entry-byte": _change_byte,
    "entries-cut-mid-line": _cut_mid_line,
    "foreign-checkpoint-key": _foreign_key,
    "malformed-json": _malformed_json,
    "unknown-format-version": _unknown_version,
    "rulebook-file-swapped": _swap_rulebook_file,
    "missing-file": _remove_vkey,
    "bad-consistency-proof": _bad_consistency,
    "publication-document-altered": _alter_document,
    "forked-checkpoint": _fork_checkpoint,
    "readme-missing": _remove_readme,
    "consistency-listed-twice": _list_consistency_twice,
    "consistency-file-crlf": _crlf_consistency,
}

LOG_DEFECTS: dict[str, dict[str, Any]] = {
    "digest-mismatch": {"doctor": _doctor_ranking},
    "rulebook-swapped-after-open": {"swap_rulebook": True},
    "publication-root-mismatch": {"doctor": _wrong_root},
    "publication-by-wrong-role": {"publisher": "staff"},
    "correction-replaces-non-publication": {"replaces_finding": True},
}

#: What `pingyi verify` must say first: (check, entry index or None, words in the message).
EXPECTED: dict[str, tuple[str, int | None, str]] = {
    "truncated": ("entries", 11, "the bundle is truncated"),
    "missing-middle-entry": ("index", 6, "entry 6 is missing"),
    "swapped-pair": ("index", 6, "entries 6 and 7 are swapped"),
    "changed-entry-byte": ("signature", 8, "signature does not verify"),
    "entries-cut-mid-line": ("entries", 13, "the file was cut short"),
    "foreign-checkpoint-key": ("checkpoint", None, "not signed by any trusted key"),
    "malformed-json": ("manifest", None, "malformed JSON"),
    "unknown-format-version": ("format", None, "pingyi.bundle/99"),
    "rulebook-file-swapped": ("rulebook", 3, "it is not the rulebook the campaign adopted"),
    "missing-file": ("files", None, "log.vkey"),
    "bad-consistency-proof": ("consistency file", None, "does not match"),
    "publication-document-altered": ("publication files", 10, "not the canonical document"),
    "digest-mismatch": ("publication", 10, "is not that of the ranking recomputed"),
    "rulebook-swapped-after-open": ("policy", 5, "frozen since it opened"),
    "publication-root-mismatch": ("publication", 10, "but the log's root there is"),
    "publication-by-wrong-role": ("authority", 10, "needs a key with role office"),
    "forked-checkpoint": ("checkpoint", None, "is not the signed root"),
    "correction-replaces-non-publication": ("policy", 13, "is not a publication"),
    "readme-missing": ("files", None, "README.txt"),
    "consistency-listed-twice": (
        "manifest",
        None,
        "lists the consistency proof from 1 to 10 twice",
    ),
    "consistency-file-crlf": ("consistency file", None, "line 1 is not one base64 SHA-256 hash"),
}


def generate(target: Path) -> None:
    """Write every bundle and expected.json under ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    valid = target / "valid"
    build().write(valid)
    for name, defect in FILE_DEFECTS.items():
        shutil.copytree(valid, target / name)
        defect(target / name)
    for name, options in LOG_DEFECTS.items():
        build(**options).write(target / name)
    expected: dict[str, Any] = {"valid": {"verdict": "pass"}}
    for name, (check, index, words) in EXPECTED.items():
        expected[name] = {"verdict": "fail", "check": check, "index": index, "message": words}
    (target / "expected.json").write_text(json.dumps(expected, indent=1, sort_keys=True) + "\n")


def _same(a: Path, b: Path) -> bool:
    compared = filecmp.dircmp(a, b)
    if compared.left_only or compared.right_only or compared.funny_files:
        return False
    _, mismatch, errors = filecmp.cmpfiles(a, b, compared.common_files, shallow=False)
    return not mismatch and not errors and all(_same(a / d, b / d) for d in compared.common_dirs)


NAMES = ["valid", *FILE_DEFECTS, *LOG_DEFECTS]


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / "bundles"
        generate(fresh)
        if "--check" in sys.argv:
            stale = [n for n in [*NAMES, "expected.json"] if not _matches(fresh, n)]
            print("stale: " + ", ".join(stale) if stale else "bundle vectors up to date")
            return 1 if stale else 0
        for name in NAMES:
            shutil.rmtree(HERE / name, ignore_errors=True)
            shutil.copytree(fresh / name, HERE / name)
        shutil.copy(fresh / "expected.json", HERE / "expected.json")
        print(f"wrote {len(NAMES)} bundles and expected.json under {HERE}")
    return 0


def _matches(fresh: Path, name: str) -> bool:
    if name.endswith(".json"):
        return (HERE / name).is_file() and (HERE / name).read_bytes() == (fresh / name).read_bytes()
    return (HERE / name).is_dir() and _same(fresh / name, HERE / name)


if __name__ == "__main__":
    raise SystemExit(main())
