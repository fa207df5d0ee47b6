"""Tests of ledger.merkle: RFC 9162 hashing, MerkleTree, and the proof verifiers.

The verifiers are checked against every inclusion and consistency vector of
transparency-dev/merkle, read from the shared vectors folder (never copied into
this project). The tree is checked against its own verifiers by property tests,
and against the reference roots and proofs those vectors give for the standard
eight test leaves.
"""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.errors import ProofError
from ledger.merkle import (
    EMPTY_ROOT,
    MerkleTree,
    consistency_proof_size,
    inclusion_proof_size,
    leaf_hash,
    node_hash,
    root_of,
    verify_consistency,
    verify_inclusion,
)

VECTORS = (
    Path(__file__).parents[2].parent / "shared" / "vectors" / "transparency-dev-merkle" / "testdata"
)


def _vector_files(kind: str) -> list[Path]:
    """Every JSON file under testdata/<kind>/, recursively; fail loudly if there are none.

    Only the ``inclusion`` and ``consistency`` folders are read. The sibling
    ``subtreeinclusion`` and ``subtreeconsistency`` folders test a different API
    (proofs for arbitrary [start, end) subtrees, from the Merkle Tree Certificates
    draft) that this module does not offer, so they are deliberately not collected.
    """
    folder = VECTORS / kind
    if not folder.is_dir():
        raise FileNotFoundError(
            f"transparency-dev/merkle test vectors not found at {folder}; "
            "they live in the shared vectors folder next to the project (../shared/vectors)"
        )
    files = sorted(folder.rglob("*.json"))
    if not files:
        raise FileNotFoundError(f"no JSON test vectors under {folder}")
    return files


INCLUSION_FILES = _vector_files("inclusion")
CONSISTENCY_FILES = _vector_files("consistency")


def _b64(value: str) -> bytes:
    return base64.b64decode(value, validate=True)


def _proof(value: list[str] | None) -> list[bytes]:
    return [_b64(p) for p in value or []]


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(data["wantErr"], bool), f"{path}: wantErr is not a boolean"
    return data


def _ids(files: list[Path], kind: str) -> list[str]:
    return [str(f.relative_to(VECTORS / kind)) for f in files]


def test_vector_folders_hold_the_expected_cases() -> None:
    assert len(INCLUSION_FILES) >= 90
    assert len(CONSISTENCY_FILES) >= 90
    happy = [f for f in INCLUSION_FILES + CONSISTENCY_FILES if not _load(f)["wantErr"]]
    assert len(happy) >= 10


@pytest.mark.parametrize("path", INCLUSION_FILES, ids=_ids(INCLUSION_FILES, "inclusion"))
def test_inclusion_vector(path: Path) -> None:
    v = _load(path)
    args = (_b64(v["leafHash"]), v["leafIdx"], v["treeSize"], _proof(v["proof"]), _b64(v["root"]))
    if v["wantErr"]:
        with pytest.raises(ProofError):
            verify_inclusion(*args)
    else:
        verify_inclusion(*args)  # returns None, or raises


@pytest.mark.parametrize("path", CONSISTENCY_FILES, ids=_ids(CONSISTENCY_FILES, "consistency"))
def test_consistency_vector(path: Path) -> None:
    v = _load(path)
    args = (v["size1"], v["size2"], _proof(v["proof"]), _b64(v["root1"]), _b64(v["root2"]))
    if v["wantErr"]:
        with pytest.raises(ProofError):
            verify_consistency(*args)
    else:
        verify_consistency(*args)  # returns None, or raises


# -- the reference tree ------------------------------------------------------------

# The transparency-dev vectors (and the RFC 6962 test suites before them) use a
# tree of eight leaves: the empty string, then leaf i (1..7) holding the
# consecutive bytes 0x10*(i-1), 0x10*(i-1)+1, ... of length 1, 1, 2, 2, 4, 8, 16.
# They are generated here from that rule; the expected roots and proofs are read
# from the vector files.
_LENGTHS = (1, 1, 2, 2, 4, 8, 16)
REFERENCE_LEAVES = [b""] + [bytes(range(0x10 * i, 0x10 * i + n)) for i, n in enumerate(_LENGTHS)]


def _reference_tree() -> MerkleTree:
    return MerkleTree(leaf_hash(d) for d in REFERENCE_LEAVES)


def test_reference_tree_reproduces_the_vector_roots_and_proofs() -> None:
    tree = _reference_tree()
    roots: dict[int, bytes] = {}
    checked_incl = checked_cons = 0
    for path in INCLUSION_FILES:
        v = _load(path)
        if v["wantErr"] or path.parent.name == "single-entry":
            continue
        size, index = v["treeSize"], v["leafIdx"]
        roots[size] = _b64(v["root"])
        assert tree.leaf(index) == _b64(v["leafHash"]), path
        assert tree.inclusion_proof(index, size) == _proof(v["proof"]), path
        checked_incl += 1
    for path in CONSISTENCY_FILES:
        v = _load(path)
        if v["wantErr"] or path.parent.name == "additional":
            continue
        roots[v["size1"]] = _b64(v["root1"])
        roots[v["size2"]] = _b64(v["root2"])
        assert tree.consistency_proof(v["size1"], v["size2"]) == _proof(v["proof"]), path
        checked_cons += 1
    assert checked_incl >= 5
    assert checked_cons >= 5
    assert {1, 2, 3, 5, 6, 8} <= set(roots)
    for size, root in roots.items():
        assert tree.root(size) == root, f"root of the first {size} reference leaves"
        assert root_of([leaf_hash(d) for d in REFERENCE_LEAVES[:size]]) == root


# -- hashing ---------------------------------------------------------------------


def test_hashes_follow_rfc_9162() -> None:
    assert hashlib.sha256(b"").digest() == EMPTY_ROOT
    assert leaf_hash(b"abc") == hashlib.sha256(b"\x00abc").digest()
    left, right = b"L" * 32, b"R" * 32
    assert node_hash(left, right) == hashlib.sha256(b"\x01" + left + right).digest()
    assert root_of([]) == EMPTY_ROOT
    assert MerkleTree().root() == EMPTY_ROOT
    one = leaf_hash(b"x")
    assert root_of([one]) == one
    h = [leaf_hash(bytes([i])) for i in range(3)]
    assert root_of(h) == node_hash(node_hash(h[0], h[1]), h[2])


def _mth(hashes: list[bytes]) -> bytes:
    """RFC 9162 MTH written exactly as the RFC's recursion, as a second opinion."""
    n = len(hashes)
    if n == 0:
        return EMPTY_ROOT
    if n == 1:
        return hashes[0]
    k = 1 << ((n - 1).bit_length() - 1)
    return node_hash(_mth(hashes[:k]), _mth(hashes[k:]))


def _path(m: int, hashes: list[bytes]) -> list[bytes]:
    """RFC 9162 §2.1.3.1 PATH(m, D[n]), literally."""
    n = len(hashes)
    if n == 1:
        return []
    k = 1 << ((n - 1).bit_length() - 1)
    if m < k:
        return [*_path(m, hashes[:k]), _mth(hashes[k:])]
    return [*_path(m - k, hashes[k:]), _mth(hashes[:k])]


def _subproof(m: int, hashes: list[bytes], whole: bool) -> list[bytes]:
    """RFC 9162 §2.1.4.1 SUBPROOF(m, D[n], b), literally."""
    n = len(hashes)
    if m == n:
        return [] if whole else [_mth(hashes)]
    k = 1 << ((n - 1).bit_length() - 1)
    if m <= k:
        return [*_subproof(m, hashes[:k], whole), _mth(hashes[k:])]
    return [*_subproof(m - k, hashes[k:], False), _mth(hashes[:k])]


def _leaves(n: int, salt: int = 0) -> list[bytes]:
    return [leaf_hash(f"{salt}:{i}".encode()) for i in range(n)]


def test_tree_matches_the_rfc_recursion_exhaustively_up_to_40() -> None:
    hashes = _leaves(40)
    tree = MerkleTree(hashes)
    for size in range(1, 41):
        assert tree.root(size) == _mth(hashes[:size])
        for index in range(size):
            want = _path(index, hashes[:size])
            assert tree.inclusion_proof(index, size) == want
            assert len(want) == inclusion_proof_size(index, size)
        for size1 in range(1, size + 1):
            want = _subproof(size1, hashes[:size], True)
            assert tree.consistency_proof(size1, size) == want
            assert len(want) == consistency_proof_size(size1, size)


def test_every_proof_verifies_exhaustively_up_to_70() -> None:
    hashes = _leaves(70, salt=1)
    tree = MerkleTree(hashes)
    roots = [tree.root(n) for n in range(71)]
    for size in range(1, 71):
        for index in range(size):
            verify_inclusion(
                hashes[index], index, size, tree.inclusion_proof(index, size), roots[size]
            )
        for size1 in range(1, size + 1):
            proof = tree.consistency_proof(size1, size)
            verify_consistency(size1, size, proof, roots[size1], roots[size])


# -- property tests ----------------------------------------------------------------

SIZES = st.integers(min_value=1, max_value=300)


@settings(max_examples=40, deadline=None)
@given(n=SIZES, salt=st.integers(0, 2**32))
def test_inclusion_proofs_verify_for_every_index(n: int, salt: int) -> None:
    hashes = _leaves(n, salt)
    tree = MerkleTree(hashes)
    root = tree.root()
    for index in range(n):
        verify_inclusion(hashes[index], index, n, tree.inclusion_proof(index, n), root)


@settings(max_examples=40, deadline=None)
@given(n=SIZES, salt=st.integers(0, 2**32))
def test_consistency_proofs_verify_for_every_earlier_size(n: int, salt: int) -> None:
    tree = MerkleTree(_leaves(n, salt))
    roots = [tree.root(m) for m in range(n + 1)]
    for size1 in range(1, n + 1):
        verify_consistency(size1, n, tree.consistency_proof(size1, n), roots[size1], roots[n])


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_proofs_for_prefixes_verify(data: st.DataObject) -> None:
    n = data.draw(SIZES, label="tree size")
    tree = MerkleTree(_leaves(n, 7))
    size2 = data.draw(st.integers(1, n), label="size2")
    size1 = data.draw(st.integers(1, size2), label="size1")
    index = data.draw(st.integers(0, size2 - 1), label="index")
    verify_inclusion(
        tree.leaf(index), index, size2, tree.inclusion_proof(index, size2), tree.root(size2)
    )
    verify_consistency(
        size1, size2, tree.consistency_proof(size1, size2), tree.root(size1), tree.root(size2)
    )


@settings(max_examples=40, deadline=None)
@given(n=st.integers(0, 300), salt=st.integers(0, 2**32))
def test_root_of_every_prefix_equals_root_of(n: int, salt: int) -> None:
    hashes = _leaves(n, salt)
    tree = MerkleTree()
    for i, h in enumerate(hashes):
        assert tree.append(h) == i
    assert tree.size == len(tree) == n
    for size in range(n + 1):
        assert tree.root(size) == root_of(hashes[:size])
    assert tree.root() == root_of(hashes)


def _flip(h: bytes, bit: int) -> bytes:
    raw = bytearray(h)
    raw[bit // 8] ^= 1 << (bit % 8)
    return bytes(raw)


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_tampered_inclusion_proofs_fail(data: st.DataObject) -> None:
    n = data.draw(st.integers(2, 300), label="tree size")
    # One leaf more than the proof's tree, so that a larger wrong size has a real root.
    tree = MerkleTree(_leaves(n + 1, 3))
    index = data.draw(st.integers(0, n - 1), label="index")
    proof = tree.inclusion_proof(index, n)
    root, leaf = tree.root(n), tree.leaf(index)
    verify_inclusion(leaf, index, n, proof, root)

    # A flipped bit in any proof element.
    pos = data.draw(st.integers(0, len(proof) - 1), label="proof element")
    bit = data.draw(st.integers(0, 255), label="bit")
    bad = [*proof[:pos], _flip(proof[pos], bit), *proof[pos + 1 :]]
    with pytest.raises(ProofError, match="root"):
        verify_inclusion(leaf, index, n, bad, root)
    # A flipped bit in the leaf or the root.
    with pytest.raises(ProofError):
        verify_inclusion(_flip(leaf, bit), index, n, proof, root)
    with pytest.raises(ProofError):
        verify_inclusion(leaf, index, n, proof, _flip(root, bit))
    # Another index.
    other = data.draw(st.integers(0, n - 1).filter(lambda i: i != index), label="wrong index")
    with pytest.raises(ProofError):
        verify_inclusion(leaf, other, n, proof, root)
    # Another tree size, checked against that size's real root. (Against the root
    # of size n a proof may verify for another size: the checkpoint binds the two.)
    size = data.draw(st.integers(index + 1, n + 1).filter(lambda s: s != n), label="wrong size")
    with pytest.raises(ProofError):
        verify_inclusion(leaf, index, size, proof, tree.root(size))
    # A proof one hash short or one hash long.
    with pytest.raises(ProofError, match="must have"):
        verify_inclusion(leaf, index, n, proof[:-1], root)
    with pytest.raises(ProofError, match="must have"):
        verify_inclusion(leaf, index, n, [*proof, proof[0]], root)


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_tampered_consistency_proofs_fail(data: st.DataObject) -> None:
    n = data.draw(st.integers(2, 300), label="tree size")
    tree = MerkleTree(_leaves(n, 4))
    size2 = data.draw(st.integers(2, n), label="size2")
    size1 = data.draw(st.integers(1, size2 - 1), label="size1")
    proof = tree.consistency_proof(size1, size2)
    root1, root2 = tree.root(size1), tree.root(size2)
    verify_consistency(size1, size2, proof, root1, root2)

    pos = data.draw(st.integers(0, len(proof) - 1), label="proof element")
    bit = data.draw(st.integers(0, 255), label="bit")
    bad = [*proof[:pos], _flip(proof[pos], bit), *proof[pos + 1 :]]
    with pytest.raises(ProofError, match="root"):
        verify_consistency(size1, size2, bad, root1, root2)
    with pytest.raises(ProofError):
        verify_consistency(size1, size2, proof, _flip(root1, bit), root2)
    with pytest.raises(ProofError):
        verify_consistency(size1, size2, proof, root1, _flip(root2, bit))
    with pytest.raises(ProofError):
        verify_consistency(size1, size2, proof, root2, root1)
    # Another size1 or size2, each checked against the root of that size.
    other1 = data.draw(st.integers(1, size2).filter(lambda s: s != size1), label="wrong size1")
    with pytest.raises(ProofError):
        verify_consistency(other1, size2, proof, tree.root(other1), root2)
    other2 = data.draw(st.integers(size1, n).filter(lambda s: s != size2), label="wrong size2")
    with pytest.raises(ProofError):
        verify_consistency(size1, other2, proof, root1, tree.root(other2))
    with pytest.raises(ProofError, match="must have"):
        verify_consistency(size1, size2, proof[:-1], root1, root2)
    with pytest.raises(ProofError, match="must have"):
        verify_consistency(size1, size2, [*proof, proof[0]], root1, root2)


# -- argument checks ----------------------------------------------------------------


def test_verifiers_reject_bad_arguments_with_clear_messages() -> None:
    tree = MerkleTree(_leaves(5))
    leaf, root, proof = tree.leaf(2), tree.root(), tree.inclusion_proof(2, 5)
    with pytest.raises(ProofError, match="index >= size"):
        verify_inclusion(leaf, 5, 5, proof, root)
    with pytest.raises(ProofError, match="negative"):
        verify_inclusion(leaf, -1, 5, proof, root)
    with pytest.raises(ProofError, match="integer"):
        verify_inclusion(leaf, True, 5, proof, root)  # bool is not a tree position
    with pytest.raises(ProofError, match="leaf hash is 31 bytes"):
        verify_inclusion(leaf[:31], 2, 5, proof, root)
    with pytest.raises(ProofError, match="root hash is 0 bytes"):
        verify_inclusion(leaf, 2, 5, proof, b"")
    with pytest.raises(ProofError, match="proof hash 1 is 33 bytes"):
        verify_inclusion(leaf, 2, 5, [proof[0], proof[1] + b"\x00", *proof[2:]], root)
    with pytest.raises(ProofError, match="must have 3 hashes, got 2"):
        verify_inclusion(leaf, 2, 5, proof[:2], root)

    cproof = tree.consistency_proof(3, 5)
    r3 = tree.root(3)
    with pytest.raises(ProofError, match="larger than size2"):
        verify_consistency(5, 3, cproof, root, r3)
    with pytest.raises(ProofError, match="empty tree"):
        verify_consistency(0, 5, cproof, EMPTY_ROOT, root)
    with pytest.raises(ProofError, match="empty tree"):
        verify_consistency(0, 0, [], EMPTY_ROOT, EMPTY_ROOT)
    with pytest.raises(ProofError, match="must be empty"):
        verify_consistency(5, 5, [root], root, root)
    with pytest.raises(ProofError, match="roots differ"):
        verify_consistency(5, 5, [], root, r3)
    verify_consistency(5, 5, [], root, root)
    with pytest.raises(ProofError, match="root1 is 31 bytes"):
        verify_consistency(3, 5, cproof, r3[:31], root)
    with pytest.raises(ProofError, match=r"must have \d+ hashes, got 0"):
        verify_consistency(3, 5, [], r3, root)


def test_tree_rejects_out_of_range_arguments() -> None:
    tree = MerkleTree(_leaves(4))
    with pytest.raises(ValueError, match="out of range"):
        tree.root(5)
    with pytest.raises(ValueError, match="out of range"):
        tree.root(-1)
    with pytest.raises(ValueError, match="out of range"):
        tree.leaf(4)
    with pytest.raises(ValueError, match="out of range"):
        tree.inclusion_proof(4, 4)
    with pytest.raises(ValueError, match="out of range"):
        tree.inclusion_proof(0, 5)
    with pytest.raises(ValueError, match="out of range"):
        tree.inclusion_proof(0, 0)
    with pytest.raises(ValueError, match="empty tree"):
        tree.consistency_proof(0, 4)
    with pytest.raises(ValueError, match="between 1 and size2"):
        tree.consistency_proof(3, 2)
    with pytest.raises(ValueError, match="out of range"):
        tree.consistency_proof(1, 5)
    assert tree.consistency_proof(4, 4) == []
    with pytest.raises(ValueError, match="31 bytes"):
        tree.append(b"\x00" * 31)
    with pytest.raises(TypeError):
        tree.append("not bytes")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        tree.root(1.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="leaf hash 1"):
        root_of([EMPTY_ROOT, b"short"])
    assert tree.size == 4


def test_a_larger_tree_stays_consistent_with_a_linear_root() -> None:
    hashes = _leaves(20_011, salt=9)
    tree = MerkleTree()
    tree.extend(hashes)
    for size in (1, 2, 4095, 4096, 4097, 16_384, 20_010, 20_011):
        assert tree.root(size) == root_of(hashes[:size])
    root = tree.root()
    for index in (0, 1, 8191, 8192, 20_010):
        verify_inclusion(
            hashes[index], index, tree.size, tree.inclusion_proof(index, tree.size), root
        )
    for size1 in (1, 3, 16_384, 20_000):
        proof = tree.consistency_proof(size1, tree.size)
        verify_consistency(size1, tree.size, proof, tree.root(size1), root)
