"""Tests of ledger.note: C2SP signed notes, checkpoints and tlog-proofs.

Every key here is a TEST key derived from a fixed, public, labelled seed. Never
use them for anything but tests.

Still to add, once the shared vectors folder carries it (third-party example
data is not copied into this project): the example of the C2SP signed-note
specification, section "Verifier keys" → "Example" (the verifier key for the
key name ``example.com/foo`` and the signed note "This is an example
message."), which Go's golang.org/x/mod/sumdb/note also verifies. A test
should parse that verifier key with `parse_verifier_key` and open that note
with `open_note`.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from ledger.errors import NoteError, ProofError
from ledger.merkle import EMPTY_ROOT, MerkleTree, leaf_hash
from ledger.note import (
    MAX_SIGNATURES,
    TLOG_PROOF_HEADER,
    Checkpoint,
    NoteSigner,
    NoteVerifier,
    OpenedNote,
    TlogProof,
    format_tlog_proof,
    key_id,
    open_checkpoint,
    open_note,
    parse_checkpoint,
    parse_tlog_proof,
    parse_verifier_key,
    verifier_key,
    verify_tlog_proof,
)

# TEST KEYS ONLY. Seeds are SHA-256 of a public label: anyone can sign with them.
TEST_SEED = hashlib.sha256(b"pingyi test key: checkpoint signer").digest()
TEST_KEY = Ed25519PrivateKey.from_private_bytes(TEST_SEED)
TEST_PUBLIC = TEST_KEY.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
TEST_NAME = "pingyi.example/test-log"

OTHER_SEED = hashlib.sha256(b"pingyi test key: another signer").digest()
OTHER_KEY = Ed25519PrivateKey.from_private_bytes(OTHER_SEED)
OTHER_NAME = "witness.pingyi.example/test"

EM_DASH = "\u2014"


@pytest.fixture
def signer() -> NoteSigner:
    return NoteSigner(TEST_NAME, TEST_KEY)


@pytest.fixture
def other() -> NoteSigner:
    return NoteSigner(OTHER_NAME, OTHER_KEY)


# -- keys --------------------------------------------------------------------------


def test_key_id_and_verifier_key_computed_by_hand() -> None:
    want_id = hashlib.sha256(TEST_NAME.encode() + b"\n" + b"\x01" + TEST_PUBLIC).digest()[:4]
    assert key_id(TEST_NAME, TEST_PUBLIC) == want_id
    material = base64.b64encode(b"\x01" + TEST_PUBLIC).decode("ascii")
    want_vkey = f"{TEST_NAME}+{want_id.hex()}+{material}"
    assert verifier_key(TEST_NAME, TEST_PUBLIC) == want_vkey
    signer = NoteSigner(TEST_NAME, TEST_KEY)
    assert signer.verifier_key == want_vkey
    assert signer.key_id == want_id
    assert signer.public_key == TEST_PUBLIC
    parsed = parse_verifier_key(want_vkey)
    assert parsed == NoteVerifier(name=TEST_NAME, key_id=want_id, public_key=TEST_PUBLIC)
    assert parsed == signer.verifier
    assert parsed.vkey == want_vkey


def test_verifier_key_whose_base64_contains_plus_parses() -> None:
    # The key material's base64 may contain '+'; only the first two '+' separate parts.
    for i in range(64):
        key = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"test %d" % i).digest())
        public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        vkey = verifier_key("k", public)
        if "+" in vkey.split("+", 2)[2]:
            assert parse_verifier_key(vkey).public_key == public
            return
    pytest.fail("no test key with '+' in its base64 found")


def _vkey(name: str, kid: str, material: bytes) -> str:
    return f"{name}+{kid}+{base64.b64encode(material).decode('ascii')}"


GOOD_ID = hashlib.sha256(TEST_NAME.encode() + b"\n\x01" + TEST_PUBLIC).digest()[:4].hex()


@pytest.mark.parametrize(
    ("vkey", "message"),
    [
        (TEST_NAME, "not of the form"),
        (f"{TEST_NAME}+{GOOD_ID}", "not of the form"),
        (_vkey("", GOOD_ID, b"\x01" + TEST_PUBLIC), "empty"),
        (_vkey("a b", GOOD_ID, b"\x01" + TEST_PUBLIC), "space"),
        (_vkey("a\tb", GOOD_ID, b"\x01" + TEST_PUBLIC), "space"),
        (_vkey("a\u00a0b", GOOD_ID, b"\x01" + TEST_PUBLIC), "space"),
        (_vkey("a\u3000b", GOOD_ID, b"\x01" + TEST_PUBLIC), "space"),
        (_vkey("a\x00b", GOOD_ID, b"\x01" + TEST_PUBLIC), "control"),
        (_vkey(TEST_NAME, GOOD_ID.upper(), b"\x01" + TEST_PUBLIC), "lowercase"),
        (_vkey(TEST_NAME, GOOD_ID[:7], b"\x01" + TEST_PUBLIC), "8 lowercase"),
        (_vkey(TEST_NAME, "0" + GOOD_ID, b"\x01" + TEST_PUBLIC), "8 lowercase"),
        (_vkey(TEST_NAME, "00000000", b"\x01" + TEST_PUBLIC), "does not match"),
        (_vkey(TEST_NAME, GOOD_ID, b"\x02" + TEST_PUBLIC), "0x02 is not supported"),
        (_vkey(TEST_NAME, GOOD_ID, b"\x01" + TEST_PUBLIC[:31]), "31 bytes"),
        (_vkey(TEST_NAME, GOOD_ID, b"\x01" + TEST_PUBLIC + b"\x00"), "33 bytes"),
        (_vkey(TEST_NAME, GOOD_ID, b""), "empty"),
        (f"{TEST_NAME}+{GOOD_ID}+not base64!", "not valid base64"),
        (
            f"{TEST_NAME}+{GOOD_ID}+"
            + base64.b64encode(b"\x01" + TEST_PUBLIC).decode("ascii")[:-1],
            "not valid base64",
        ),
    ],
)
def test_parse_verifier_key_rejects(vkey: str, message: str) -> None:
    with pytest.raises(NoteError, match=message):
        parse_verifier_key(vkey)


def test_note_verifier_checks_its_key_id() -> None:
    with pytest.raises(NoteError, match="does not belong"):
        NoteVerifier(name=TEST_NAME, key_id=b"\x00\x00\x00\x00", public_key=TEST_PUBLIC)
    with pytest.raises(NoteError, match="'\\+'"):
        NoteSigner("a+b", TEST_KEY)
    with pytest.raises(TypeError):
        NoteSigner(TEST_NAME, "not a key")  # type: ignore[arg-type]


# -- signing and opening -----------------------------------------------------------

TEXT = "pingyi test note\nsecond line\n"


def test_sign_produces_the_spec_format(signer: NoteSigner) -> None:
    note = signer.sign(TEXT)
    signature = TEST_KEY.sign(TEXT.encode("utf-8"))  # Ed25519 is deterministic
    kid = hashlib.sha256(TEST_NAME.encode() + b"\n\x01" + TEST_PUBLIC).digest()[:4]
    want = TEXT + "\n" + f"{EM_DASH} {TEST_NAME} " + base64.b64encode(kid + signature).decode()
    assert note == want + "\n"
    TEST_KEY.public_key().verify(signature, TEXT.encode("utf-8"))


def test_round_trip(signer: NoteSigner) -> None:
    opened = open_note(signer.sign(TEXT), [signer.verifier])
    assert opened == OpenedNote(text=TEXT, verified=(TEST_NAME,), ignored=())
    assert open_note(signer.sign(TEXT).encode("utf-8"), [signer.verifier]).text == TEXT


@pytest.mark.parametrize(
    "text",
    ["\n", "one line\n", "with\n\nempty lines\n\n", "ed è subito sera\n", "trailing\n\n\n"],
)
def test_round_trip_of_unusual_texts(signer: NoteSigner, text: str) -> None:
    assert open_note(signer.sign(text), [signer.verifier]).text == text


def test_two_signers_and_unknown_signatures(signer: NoteSigner, other: NoteSigner) -> None:
    note = signer.sign(TEXT) + other.signature_line(TEXT)
    both = open_note(note, [signer.verifier, other.verifier])
    assert both.verified == (TEST_NAME, OTHER_NAME)
    only_log = open_note(note, [signer.verifier])
    assert only_log.verified == (TEST_NAME,)
    assert [s.name for s in only_log.ignored] == [OTHER_NAME]
    assert only_log.ignored[0].key_id == other.key_id
    assert open_note(note, [other.verifier]).verified == (OTHER_NAME,)


def test_tampered_text_is_rejected(signer: NoteSigner) -> None:
    note = signer.sign(TEXT).replace("second", "Second", 1)
    with pytest.raises(NoteError, match="does not verify"):
        open_note(note, [signer.verifier])


def test_a_bad_signature_from_a_known_key_rejects_the_whole_note(
    signer: NoteSigner, other: NoteSigner
) -> None:
    # The other key's signature is over a different text, so it fails to verify.
    note = signer.sign(TEXT) + other.signature_line("another text\n")
    with pytest.raises(NoteError, match=f"signature by '{OTHER_NAME}'.*does not verify"):
        open_note(note, [signer.verifier, other.verifier])
    # Unknown to the caller, it is ignored.
    assert open_note(note, [signer.verifier]).verified == (TEST_NAME,)


def test_wrong_key_is_rejected(signer: NoteSigner) -> None:
    # Same name, another key: the key id differs, so the signature is unknown.
    impostor = NoteSigner(TEST_NAME, OTHER_KEY)
    with pytest.raises(NoteError, match="not signed by any trusted key"):
        open_note(impostor.sign(TEXT), [signer.verifier])
    with pytest.raises(NoteError, match="not signed by any trusted key"):
        open_note(signer.sign(TEXT), [])


def _replace_signature(note: str, raw: bytes) -> str:
    head, _, _ = note.rstrip("\n").rpartition(" ")
    return head + " " + base64.b64encode(raw).decode("ascii") + "\n"


def _signature_bytes(note: str) -> bytes:
    return base64.b64decode(note.rstrip("\n").rpartition(" ")[2])


def test_wrong_key_id_is_rejected(signer: NoteSigner) -> None:
    note = signer.sign(TEXT)
    raw = _signature_bytes(note)
    bad = _replace_signature(note, bytes([raw[0] ^ 1]) + raw[1:])
    with pytest.raises(NoteError, match="not signed by any trusted key"):
        open_note(bad, [signer.verifier])
    # A corrupted signature under the right key id is a failed verification.
    corrupt = _replace_signature(note, raw[:10] + bytes([raw[10] ^ 1]) + raw[11:])
    with pytest.raises(NoteError, match="does not verify"):
        open_note(corrupt, [signer.verifier])
    truncated = _replace_signature(note, raw[:-1])
    with pytest.raises(NoteError, match="does not verify"):
        open_note(truncated, [signer.verifier])


def _sig_line(signer: NoteSigner) -> str:
    return signer.signature_line(TEXT)


@pytest.mark.parametrize(
    ("mangle", "message"),
    [
        (lambda n, line: n[:-1], "does not end with a newline"),
        (lambda n, line: n + "\n", "no signature lines after its last blank line"),
        (lambda n, line: n.replace("\n\n", "\n", 1), "no blank line"),
        (lambda n, line: TEXT + "\n", "no signature lines"),
        (lambda n, line: n.replace(EM_DASH, "-", 1), "must start with an em dash"),
        (lambda n, line: n.replace(EM_DASH + " ", EM_DASH, 1), "must start with an em dash"),
        (lambda n, line: n.replace(f"{TEST_NAME} ", f"{TEST_NAME}", 1), "no space"),
        (lambda n, line: n.replace(f"{TEST_NAME} ", f"{TEST_NAME}  ", 1), "not valid base64"),
        (lambda n, line: n.replace(f" {TEST_NAME} ", " a+b ", 1), "'\\+'"),
        (lambda n, line: n.replace(f" {TEST_NAME} ", "  ", 1), "empty"),
        (lambda n, line: n[:-1] + " \n", "not valid base64"),
        (lambda n, line: n[:-1] + "!\n", "not valid base64"),
        (lambda n, line: n + line.replace(line.split(" ")[2], "AAAA\n"), "4-byte key id"),
        (lambda n, line: n.replace("\n", "\r\n"), "U\\+000D"),
        (lambda n, line: n.replace("second", "sec\rond"), "U\\+000D on line 2"),
        (lambda n, line: n.replace("second", "sec\tond"), "U\\+0009"),
        (lambda n, line: n + line + "\n", "no signature lines after its last blank line"),
        (lambda n, line: n + "\n" + line, "not signed by any trusted key|does not verify"),
        (lambda n, line: n + line * MAX_SIGNATURES, "at most 100"),
        (lambda n, line: "", "no blank line"),
    ],
    ids=[
        "missing-final-newline",
        "extra-blank-line-at-end",
        "no-blank-line",
        "no-signature-lines",
        "hyphen-instead-of-em-dash",
        "no-space-after-em-dash",
        "no-space-before-signature",
        "two-spaces-before-signature",
        "plus-in-key-name",
        "empty-key-name",
        "trailing-space",
        "non-base64-signature",
        "signature-too-short",
        "crlf-line-endings",
        "bare-carriage-return",
        "tab-in-text",
        "blank-line-after-signatures",
        "blank-line-between-signatures",
        "too-many-signatures",
        "empty-note",
    ],
)
def test_malformed_notes_are_rejected(
    signer: NoteSigner, mangle: Callable[[str, str], str], message: str
) -> None:
    note = signer.sign(TEXT)
    with pytest.raises(NoteError, match=message):
        open_note(mangle(note, _sig_line(signer)), [signer.verifier])


def test_invalid_utf8_is_rejected(signer: NoteSigner) -> None:
    raw = signer.sign(TEXT).encode("utf-8").replace(b"second", b"sec\xffond")
    with pytest.raises(NoteError, match="UTF-8"):
        open_note(raw, [signer.verifier])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("no final newline", "must end with a newline"),
        ("", "must end with a newline"),
        ("bare\rreturn\n", "U\\+000D"),
        ("crlf\r\n", "U\\+000D"),
        ("tab\there\n", "U\\+0009"),
        ("nul\x00\n", "U\\+0000"),
        ("lone \ud800 surrogate\n", "UTF-8"),
    ],
)
def test_sign_rejects_malformed_text(signer: NoteSigner, text: str, message: str) -> None:
    with pytest.raises(NoteError, match=message):
        signer.sign(text)


# -- checkpoints -----------------------------------------------------------------

ROOT = hashlib.sha256(b"pingyi test root").digest()
ROOT_B64 = base64.b64encode(ROOT).decode("ascii")


def test_checkpoint_body_and_parse() -> None:
    cp = Checkpoint(origin=TEST_NAME, size=1234, root=ROOT)
    assert cp.body() == f"{TEST_NAME}\n1234\n{ROOT_B64}\n"
    assert parse_checkpoint(cp.body()) == cp
    ext = Checkpoint(origin="o", size=0, root=EMPTY_ROOT, extensions=("ext one", "ext two"))
    assert ext.body() == f"o\n0\n{base64.b64encode(EMPTY_ROOT).decode()}\next one\next two\n"
    assert parse_checkpoint(ext.body()) == ext
    big = Checkpoint(origin="o", size=2**64 - 1, root=ROOT)
    assert parse_checkpoint(big.body()) == big
    # Origins need not be URLs: clients must not assume a format.
    assert parse_checkpoint(f"my log + co\n1\n{ROOT_B64}\n").origin == "my log + co"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (f"o\n1\n{ROOT_B64}", "end with a newline"),
        ("o\n1\n", "needs origin, tree size and root"),
        (f"\n1\n{ROOT_B64}\n", "line 1 is empty"),
        (f"o\n\n{ROOT_B64}\n", "line 2 is empty"),
        (f"o\n1\n{ROOT_B64}\n\n", "line 4 is empty"),
        (f"o\n1\n{ROOT_B64}\next\n\n", "line 5 is empty"),
        (f"o\n007\n{ROOT_B64}\n", "without leading zeros"),
        (f"o\n00\n{ROOT_B64}\n", "without leading zeros"),
        (f"o\n+5\n{ROOT_B64}\n", "without leading zeros"),
        (f"o\n-1\n{ROOT_B64}\n", "without leading zeros"),
        (f"o\n 5\n{ROOT_B64}\n", "without leading zeros"),
        (f"o\n1_000\n{ROOT_B64}\n", "without leading zeros"),
        (f"o\n\uff15\n{ROOT_B64}\n", "ASCII decimal"),
        (f"o\n\u0661\n{ROOT_B64}\n", "ASCII decimal"),
        (f"o\n{2**64}\n{ROOT_B64}\n", "64 bits"),
        (f"o\n1\n{base64.b64encode(ROOT[:31]).decode()}\n", "31 bytes"),
        (f"o\n1\n{ROOT.hex()}\n", "48 bytes"),
        (f"o\n1\n{ROOT_B64.rstrip('=')}\n", "base64"),
        (f"o\n1\n{ROOT_B64[:-2]}B=\n", "not canonical base64"),
        (f"o\n1\n{ROOT_B64}\r\n", "U\\+000D"),
        (f"o\tx\n1\n{ROOT_B64}\n", "U\\+0009"),
    ],
)
def test_parse_checkpoint_is_strict(body: str, message: str) -> None:
    with pytest.raises(NoteError, match=message):
        parse_checkpoint(body)


def test_checkpoint_constructor_is_strict() -> None:
    with pytest.raises(NoteError, match="origin"):
        Checkpoint(origin="", size=1, root=ROOT)
    with pytest.raises(NoteError, match="newline"):
        Checkpoint(origin="a\nb", size=1, root=ROOT)
    with pytest.raises(NoteError, match="64-bit"):
        Checkpoint(origin="o", size=-1, root=ROOT)
    with pytest.raises(NoteError, match="integer"):
        Checkpoint(origin="o", size=True, root=ROOT)
    with pytest.raises(NoteError, match="32 bytes, got 31"):
        Checkpoint(origin="o", size=1, root=ROOT[:31])
    with pytest.raises(NoteError, match="extension line"):
        Checkpoint(origin="o", size=1, root=ROOT, extensions=("",))


def test_signed_checkpoint_round_trip(signer: NoteSigner, other: NoteSigner) -> None:
    cp = Checkpoint(origin=TEST_NAME, size=42, root=ROOT)
    note = signer.sign(cp.body())
    assert open_checkpoint(note, [signer.verifier]) == cp
    assert open_checkpoint(note, [signer.verifier], origin=TEST_NAME) == cp
    with pytest.raises(NoteError, match="not the expected log"):
        open_checkpoint(note, [signer.verifier], origin="another.example/log")
    with pytest.raises(NoteError, match="not signed by any trusted key"):
        open_checkpoint(note, [other.verifier])
    with pytest.raises(NoteError, match="does not verify"):
        open_checkpoint(note.replace("\n42\n", "\n43\n"), [signer.verifier])


# -- tlog-proof ---------------------------------------------------------------------

ENTRIES = [f"pingyi test entry {i}".encode() for i in range(13)]


@pytest.fixture
def log(signer: NoteSigner) -> tuple[MerkleTree, str]:
    tree = MerkleTree(leaf_hash(e) for e in ENTRIES)
    checkpoint = Checkpoint(origin=TEST_NAME, size=tree.size, root=tree.root())
    return tree, signer.sign(checkpoint.body())


def test_tlog_proof_layout(log: tuple[MerkleTree, str]) -> None:
    tree, signed = log
    proof = tree.inclusion_proof(5, tree.size)
    text = format_tlog_proof(5, proof, signed)
    hashes = "".join(base64.b64encode(h).decode() + "\n" for h in proof)
    assert text == f"c2sp.org/tlog-proof@v1\nindex 5\n{hashes}\n{signed}"
    with_extra = format_tlog_proof(5, proof, signed, extra=b"context")
    extra_b64 = base64.b64encode(b"context").decode()
    assert with_extra == f"c2sp.org/tlog-proof@v1\nextra {extra_b64}\nindex 5\n{hashes}\n{signed}"
    assert TLOG_PROOF_HEADER == "c2sp.org/tlog-proof@v1"


def test_tlog_proof_round_trip_for_every_entry(
    log: tuple[MerkleTree, str], signer: NoteSigner, other: NoteSigner
) -> None:
    tree, signed = log
    cosigned = signed + other.signature_line(open_note(signed, [signer.verifier]).text)
    want = Checkpoint(origin=TEST_NAME, size=tree.size, root=tree.root())
    for index, entry in enumerate(ENTRIES):
        proof = tree.inclusion_proof(index, tree.size)
        extra = None if index % 2 else f"extra {index}".encode()
        text = format_tlog_proof(index, proof, cosigned, extra=extra)
        parsed = parse_tlog_proof(text)
        assert parsed == TlogProof(
            index=index, proof=tuple(proof), checkpoint=cosigned, extra=extra
        )
        assert parsed.format() == text
        got = verify_tlog_proof(text, leaf_hash(entry), [signer.verifier], origin=TEST_NAME)
        assert got == want


def test_tlog_proof_of_a_single_entry_log(signer: NoteSigner) -> None:
    h = leaf_hash(b"only entry")
    signed = signer.sign(Checkpoint(origin=TEST_NAME, size=1, root=h).body())
    text = format_tlog_proof(0, [], signed)
    assert text.startswith("c2sp.org/tlog-proof@v1\nindex 0\n\n")
    assert verify_tlog_proof(text, h, [signer.verifier]).size == 1


def test_tlog_proof_rejects_wrong_index_proof_leaf_or_checkpoint(
    log: tuple[MerkleTree, str], signer: NoteSigner, other: NoteSigner
) -> None:
    tree, signed = log
    index = 6
    proof = tree.inclusion_proof(index, tree.size)
    good = format_tlog_proof(index, proof, signed)
    entry_hash = leaf_hash(ENTRIES[index])
    verify_tlog_proof(good, entry_hash, [signer.verifier])

    with pytest.raises(ProofError):
        verify_tlog_proof(format_tlog_proof(7, proof, signed), entry_hash, [signer.verifier])
    flipped = [proof[0], bytes([proof[1][0] ^ 0x80]) + proof[1][1:], *proof[2:]]
    with pytest.raises(ProofError, match="root"):
        verify_tlog_proof(format_tlog_proof(index, flipped, signed), entry_hash, [signer.verifier])
    with pytest.raises(ProofError, match="must have"):
        verify_tlog_proof(
            format_tlog_proof(index, proof[:-1], signed), entry_hash, [signer.verifier]
        )
    with pytest.raises(ProofError, match="root"):
        verify_tlog_proof(good, leaf_hash(ENTRIES[index + 1]), [signer.verifier])
    with pytest.raises(ProofError, match="leaf hash is"):
        verify_tlog_proof(good, ENTRIES[index], [signer.verifier])

    # A checkpoint of an earlier tree size: the proof does not lead to its root.
    older = signer.sign(Checkpoint(origin=TEST_NAME, size=10, root=tree.root(10)).body())
    with pytest.raises(ProofError):
        verify_tlog_proof(format_tlog_proof(index, proof, older), entry_hash, [signer.verifier])
    # A checkpoint whose root was changed after signing.
    forged_root = base64.b64encode(hashlib.sha256(b"forged").digest()).decode()
    forged = signed.replace(base64.b64encode(tree.root()).decode(), forged_root)
    with pytest.raises(NoteError, match="does not verify"):
        verify_tlog_proof(format_tlog_proof(index, proof, forged), entry_hash, [signer.verifier])
    # A checkpoint signed by a key the verifier does not trust.
    untrusted = other.sign(Checkpoint(origin=TEST_NAME, size=tree.size, root=tree.root()).body())
    with pytest.raises(NoteError, match="not signed by any trusted key"):
        verify_tlog_proof(format_tlog_proof(index, proof, untrusted), entry_hash, [signer.verifier])
    # A checkpoint for another log.
    with pytest.raises(NoteError, match="not the expected log"):
        verify_tlog_proof(good, entry_hash, [signer.verifier], origin="other.example/log")


def _good_proof_text(tree: MerkleTree, signed: str) -> str:
    return format_tlog_proof(3, tree.inclusion_proof(3, tree.size), signed, extra=b"x")


@pytest.mark.parametrize(
    ("mangle", "message"),
    [
        (lambda t: t.replace("tlog-proof@v1", "tlog-proof@v2", 1), "line 1 must be"),
        (lambda t: "\n" + t, "line 1 must be"),
        (lambda t: t.replace("index 3", "index 03"), "without leading zeros"),
        (lambda t: t.replace("index 3", "index -3"), "without leading zeros"),
        (lambda t: t.replace("index 3", "index  3"), "without leading zeros"),
        (lambda t: t.replace("index 3", f"index {2**64}"), "64 bits"),
        (lambda t: t.replace("index 3", "Index 3"), "must be 'index <n>'"),
        (lambda t: t.replace("index 3\n", ""), "must be 'index <n>'"),
        (lambda t: t.replace("extra eA==", "extra "), "extra data is empty"),
        (lambda t: t.replace("extra eA==", "extra eA"), "not valid base64"),
        (lambda t: t.replace("extra eA==\nindex 3", "index 3\nextra eA=="), "proof hash"),
        (lambda t: t.replace("\n\n", "\n", 1), "proof hash is not valid base64"),
        (lambda t: t.split("\n\n", 1)[0] + "\n", "no blank line between"),
        (lambda t: t.split("\n\n", 1)[0] + "\n\n", "no checkpoint"),
        (lambda t: t.replace("index 3\n", "index 3\nnot-base64!\n"), "line 4: proof hash"),
        (lambda t: t.replace("index 3\n", "index 3\nAAAA\n"), "proof hash is 3 bytes"),
        (lambda t: t.replace("index 3\n", "index 3\n" + ("A" * 43 + "=\n") * 65), "64"),
        (lambda t: t.replace("index 3\n", "index 3\r\n"), "U\\+000D"),
        (lambda t: t + "trailing garbage", "does not end with a newline"),
        (lambda t: t + "\n", "no signature lines after its last blank line"),
        (lambda t: t.replace(f"\n{TEST_NAME}\n13\n", f"\n{TEST_NAME}\n013\n"), "leading zeros"),
    ],
    ids=[
        "wrong-header",
        "leading-blank-line",
        "index-leading-zero",
        "negative-index",
        "index-two-spaces",
        "index-over-64-bits",
        "index-capitalised",
        "missing-index",
        "empty-extra",
        "unpadded-extra",
        "extra-after-index",
        "no-blank-line-before-checkpoint",
        "no-blank-line-at-all",
        "no-checkpoint",
        "non-base64-hash",
        "short-hash",
        "more-than-64-hashes",
        "crlf",
        "trailing-garbage",
        "trailing-blank-line",
        "checkpoint-size-leading-zero",
    ],
)
def test_parse_tlog_proof_is_strict(
    log: tuple[MerkleTree, str], mangle: Callable[[str], str], message: str
) -> None:
    tree, signed = log
    text = _good_proof_text(tree, signed)
    parse_tlog_proof(text)
    with pytest.raises(NoteError, match=message):
        parse_tlog_proof(mangle(text))


def test_format_tlog_proof_rejects_bad_input(log: tuple[MerkleTree, str]) -> None:
    tree, signed = log
    proof = tree.inclusion_proof(3, tree.size)
    with pytest.raises(ValueError, match="index"):
        format_tlog_proof(-1, proof, signed)
    with pytest.raises(ValueError, match="31 bytes"):
        format_tlog_proof(3, [proof[0][:31]], signed)
    with pytest.raises(ValueError, match="extra data is empty"):
        format_tlog_proof(3, proof, signed, extra=b"")
    with pytest.raises(NoteError, match="no blank line"):
        format_tlog_proof(3, proof, "not a signed checkpoint\n")
    with pytest.raises(NoteError, match="needs origin"):
        format_tlog_proof(3, proof, NoteSigner(TEST_NAME, TEST_KEY).sign("not a checkpoint\n"))
