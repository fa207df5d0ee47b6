"""Our notes, keys and Merkle proofs against Go's reference implementation.

formats.md names ``golang.org/x/mod/sumdb/note`` as the implementation that must
verify our checkpoints "as they are", and ``sumdb/tlog`` is Go's RFC 6962/9162
tree. These tests run that code, as installed from the system's packages (on
Debian: ``apt-get install golang-go golang-golang-x-mod-dev``), through the small
driver ``tests/interop/gonote/main.go``, and read the package's own documented
examples (``sumdb/note/example_test.go``) from the installed sources: the
third-party data stays where it was installed, nothing of it is copied here.

- Go's examples, with our code: the note in ``ExampleOpen`` opens with our
  verifier, and our signer reproduces ``ExampleSign`` and
  ``ExampleSign_add_signatures`` byte for byte from the keys they use.
- Go with our bytes: ``note.Open`` accepts our committed checkpoint and notes we
  sign (an ASCII and a non-ASCII key name) and rejects them altered; Go's
  ``GenerateKey``, ``NewEd25519VerifierKey`` and ``Sign`` give the verifier keys
  and notes ours give, and we open what Go signs.
- ``tlog`` computes the same roots, inclusion proofs and consistency proofs as
  ``ledger.merkle`` and as the committed vectors of ``tests/vectors/log.json``.

Without Go these tests are skipped with the install command, except where
``PINGYI_REQUIRE_GO`` is set (``.ci/run`` sets it): there they fail.
"""

from __future__ import annotations

import ast
import base64
import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ledger import merkle
from ledger.errors import LedgerError
from ledger.keys import Signer
from ledger.note import (
    Checkpoint,
    NoteSigner,
    open_checkpoint,
    open_note,
    parse_verifier_key,
    verifier_key,
)

HERE = Path(__file__).resolve().parent
VECTORS = HERE.parent / "vectors"
LOG = json.loads((VECTORS / "log.json").read_text(encoding="utf-8"))
NOTE_PACKAGE = Path("src/golang.org/x/mod/sumdb/note")
INSTALL = "apt-get install golang-go golang-golang-x-mod-dev"


# -- finding and running Go -----------------------------------------------------------


def _gopaths() -> list[Path]:
    """Where the x/mod sources may be installed, GOPATH layout (Debian: /usr/share/gocode)."""
    paths = [Path(p) for p in os.environ.get("GOPATH", "").split(os.pathsep) if p]
    go = shutil.which("go")
    if go is not None:
        found = subprocess.run([go, "env", "GOPATH"], capture_output=True, text=True, check=False)
        paths += [Path(p) for p in found.stdout.strip().split(os.pathsep) if p]
    return [*paths, Path("/usr/share/gocode")]


def _unavailable(reason: str) -> None:
    message = f"Go's reference implementation is needed here: {reason} (install: {INSTALL})"
    if os.environ.get("PINGYI_REQUIRE_GO"):
        pytest.fail(message)
    pytest.skip(message)


@dataclass(frozen=True)
class Go:
    gopath: Path
    driver: Path

    @property
    def examples(self) -> str:
        return (self.gopath / NOTE_PACKAGE / "example_test.go").read_text(encoding="utf-8")

    def run(self, *args: str, stdin: str | bytes = b"") -> subprocess.CompletedProcess[bytes]:
        data = stdin.encode("utf-8") if isinstance(stdin, str) else stdin
        return subprocess.run(
            [str(self.driver), *args], input=data, capture_output=True, check=False, timeout=60
        )

    def ok(self, *args: str, stdin: str | bytes = b"") -> str:
        done = self.run(*args, stdin=stdin)
        assert done.returncode == 0, done.stderr.decode()
        return done.stdout.decode("utf-8")


@pytest.fixture(scope="module")
def go(tmp_path_factory: pytest.TempPathFactory) -> Go:
    binary = shutil.which("go")
    if binary is None:
        _unavailable("no `go` command on PATH")
    assert binary is not None
    gopath = next((p for p in _gopaths() if (p / NOTE_PACKAGE / "note.go").is_file()), None)
    if gopath is None:
        _unavailable(f"golang.org/x/mod is not installed under any of {_gopaths()}")
    assert gopath is not None
    out = tmp_path_factory.mktemp("gonote")
    env = {
        **os.environ,
        "GO111MODULE": "off",
        "GOPATH": str(gopath),
        "GOCACHE": str(out / "cache"),
        "GOFLAGS": "",
        "CGO_ENABLED": "0",
    }
    built = subprocess.run(
        [binary, "build", "-o", str(out / "gonote"), str(HERE / "gonote" / "main.go")],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert built.returncode == 0, f"building the Go driver failed:\n{built.stderr}"
    return Go(gopath, out / "gonote")


# -- reading Go's documented examples -------------------------------------------------

_GO_STRING = r'"(?:[^"\\\n]|\\.)*"'


def _example(source: str, name: str) -> str:
    """The body of ``func <name>()`` in a Go file."""
    match = re.search(rf"^func {name}\(\) {{\n(.*?)^}}", source, re.DOTALL | re.MULTILINE)
    assert match is not None, f"{name} is not in the installed example_test.go"
    return match.group(1)


def _string(body: str, variable: str) -> str:
    """The value of ``variable := "..." + "..."`` (or ``[]byte(...)``) in a function body."""
    match = re.search(
        rf"\b{variable} :?= (?:\[\]byte\()?((?:{_GO_STRING}\s*\+?\s*)+)", body, re.DOTALL
    )
    assert match is not None, f"no string {variable} in the example"
    return "".join(ast.literal_eval(s) for s in re.findall(_GO_STRING, match.group(1)))


def _output(body: str) -> str:
    """The ``// Output:`` block of an example, as the lines it prints."""
    _, _, block = body.partition("// Output:\n")
    lines = [re.sub(r"^\s*//( |$)", "", line) for line in block.splitlines()]
    return "\n".join(lines).strip("\n") + "\n"


def _signer_from_skey(skey: str) -> NoteSigner:
    """Our signer for a Go private key string ``PRIVATE+KEY+<name>+<id>+base64(0x01 || seed)``."""
    private, key, name, key_id, material = skey.split("+", 4)
    assert (private, key) == ("PRIVATE", "KEY")
    raw = base64.b64decode(material)
    assert raw[0] == 1 and len(raw) == 33
    signer = NoteSigner(name, Ed25519PrivateKey.from_private_bytes(raw[1:]))
    assert signer.key_id.hex() == key_id
    return signer


# -- Go's examples, with our code ---------------------------------------------------


def test_the_go_note_example_opens_with_our_code(go: Go) -> None:
    body = _example(go.examples, "ExampleOpen")
    vkey, note, printed = _string(body, "vkey"), _string(body, "msg"), _output(body)
    verifier = parse_verifier_key(vkey)
    assert verifier.vkey == vkey
    opened = open_note(note, [verifier])
    assert opened.verified == (verifier.name,)
    # Go prints "<name> (<key id>):" and then the text.
    assert printed == f"{verifier.name} ({verifier.key_id.hex()}):\n{opened.text}"
    altered = note.replace("problem,", "problem;", 1)
    with pytest.raises(LedgerError):
        open_note(altered, [verifier])


def test_our_signer_reproduces_the_go_note_examples_byte_for_byte(go: Go) -> None:
    sign = _example(go.examples, "ExampleSign")
    peter = _signer_from_skey(_string(sign, "skey"))
    note = peter.sign(_string(sign, "text"))
    assert note == _output(sign)

    # ExampleSign_add_signatures adds EnochRoot's signature, its key generated by
    # GenerateKey from the example's zeroReader: a seed of 32 zero bytes.
    add = _example(go.examples, "ExampleSign_add_signatures")
    assert "zeroReader{}" in go.examples and '"EnochRoot"' in add
    enoch = NoteSigner("EnochRoot", Ed25519PrivateKey.from_private_bytes(bytes(32)))
    opened = open_note(_string(add, "msg"), [parse_verifier_key(_string(add, "vkey"))])
    assert _string(add, "msg") + enoch.signature_line(opened.text) == _output(add)


# -- Go, with our bytes ---------------------------------------------------------------


def _open_with_go(go: Go, note: str, *vkeys: str) -> dict[str, object]:
    return dict(json.loads(go.ok("open", *vkeys, stdin=note)))


def test_go_opens_our_committed_checkpoint(go: Go) -> None:
    note = (VECTORS / "checkpoint.note").read_text(encoding="utf-8")
    vkey = LOG["log_verifier_key"]
    opened = _open_with_go(go, note, vkey)
    ours = open_checkpoint(note, [parse_verifier_key(vkey)], origin=LOG["origin"])
    assert opened["text"] == ours.body()
    assert opened["sigs"] == [{"name": LOG["origin"], "hash": vkey.split("+")[1]}]


@pytest.mark.parametrize("name", ["county.pingyi.example/2026", "评议.example/县"])
def test_go_opens_the_notes_we_sign_and_refuses_them_altered(go: Go, name: str) -> None:
    ours = NoteSigner(
        name, Signer.from_seed(f"pingyi TEST key: Go interop {name}".encode()).private_key
    )
    assert go.ok("vkey", name, base64.b64encode(ours.public_key).decode()).strip() == (
        ours.verifier_key
    )
    body = Checkpoint(name, 1234, bytes(range(32))).body()
    note = ours.sign(body)
    opened = _open_with_go(go, note, ours.verifier_key)
    assert opened == {"text": body, "sigs": [{"name": name, "hash": ours.key_id.hex()}]}
    flipped = "B" if note[-10] == "A" else "A"  # a signature byte changed, still base64
    for altered in (note.replace("1234", "1235", 1), note[:-10] + flipped + note[-9:]):
        refused = go.run("open", ours.verifier_key, stdin=altered)
        assert refused.returncode == 1 and b"invalid signature" in refused.stderr
        with pytest.raises(LedgerError):
            open_note(altered, [ours.verifier])


@pytest.mark.parametrize("name", ["witness.example/w1", "评议.example/见证"])
def test_we_open_what_go_signs_and_sign_what_go_signs(go: Go, name: str) -> None:
    seed = bytes.fromhex("a5" * 32)
    keys = json.loads(go.ok("keygen", name, seed.hex()))
    ours = NoteSigner(name, Ed25519PrivateKey.from_private_bytes(seed))
    assert keys["vkey"] == ours.verifier_key == verifier_key(name, ours.public_key)
    body = Checkpoint(name, 7, bytes(32)).body()
    theirs = go.ok("sign", keys["skey"], stdin=body)
    assert theirs == ours.sign(body)
    assert open_checkpoint(theirs, [parse_verifier_key(keys["vkey"])], origin=name) == Checkpoint(
        name, 7, bytes(32)
    )


# -- tlog: the same tree ------------------------------------------------------------


def _go_tree(
    go: Go,
    records: list[bytes],
    inclusion: list[tuple[int, int]],
    consistency: list[tuple[int, int]],
) -> dict[str, list[object]]:
    request = {
        "records": [base64.b64encode(r).decode() for r in records],
        "inclusion": inclusion,
        "consistency": consistency,
    }
    return dict(json.loads(go.ok("tree", stdin=json.dumps(request))))


def _b64(hashes: list[bytes]) -> list[str]:
    return [base64.b64encode(h).decode() for h in hashes]


def test_go_tlog_computes_the_committed_roots_and_proofs(go: Go) -> None:
    records = [e["entry_bytes"].encode("utf-8") for e in LOG["entries"]]
    inclusion = [(v["index"], v["size"]) for v in LOG["inclusion"]]
    consistency = [(v["size1"], v["size2"]) for v in LOG["consistency"]]
    tree = _go_tree(go, records, inclusion, consistency)
    assert tree["roots"] == [LOG["roots"][str(n)] for n in range(1, len(records) + 1)]
    assert tree["inclusion"] == [v["proof"] for v in LOG["inclusion"]]
    assert tree["consistency"] == [v["proof"] for v in LOG["consistency"]]


def test_go_tlog_and_our_tree_agree_on_every_proof_of_a_37_leaf_tree(go: Go) -> None:
    records = [f"record {i}".encode() for i in range(37)]
    ours = merkle.MerkleTree(merkle.leaf_hash(r) for r in records)
    inclusion = [(i, n) for n in range(1, 38) for i in range(n)]
    consistency = [(m, n) for n in range(1, 38) for m in range(1, n + 1)]
    tree = _go_tree(go, records, inclusion, consistency)
    assert tree["roots"] == _b64([ours.root(n) for n in range(1, 38)])
    assert tree["inclusion"] == [_b64(ours.inclusion_proof(i, n)) for i, n in inclusion]
    assert tree["consistency"] == [_b64(ours.consistency_proof(m, n)) for m, n in consistency]
