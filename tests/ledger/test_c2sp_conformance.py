"""Our checkpoint notes and key ids, checked against the C2SP rules with standard tools only.

These tests recompute every byte with ``hashlib``, ``base64`` and ``cryptography``
instead of pingyi's code, following c2sp.org/signed-note and
c2sp.org/tlog-checkpoint. The C2SP signed-note specification prints an example
note but not the key that signed it, so nobody can verify that example; Go's
reference implementation (``golang.org/x/mod/sumdb/note``) publishes examples
with their keys, and ``tests/interop/test_go_reference.py`` verifies them with
our code, reproduces their signatures byte for byte, and has Go open our notes.

- key id = SHA-256(key name || 0x0A || 0x01 || 32-byte Ed25519 public key)[:4];
- verifier key = ``<name>+<8 lowercase hex digits of the key id>+base64(0x01 || public key)``;
- a note = text ending in a newline, an empty line, then signature lines
  ``U+2014 U+0020 <name> U+0020 base64(key id || 64-byte signature) U+000A``;
- the signature is Ed25519 over the UTF-8 bytes of the text, final newline included;
- a checkpoint's text = origin, tree size (decimal, no leading zeros), base64 root
  (32 bytes), each line ending in a newline.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from ledger.keys import Signer
from ledger.note import Checkpoint, NoteSigner, open_note, parse_verifier_key

VECTORS = Path(__file__).resolve().parents[1] / "vectors"
LOG = json.loads((VECTORS / "log.json").read_text())
EM_DASH_SPACE = "\u2014 "


def _key_id(name: str, public: bytes) -> bytes:
    return hashlib.sha256(name.encode("utf-8") + b"\x0a" + b"\x01" + public).digest()[:4]


def _vkey(name: str, public: bytes) -> str:
    material = base64.b64encode(b"\x01" + public).decode()
    return f"{name}+{_key_id(name, public).hex()}+{material}"


def _check_note_by_the_rules(note: str, name: str, public: bytes) -> str:
    """Check a single-signature note byte by byte; return its text."""
    assert note.endswith("\n") and "\r" not in note
    split = note.rfind("\n\n")
    text, signatures = note[: split + 1], note[split + 2 :]
    assert text.endswith("\n") and not text.startswith("\n")
    lines = signatures[:-1].split("\n")
    assert len(lines) == 1, "one signature line"
    (line,) = lines
    assert line.startswith(EM_DASH_SPACE)
    sig_name, b64 = line[len(EM_DASH_SPACE) :].split(" ")
    assert sig_name == name and " " not in name and "+" not in name
    raw = base64.b64decode(b64, validate=True)
    assert base64.b64encode(raw).decode() == b64, "canonical padded base64"
    assert len(raw) == 4 + 64
    assert raw[:4] == _key_id(name, public)
    Ed25519PublicKey.from_public_bytes(public).verify(raw[4:], text.encode("utf-8"))
    return text


def _check_checkpoint_text(text: str, origin: str) -> tuple[int, bytes]:
    origin_line, size_line, root_line, *rest = text[:-1].split("\n")
    assert origin_line == origin and rest == []
    assert re.fullmatch(r"0|[1-9][0-9]*", size_line)
    root = base64.b64decode(root_line, validate=True)
    assert len(root) == 32 and base64.b64encode(root).decode() == root_line
    return int(size_line), root


def test_the_committed_checkpoint_note_follows_c2sp_byte_for_byte() -> None:
    origin = LOG["origin"]
    public = base64.b64decode(LOG["keys"]["log"]["public_key"])
    assert LOG["log_verifier_key"] == _vkey(origin, public)
    note = (VECTORS / "checkpoint.note").read_text(encoding="utf-8")
    text = _check_note_by_the_rules(note, origin, public)
    size, root = _check_checkpoint_text(text, origin)
    assert base64.b64decode(LOG["roots"][str(size)]) == root


def test_notes_we_sign_are_the_notes_the_rules_build() -> None:
    """Ed25519 is deterministic: the note built by hand from the rules equals ours exactly."""
    signer = Signer.from_seed(b"pingyi TEST key: C2SP conformance")
    name = "conformance.pingyi.example/log"
    ours = NoteSigner(name, signer.private_key)
    public = ours.public_key
    assert ours.verifier_key == _vkey(name, public)
    assert ours.key_id == _key_id(name, public)
    for size, root in ((0, hashlib.sha256(b"").digest()), (1, b"\x00" * 32), (2**40, b"\xff" * 32)):
        body = Checkpoint(name, size, root).body()
        assert body == f"{name}\n{size}\n{base64.b64encode(root).decode()}\n"
        signature = signer.private_key.sign(body.encode())
        by_hand = (
            body
            + "\n"
            + EM_DASH_SPACE
            + name
            + " "
            + base64.b64encode(_key_id(name, public) + signature).decode()
            + "\n"
        )
        assert ours.sign(body) == by_hand
        _check_note_by_the_rules(by_hand, name, public)
        assert open_note(by_hand, [parse_verifier_key(_vkey(name, public))]).text == body


def test_a_non_ascii_key_name_hashes_its_utf8_bytes() -> None:
    signer = Signer.from_seed(b"pingyi TEST key: C2SP non-ASCII name")
    name = "评议.example/县"
    ours = NoteSigner(name, signer.private_key)
    assert ours.verifier_key == _vkey(name, ours.public_key)
    note = ours.sign("评议 text\n")
    _check_note_by_the_rules(note, name, ours.public_key)
