"""Signed notes, checkpoints and portable proofs, as the C2SP specifications define them.

* ``c2sp.org/signed-note``: a text ending in a newline, a blank line, then one
  or more lines ``— <key name> base64(4-byte key id || signature)``. Only
  Ed25519 (signature type 0x01) is supported; the signature covers the UTF-8
  bytes of the text, final newline included. Key id =
  SHA-256(name || 0x0A || 0x01 || public key)[:4]; verifier key =
  ``<name>+<hex key id>+base64(0x01 || public key)``.
* ``c2sp.org/tlog-checkpoint``: the note text ``<origin>\\n<size>\\n<base64 root>\\n``
  followed by optional non-empty extension lines.
* ``c2sp.org/tlog-proof@v1``: a header line, an optional ``extra <base64>``
  line, ``index <n>``, the inclusion proof one base64 hash a line, a blank line,
  then the signed checkpoint verbatim.

Everything malformed or unsigned raises `NoteError`; an inclusion proof that
does not lead to the checkpoint's root raises `ProofError`. Pure code: no I/O.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from ledger import ed25519
from ledger.errors import NoteError
from ledger.merkle import HASH_SIZE, verify_inclusion

__all__ = [
    "ALG_ED25519",
    "MAX_SIGNATURES",
    "TLOG_PROOF_HEADER",
    "Checkpoint",
    "NoteSignature",
    "NoteSigner",
    "NoteVerifier",
    "OpenedNote",
    "TlogProof",
    "format_tlog_proof",
    "key_id",
    "open_checkpoint",
    "open_note",
    "parse_checkpoint",
    "parse_tlog_proof",
    "parse_verifier_key",
    "verifier_key",
    "verify_tlog_proof",
]

ALG_ED25519 = 0x01
"""Signature type byte of Ed25519 in c2sp.org/signed-note."""

MAX_SIGNATURES = 100
"""Most signature lines `open_note` reads (the spec requires accepting at least 16)."""

TLOG_PROOF_HEADER = "c2sp.org/tlog-proof@v1"

_SIG_PREFIX = "\u2014 "  # em dash, space
_ED25519_KEY_SIZE = 32
_ED25519_SIG_SIZE = 64
_KEY_ID_SIZE = 4
_MAX_UINT64 = 2**64 - 1
# A tree of at most 2**64 leaves has proofs of at most 64 hashes.
_MAX_PROOF_HASHES = 64
_DECIMAL = re.compile(r"0|[1-9][0-9]{0,19}")
_HEX_KEY_ID = re.compile(r"[0-9a-f]{8}")


# -- small checks ---------------------------------------------------------------


def _control_char_error(text: str, what: str) -> str | None:
    """Describe the first ASCII control character other than newline in ``text``, if any."""
    for i, ch in enumerate(text):
        if ord(ch) < 0x20 and ch != "\n":
            line = text.count("\n", 0, i) + 1
            return (
                f"{what} contains the control character U+{ord(ch):04X} on line {line}; "
                "signed notes allow no control characters other than newline"
            )
    return None


def _check_utf8(text: str, what: str) -> bytes:
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as err:
        raise NoteError(
            f"{what} is not valid UTF-8: {err.reason} at position {err.start}"
        ) from None


def _name_error(name: object, what: str = "key name") -> str | None:
    if not isinstance(name, str):
        return f"{what} must be a string, got {type(name).__name__}"
    if not name:
        return f"{what} is empty"
    for ch in name:
        if ch == "+":
            return f"{what} {name!r} contains '+', which separates the parts of a verifier key"
        if ch.isspace() or unicodedata.category(ch) in ("Zs", "Zl", "Zp"):
            return f"{what} {name!r} contains the space character U+{ord(ch):04X}"
        if ord(ch) < 0x20:
            return f"{what} {name!r} contains the control character U+{ord(ch):04X}"
        if 0xD800 <= ord(ch) <= 0xDFFF:
            return f"{what} {name!r} is not valid UTF-8 (lone surrogate U+{ord(ch):04X})"
    return None


def _check_name(name: object, what: str = "key name") -> str:
    problem = _name_error(name, what)
    if problem is not None or not isinstance(name, str):
        raise NoteError(problem or f"{what} must be a string")
    return name


def _b64decode(value: str, what: str) -> bytes:
    """Decode standard, padded, canonical base64 (RFC 4648 §4), or raise NoteError."""
    try:
        raw = base64.b64decode(value.encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error, ValueError):
        raise NoteError(f"{what} is not valid base64: {value!r}") from None
    if base64.b64encode(raw).decode("ascii") != value:
        raise NoteError(f"{what} is not canonical base64: {value!r}")
    return raw


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _parse_decimal(value: str, what: str) -> int:
    if not _DECIMAL.fullmatch(value):
        raise NoteError(
            f"{what} must be an ASCII decimal number without leading zeros, got {value!r}"
        )
    number = int(value)
    if number > _MAX_UINT64:
        raise NoteError(f"{what} {number} does not fit in 64 bits")
    return number


def _check_public_key(public_key: object) -> bytes:
    if not isinstance(public_key, bytes | bytearray | memoryview):
        raise NoteError(f"Ed25519 public key must be bytes, got {type(public_key).__name__}")
    raw = bytes(public_key)
    if len(raw) != _ED25519_KEY_SIZE:
        raise NoteError(
            f"Ed25519 public key is {len(raw)} bytes long; it must be {_ED25519_KEY_SIZE} bytes"
        )
    return raw


# -- keys -------------------------------------------------------------------------


def key_id(name: str, public_key: bytes) -> bytes:
    """The 4-byte key id of an Ed25519 note key: SHA-256(name || 0x0A || 0x01 || key)[:4]."""
    name = _check_name(name)
    raw = _check_public_key(public_key)
    material = name.encode("utf-8") + b"\n" + bytes([ALG_ED25519]) + raw
    return hashlib.sha256(material).digest()[:_KEY_ID_SIZE]


def verifier_key(name: str, public_key: bytes) -> str:
    """The verifier key string ``<name>+<hex key id>+base64(0x01 || public key)``."""
    raw = _check_public_key(public_key)
    return f"{name}+{key_id(name, raw).hex()}+{_b64(bytes([ALG_ED25519]) + raw)}"


@dataclass(frozen=True)
class NoteVerifier:
    """A trusted Ed25519 note key: the name and key id that signature lines carry."""

    name: str
    key_id: bytes
    public_key: bytes

    def __post_init__(self) -> None:
        _check_name(self.name)
        raw = _check_public_key(self.public_key)
        if not isinstance(self.key_id, bytes | bytearray | memoryview):
            raise NoteError(f"key id must be bytes, got {type(self.key_id).__name__}")
        object.__setattr__(self, "public_key", raw)
        object.__setattr__(self, "key_id", bytes(self.key_id))
        want = key_id(self.name, raw)
        if bytes(self.key_id) != want:
            raise NoteError(
                f"key id {bytes(self.key_id).hex()} does not belong to key {self.name!r}: "
                f"SHA-256(name || 0x0A || 0x01 || public key) gives {want.hex()}"
            )

    @property
    def vkey(self) -> str:
        """This key as a verifier key string."""
        return verifier_key(self.name, self.public_key)

    def verify(self, msg: bytes, sig: bytes) -> bool:
        """True if ``sig`` is this key's Ed25519 signature over ``msg`` (the note text bytes)."""
        if len(sig) != _ED25519_SIG_SIZE:
            return False
        return ed25519.verify(bytes(self.public_key), bytes(sig), bytes(msg))


def parse_verifier_key(vkey: str) -> NoteVerifier:
    """Parse ``<name>+<hex key id>+<base64(0x01 || key)>``; raise NoteError if anything is off."""
    if not isinstance(vkey, str):
        raise NoteError(f"verifier key must be a string, got {type(vkey).__name__}")
    # The name holds no '+', but base64 may: split at the first two only.
    parts = vkey.split("+", 2)
    if len(parts) != 3:
        raise NoteError(
            f"verifier key {vkey!r} is not of the form <name>+<8 hex digits>+<base64 key>"
        )
    name, hex_id, b64_key = parts
    _check_name(name, "verifier key name")
    if not _HEX_KEY_ID.fullmatch(hex_id):
        raise NoteError(
            f"verifier key {name!r}: key id {hex_id!r} must be 8 lowercase hexadecimal digits"
        )
    material = _b64decode(b64_key, f"verifier key {name!r}: key material")
    if not material:
        raise NoteError(f"verifier key {name!r}: key material is empty")
    if material[0] != ALG_ED25519:
        raise NoteError(
            f"verifier key {name!r}: signature type 0x{material[0]:02x} is not supported; "
            f"only Ed25519 (0x{ALG_ED25519:02x}) is"
        )
    public_key = material[1:]
    if len(public_key) != _ED25519_KEY_SIZE:
        raise NoteError(
            f"verifier key {name!r}: Ed25519 public key is {len(public_key)} bytes long; "
            f"it must be {_ED25519_KEY_SIZE}"
        )
    parsed_id = bytes.fromhex(hex_id)
    want = key_id(name, public_key)
    if parsed_id != want:
        raise NoteError(
            f"verifier key {name!r}: key id {hex_id} does not match the key "
            f"(SHA-256(name || 0x0A || 0x01 || key) gives {want.hex()})"
        )
    return NoteVerifier(name=name, key_id=parsed_id, public_key=public_key)


# -- signing ------------------------------------------------------------------------


def _check_text(text: object) -> bytes:
    """Validate a note text and return its UTF-8 bytes (the bytes that are signed)."""
    if not isinstance(text, str):
        raise NoteError(f"note text must be a string, got {type(text).__name__}")
    if not text.endswith("\n"):
        raise NoteError("note text must end with a newline")
    problem = _control_char_error(text, "note text")
    if problem is not None:
        raise NoteError(problem)
    return _check_utf8(text, "note text")


class NoteSigner:
    """Signs note texts with one Ed25519 key under one key name."""

    __slots__ = ("_key", "_verifier")

    def __init__(self, name: str, private_key: Ed25519PrivateKey) -> None:
        _check_name(name)
        if not isinstance(private_key, Ed25519PrivateKey):
            raise TypeError(
                f"private key must be an Ed25519PrivateKey, got {type(private_key).__name__}"
            )
        public = private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        self._key = private_key
        self._verifier = NoteVerifier(name=name, key_id=key_id(name, public), public_key=public)

    def __repr__(self) -> str:
        return f"NoteSigner({self.verifier_key!r})"

    @property
    def name(self) -> str:
        return self._verifier.name

    @property
    def key_id(self) -> bytes:
        return self._verifier.key_id

    @property
    def public_key(self) -> bytes:
        return self._verifier.public_key

    @property
    def verifier(self) -> NoteVerifier:
        """The matching verifier, for `open_note`."""
        return self._verifier

    @property
    def verifier_key(self) -> str:
        """The verifier key string to publish."""
        return self._verifier.vkey

    def signature_line(self, text: str) -> str:
        """The line ``— <name> base64(key id || signature)\\n`` for ``text``."""
        signature = self._key.sign(_check_text(text))
        return f"{_SIG_PREFIX}{self.name} {_b64(self.key_id + signature)}\n"

    def sign(self, text: str) -> str:
        """The signed note: ``text``, a blank line, and this key's signature line."""
        return text + "\n" + self.signature_line(text)


# -- opening ----------------------------------------------------------------------


@dataclass(frozen=True)
class NoteSignature:
    """One signature line of a note."""

    name: str
    key_id: bytes
    signature: bytes


@dataclass(frozen=True)
class OpenedNote:
    """A note whose text is signed by at least one trusted key.

    ``verified`` names the trusted keys whose signatures verified, in note order;
    ``ignored`` lists the signatures by keys the caller did not pass (witness
    cosignatures, rotated keys), which were not checked.
    """

    text: str
    verified: tuple[str, ...]
    ignored: tuple[NoteSignature, ...] = ()


def _as_text(note: str | bytes, what: str) -> str:
    if isinstance(note, bytes | bytearray | memoryview):
        try:
            return bytes(note).decode("utf-8")
        except UnicodeDecodeError as err:
            raise NoteError(f"{what} is not valid UTF-8 at byte {err.start}") from None
    if not isinstance(note, str):
        raise NoteError(f"{what} must be str or bytes, got {type(note).__name__}")
    return note


def _split_note(note: str) -> tuple[str, list[NoteSignature]]:
    """Split a signed note into its text and parsed signature lines; check structure only."""
    problem = _control_char_error(note, "note")
    if problem is not None:
        raise NoteError(problem)
    _check_utf8(note, "note")
    split = note.rfind("\n\n")
    if split < 0:
        raise NoteError(
            "note has no blank line separating the text from the signatures "
            "(a signed note is: text ending in a newline, a blank line, signature lines)"
        )
    text, block = note[: split + 1], note[split + 2 :]
    first_sig_line = text.count("\n") + 2
    if not block:
        raise NoteError(
            "note has no signature lines after its last blank line "
            "(a note must end with signature lines, not with a blank line)"
        )
    if not block.endswith("\n"):
        raise NoteError(
            f"note does not end with a newline (signature line {block.count(chr(10)) + 1} "
            "after the blank line is unterminated)"
        )
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise NoteError(f"note has {len(lines)} signature lines; at most {MAX_SIGNATURES} are read")
    signatures: list[NoteSignature] = []
    for offset, line in enumerate(lines):
        where = f"line {first_sig_line + offset}"
        if not line.startswith(_SIG_PREFIX):
            raise NoteError(
                f"{where}: signature line must start with an em dash (U+2014) and a space, "
                f"got {line[:40]!r}"
            )
        name, sep, b64 = line[len(_SIG_PREFIX) :].partition(" ")
        if not sep:
            raise NoteError(f"{where}: signature line has no space between key name and signature")
        problem = _name_error(name)
        if problem is not None:
            raise NoteError(f"{where}: {problem}")
        if not b64:
            raise NoteError(f"{where}: signature by {name!r} is empty")
        raw = _b64decode(b64, f"{where}: signature by {name!r}")
        if len(raw) <= _KEY_ID_SIZE:
            raise NoteError(
                f"{where}: signature by {name!r} is {len(raw)} bytes long; it needs a 4-byte "
                "key id followed by the signature"
            )
        signatures.append(
            NoteSignature(name=name, key_id=raw[:_KEY_ID_SIZE], signature=raw[_KEY_ID_SIZE:])
        )
    return text, signatures


def open_note(note: str | bytes, verifiers: Sequence[NoteVerifier]) -> OpenedNote:
    """Check a signed note against trusted keys and return its text.

    As c2sp.org/signed-note requires: signatures by unknown keys (no verifier with
    both that name and that key id) are ignored; a signature by a known key that
    does not verify rejects the whole note; a note with no verified signature by
    a known key is rejected. Every failure raises NoteError.
    """
    note = _as_text(note, "note")
    known: dict[tuple[str, bytes], NoteVerifier] = {}
    for v in verifiers:
        if not isinstance(v, NoteVerifier):
            raise TypeError(f"verifiers must be NoteVerifier objects, got {type(v).__name__}")
        known[(v.name, bytes(v.key_id))] = v
    text, signatures = _split_note(note)
    message = text.encode("utf-8")
    verified: list[str] = []
    ignored: list[NoteSignature] = []
    for sig in signatures:
        verifier = known.get((sig.name, sig.key_id))
        if verifier is None:
            ignored.append(sig)
            continue
        if not verifier.verify(message, sig.signature):
            raise NoteError(
                f"signature by {sig.name!r} (key id {sig.key_id.hex()}) does not verify: "
                "the note text was changed after signing, or the signature is corrupt"
            )
        if sig.name not in verified:
            verified.append(sig.name)
    if not verified:
        present = ", ".join(f"{s.name} ({s.key_id.hex()})" for s in signatures)
        trusted = ", ".join(f"{v.name} ({v.key_id.hex()})" for v in known.values()) or "none"
        raise NoteError(
            f"note is not signed by any trusted key: it carries signatures by {present}; "
            f"trusted keys are {trusted}"
        )
    return OpenedNote(text=text, verified=tuple(verified), ignored=tuple(ignored))


# -- checkpoints ------------------------------------------------------------------


@dataclass(frozen=True)
class Checkpoint:
    """A c2sp.org/tlog-checkpoint: the log's origin, tree size and root hash."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if isinstance(self.extensions, list):
            object.__setattr__(self, "extensions", tuple(self.extensions))
        if not isinstance(self.extensions, tuple):
            raise NoteError("checkpoint extensions must be a tuple of strings")
        lines = [("origin", self.origin), *(("extension line", e) for e in self.extensions)]
        for what, line in lines:
            if not isinstance(line, str) or not line:
                raise NoteError(f"checkpoint {what} must be a non-empty string, got {line!r}")
            if "\n" in line:
                raise NoteError(f"checkpoint {what} {line!r} contains a newline")
            problem = _control_char_error(line, f"checkpoint {what}")
            if problem is not None:
                raise NoteError(problem)
            _check_utf8(line, f"checkpoint {what}")
        if isinstance(self.size, bool) or not isinstance(self.size, int):
            raise NoteError(f"checkpoint size must be an integer, got {type(self.size).__name__}")
        if not 0 <= self.size <= _MAX_UINT64:
            raise NoteError(f"checkpoint size {self.size} is not a 64-bit unsigned number")
        if not isinstance(self.root, bytes) or len(self.root) != HASH_SIZE:
            got = len(self.root) if isinstance(self.root, bytes) else type(self.root).__name__
            raise NoteError(f"checkpoint root hash must be {HASH_SIZE} bytes, got {got}")

    def body(self) -> str:
        """The note text: origin, size, base64 root, extension lines, each ending in a newline."""
        lines = [self.origin, str(self.size), _b64(self.root), *self.extensions]
        return "".join(line + "\n" for line in lines)


def parse_checkpoint(body: str) -> Checkpoint:
    """Parse a checkpoint note text strictly; raise NoteError naming the bad line."""
    if not isinstance(body, str):
        raise NoteError(f"checkpoint must be a string, got {type(body).__name__}")
    if not body.endswith("\n"):
        raise NoteError("checkpoint text must end with a newline")
    lines = body[:-1].split("\n")
    if len(lines) < 3:
        raise NoteError(
            f"checkpoint has {len(lines)} line(s); it needs origin, tree size and root hash"
        )
    for number, line in enumerate(lines, start=1):
        if not line:
            raise NoteError(f"checkpoint line {number} is empty; no checkpoint line may be")
    problem = _control_char_error(body, "checkpoint")
    if problem is not None:
        raise NoteError(problem)
    origin, size_line, root_line, *extensions = lines
    size = _parse_decimal(size_line, "checkpoint tree size (line 2)")
    root = _b64decode(root_line, "checkpoint root hash (line 3)")
    if len(root) != HASH_SIZE:
        raise NoteError(
            f"checkpoint root hash (line 3) is {len(root)} bytes long; it must be {HASH_SIZE}"
        )
    return Checkpoint(origin=origin, size=size, root=root, extensions=tuple(extensions))


def open_checkpoint(
    note: str | bytes, verifiers: Sequence[NoteVerifier], *, origin: str | None = None
) -> Checkpoint:
    """Open a signed checkpoint: check its signatures, parse its text, check its origin."""
    checkpoint = parse_checkpoint(open_note(note, verifiers).text)
    if origin is not None and checkpoint.origin != origin:
        raise NoteError(
            f"checkpoint is for log {checkpoint.origin!r}, not the expected log {origin!r}"
        )
    return checkpoint


# -- tlog-proof -------------------------------------------------------------------


@dataclass(frozen=True)
class TlogProof:
    """A parsed c2sp.org/tlog-proof@v1: entry index, inclusion proof, signed checkpoint.

    ``extra`` is the optional opaque extra data; it is NOT authenticated.
    ``checkpoint`` is the signed checkpoint note, verbatim and not yet verified.
    """

    index: int
    proof: tuple[bytes, ...]
    checkpoint: str
    extra: bytes | None = None

    def format(self) -> str:
        return format_tlog_proof(self.index, self.proof, self.checkpoint, extra=self.extra)


def format_tlog_proof(
    index: int, proof: Sequence[bytes], signed_checkpoint: str, *, extra: bytes | None = None
) -> str:
    """Write a c2sp.org/tlog-proof@v1 text.

    ``signed_checkpoint`` is the signed checkpoint note exactly as the log signed
    it (with any witness cosignatures); ``extra`` is optional opaque data.
    """
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index <= _MAX_UINT64:
        raise ValueError(f"index must be an integer between 0 and 2**64 - 1, got {index!r}")
    hashes = [bytes(h) for h in proof]
    for i, h in enumerate(hashes):
        if len(h) != HASH_SIZE:
            raise ValueError(f"proof hash {i} is {len(h)} bytes long; it must be {HASH_SIZE}")
    if len(hashes) > _MAX_PROOF_HASHES:
        raise ValueError(f"proof has {len(hashes)} hashes; no tree needs more than 64")
    # Structure only: the signatures are for the verifier to check.
    signed_checkpoint = _as_text(signed_checkpoint, "signed checkpoint")
    text, _ = _split_note(signed_checkpoint)
    parse_checkpoint(text)
    lines = [TLOG_PROOF_HEADER]
    if extra is not None:
        if not extra:
            raise ValueError("extra data is empty; pass None to leave the extra line out")
        lines.append(f"extra {_b64(bytes(extra))}")
    lines.append(f"index {index}")
    lines.extend(_b64(h) for h in hashes)
    return "\n".join(lines) + "\n\n" + signed_checkpoint


def parse_tlog_proof(text: str | bytes) -> TlogProof:
    """Parse a c2sp.org/tlog-proof@v1 text strictly; raise NoteError naming the bad line.

    The embedded checkpoint is checked for structure only; `verify_tlog_proof`
    checks its signatures and the inclusion proof.
    """
    text = _as_text(text, "tlog-proof")
    head, sep, checkpoint = text.partition("\n\n")
    if not sep:
        raise NoteError(
            "tlog-proof has no blank line between the inclusion proof and the checkpoint"
        )
    lines = head.split("\n")
    problem = _control_char_error(head, "tlog-proof")
    if problem is not None:
        raise NoteError(problem)
    if lines[0] != TLOG_PROOF_HEADER:
        raise NoteError(f"tlog-proof line 1 must be {TLOG_PROOF_HEADER!r}, got {lines[0][:60]!r}")
    pos = 1
    extra: bytes | None = None
    if pos < len(lines) and lines[pos].startswith("extra "):
        extra = _b64decode(lines[pos][len("extra ") :], f"tlog-proof line {pos + 1}: extra data")
        if not extra:
            raise NoteError(f"tlog-proof line {pos + 1}: extra data is empty")
        pos += 1
    if pos >= len(lines) or not lines[pos].startswith("index "):
        got = lines[pos][:60] if pos < len(lines) else "nothing"
        raise NoteError(f"tlog-proof line {pos + 1} must be 'index <n>', got {got!r}")
    index = _parse_decimal(lines[pos][len("index ") :], f"tlog-proof line {pos + 1}: index")
    pos += 1
    hashes: list[bytes] = []
    for number, line in enumerate(lines[pos:], start=pos + 1):
        h = _b64decode(line, f"tlog-proof line {number}: proof hash")
        if len(h) != HASH_SIZE:
            raise NoteError(
                f"tlog-proof line {number}: proof hash is {len(h)} bytes long; "
                f"it must be {HASH_SIZE}"
            )
        hashes.append(h)
    if len(hashes) > _MAX_PROOF_HASHES:
        raise NoteError(f"tlog-proof has {len(hashes)} proof hashes; no tree needs more than 64")
    if not checkpoint:
        raise NoteError("tlog-proof has no checkpoint after the blank line")
    note_text, _ = _split_note(checkpoint)
    parse_checkpoint(note_text)
    return TlogProof(index=index, proof=tuple(hashes), checkpoint=checkpoint, extra=extra)


def verify_tlog_proof(
    text: str | bytes,
    leaf_hash: bytes,
    verifiers: Sequence[NoteVerifier],
    *,
    origin: str | None = None,
) -> Checkpoint:
    """Verify a c2sp.org/tlog-proof@v1 for the entry whose RFC 9162 leaf hash is ``leaf_hash``.

    ``verifiers`` are the log's trusted keys; ``origin``, if given, is the log the
    checkpoint must be for. Checks, in the spec's order, that the checkpoint is
    signed by a trusted key (NoteError) and that the inclusion proof binds the
    leaf hash at the stated index to the checkpoint's root (ProofError). Returns
    the verified checkpoint. The extra data is not looked at: it is unauthenticated.
    """
    proof = parse_tlog_proof(text)
    checkpoint = open_checkpoint(proof.checkpoint, verifiers, origin=origin)
    verify_inclusion(leaf_hash, proof.index, checkpoint.size, proof.proof, checkpoint.root)
    return checkpoint
