"""RFC 9162 Merkle trees over SHA-256: hashing, an appendable tree, proofs and their checks.

Hashing (RFC 9162 §2.1.1)::

    leaf hash      = SHA-256(0x00 || entry bytes)
    node hash      = SHA-256(0x01 || left || right)
    empty tree     = SHA-256("")

`MerkleTree` keeps, for every level k, the hashes of the aligned complete
subtrees of 2**k leaves (level 0 holds the leaf hashes). Appending costs O(1)
hashes amortised; the root of any prefix of the log and every proof are read
from those stored hashes in O(log n) or O(log² n) steps.

`verify_inclusion` and `verify_consistency` follow RFC 9162 §2.1.3.2 and
§2.1.4.2, check the proof length against the sizes before hashing anything,
and either return None or raise `ProofError` saying what is wrong. The edge
cases match the transparency-dev/merkle test vectors.

Pure code: no I/O, no clock, no randomness.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Sequence

from ledger.errors import ProofError

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "MerkleTree",
    "consistency_proof_size",
    "inclusion_proof_size",
    "leaf_hash",
    "node_hash",
    "root_of",
    "verify_consistency",
    "verify_inclusion",
]

HASH_SIZE = 32
"""Bytes in a SHA-256 hash, and so in every leaf hash, node hash, root and proof element."""

_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"

EMPTY_ROOT: bytes = hashlib.sha256(b"").digest()
"""Root hash of the empty tree (RFC 9162 §2.1.1): SHA-256 of the empty string."""


def leaf_hash(data: bytes) -> bytes:
    """Hash of a leaf holding ``data``: SHA-256(0x00 || data)."""
    return hashlib.sha256(_LEAF_PREFIX + bytes(data)).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Hash of an interior node: SHA-256(0x01 || left || right)."""
    return hashlib.sha256(_NODE_PREFIX + left + right).digest()


def _check_hash(value: object, what: str) -> bytes:
    if not isinstance(value, bytes | bytearray | memoryview):
        raise ProofError(f"{what} must be bytes, got {type(value).__name__}")
    raw = bytes(value)
    if len(raw) != HASH_SIZE:
        raise ProofError(f"{what} is {len(raw)} bytes long; a SHA-256 hash is {HASH_SIZE} bytes")
    return raw


def _check_int(value: object, what: str) -> int:
    # bool is an int subclass; True as a tree size is a bug, not a size.
    if isinstance(value, bool) or not isinstance(value, int):
        raise ProofError(f"{what} must be an integer, got {type(value).__name__}")
    if value < 0:
        raise ProofError(f"{what} must not be negative, got {value}")
    return value


def _largest_power_of_two_below(n: int) -> int:
    """The largest power of two strictly smaller than ``n`` (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def root_of(leaf_hashes: Sequence[bytes]) -> bytes:
    """RFC 9162 Merkle Tree Hash over already-hashed leaves.

    Linear time; for repeated roots of a growing log use `MerkleTree`.
    """
    level = [bytes(h) for h in leaf_hashes]
    for i, h in enumerate(level):
        if len(h) != HASH_SIZE:
            raise ValueError(f"leaf hash {i} is {len(h)} bytes long, want {HASH_SIZE}")
    if not level:
        return EMPTY_ROOT
    # Pairing from the left and promoting a lone last node gives the same tree as
    # the RFC's split at the largest power of two below n.
    while len(level) > 1:
        nxt = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    return level[0]


def inclusion_proof_size(index: int, size: int) -> int:
    """Number of hashes in the inclusion proof of leaf ``index`` in a tree of ``size`` leaves."""
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} is not in a tree of size {size}")
    inner = (index ^ (size - 1)).bit_length()
    return inner + (index >> inner).bit_count()


def consistency_proof_size(size1: int, size2: int) -> int:
    """Number of hashes in the consistency proof from ``size1`` to ``size2``, 0 < size1 <= size2."""
    if not 0 < size1 <= size2:
        raise ValueError(f"no consistency proof from size {size1} to size {size2}")
    if size1 == size2:
        return 0
    # The proof is the inclusion path of leaf size1-1 in the tree of size2, from the
    # level of the largest perfect subtree ending at size1 upward, plus that subtree's
    # own hash unless size1 is a power of two (then the verifier knows it: it is root1).
    shift = (size1 & -size1).bit_length() - 1
    length = inclusion_proof_size(size1 - 1, size2) - shift
    return length if size1 == 1 << shift else length + 1


class MerkleTree:
    """An in-memory, append-only RFC 9162 tree over leaf hashes.

    ``self._levels[k]`` is one bytearray holding, back to back, the 32-byte hashes
    of the aligned complete subtrees of 2**k leaves: node i at level k covers
    leaves [i * 2**k, (i + 1) * 2**k). A tree of n leaves holds n + n/2 + n/4 ...
    < 2n hashes, about 64 bytes per leaf.
    """

    __slots__ = ("_levels", "_size")

    def __init__(self, leaf_hashes: Iterable[bytes] = ()) -> None:
        self._levels: list[bytearray] = [bytearray()]
        self._size = 0
        self.extend(leaf_hashes)

    @property
    def size(self) -> int:
        """Number of leaves appended so far."""
        return self._size

    def __len__(self) -> int:
        return self._size

    def append(self, leaf_hash: bytes) -> int:
        """Append one leaf hash (32 bytes, already hashed with `leaf_hash`); return its index."""
        if not isinstance(leaf_hash, bytes | bytearray | memoryview):
            raise TypeError(f"leaf hash must be bytes, got {type(leaf_hash).__name__}")
        h = bytes(leaf_hash)
        if len(h) != HASH_SIZE:
            raise ValueError(f"leaf hash is {len(h)} bytes long, want {HASH_SIZE}")
        index = self._size
        levels = self._levels
        levels[0] += h
        self._size = index + 1
        # Each completed pair at level k makes one new node at level k + 1.
        i, k = index, 0
        while i & 1:
            off = (i - 1) * HASH_SIZE
            h = hashlib.sha256(_NODE_PREFIX + levels[k][off : off + HASH_SIZE] + h).digest()
            k += 1
            i >>= 1
            if k == len(levels):
                levels.append(bytearray())
            levels[k] += h
        return index

    def extend(self, leaf_hashes: Iterable[bytes]) -> None:
        """Append every leaf hash in order."""
        append = self.append
        for h in leaf_hashes:
            append(h)

    def leaf(self, index: int) -> bytes:
        """The leaf hash at ``index``."""
        self._check_index(index, self._size, "leaf index")
        return self._node(0, index)

    def root(self, size: int | None = None) -> bytes:
        """Root of the tree made of the first ``size`` leaves (default: all of them)."""
        if size is None:
            size = self._size
        self._check_size(size, "size")
        if size == 0:
            return EMPTY_ROOT
        return self._range_hash(0, size)

    def inclusion_proof(self, index: int, size: int) -> list[bytes]:
        """RFC 9162 §2.1.3.1 inclusion proof of leaf ``index`` in the tree of ``size`` leaves.

        The tree is that of the first ``size`` leaves. The proof is ordered from
        the leaf's sibling up to a child of the root.
        """
        self._check_size(size, "tree size")
        self._check_index(index, size, "leaf index")
        proof: list[bytes] = []
        # Below the level where the paths to `index` and to `size - 1` meet, every
        # sibling is a complete subtree except perhaps the last one, which may be cut
        # short at the right edge of the tree.
        inner = (index ^ (size - 1)).bit_length()
        for level in range(inner):
            start = ((index >> level) ^ 1) << level
            end = min(start + (1 << level), size)
            proof.append(self._range_hash(start, end))
        # Above it the path runs along the right edge: a left sibling, always a
        # complete subtree, wherever the path node is a right child.
        level = inner
        rest = index >> inner
        while rest:
            if rest & 1:
                proof.append(self._node(level, rest - 1))
            rest >>= 1
            level += 1
        return proof

    def consistency_proof(self, size1: int, size2: int) -> list[bytes]:
        """RFC 9162 §2.1.4.1 consistency proof between the trees of ``size1`` and ``size2`` leaves.

        Requires 0 < size1 <= size2 <= size; the proof for size1 == size2 is empty.
        """
        self._check_size(size2, "size2")
        if isinstance(size1, bool) or not isinstance(size1, int):
            raise TypeError(f"size1 must be an integer, got {type(size1).__name__}")
        if size1 == 0:
            raise ValueError("no consistency proof from the empty tree: size1 must be at least 1")
        if not 0 < size1 <= size2:
            raise ValueError(f"size1 ({size1}) must be between 1 and size2 ({size2})")
        # SUBPROOF(m, D[start:start+n], b), unrolled. Each step contributes one hash
        # that comes after the hashes of the deeper steps, so collect and reverse.
        reversed_proof: list[bytes] = []
        m, start, n, whole = size1, 0, size2, True
        while m != n:
            k = _largest_power_of_two_below(n)
            if m <= k:
                reversed_proof.append(self._range_hash(start + k, start + n))
                n = k
            else:
                reversed_proof.append(self._node(k.bit_length() - 1, start >> (k.bit_length() - 1)))
                start += k
                m -= k
                n -= k
                whole = False
        if not whole:
            reversed_proof.append(self._range_hash(start, start + n))
        reversed_proof.reverse()
        return reversed_proof

    # -- internals -----------------------------------------------------------

    def _node(self, level: int, index: int) -> bytes:
        off = index * HASH_SIZE
        return bytes(self._levels[level][off : off + HASH_SIZE])

    def _range_hash(self, start: int, end: int) -> bytes:
        """Merkle Tree Hash of leaves [start, end), 0 <= start < end <= size.

        ``start`` must be a multiple of the smallest power of two >= end - start,
        which holds for every subtree the RFC's proofs name. The range splits into
        complete subtrees, largest first; their hashes fold from the right.
        """
        n = end - start
        hashes: list[bytes] = []
        pos = start
        for level in range(n.bit_length() - 1, -1, -1):
            if (n >> level) & 1:
                hashes.append(self._node(level, pos >> level))
                pos += 1 << level
        acc = hashes.pop()
        while hashes:
            acc = hashlib.sha256(_NODE_PREFIX + hashes.pop() + acc).digest()
        return acc

    def _check_size(self, size: object, what: str) -> None:
        if isinstance(size, bool) or not isinstance(size, int):
            raise TypeError(f"{what} must be an integer, got {type(size).__name__}")
        if not 0 <= size <= self._size:
            raise ValueError(f"{what} {size} is out of range: the tree has {self._size} leaves")

    @staticmethod
    def _check_index(index: object, size: int, what: str) -> None:
        if isinstance(index, bool) or not isinstance(index, int):
            raise TypeError(f"{what} must be an integer, got {type(index).__name__}")
        if not 0 <= index < size:
            raise ValueError(f"{what} {index} is out of range for a tree of size {size}")


def verify_inclusion(
    leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> None:
    """Check that ``leaf_hash`` is leaf ``index`` of the tree of ``size`` leaves with ``root``.

    RFC 9162 §2.1.3.2. Returns None, or raises `ProofError` naming the defect.
    """
    index = _check_int(index, "leaf index")
    size = _check_int(size, "tree size")
    if index >= size:
        raise ProofError(f"leaf index {index} is not in a tree of size {size} (index >= size)")
    leaf = _check_hash(leaf_hash, "leaf hash")
    want_root = _check_hash(root, "root hash")
    path = [_check_hash(p, f"proof hash {i}") for i, p in enumerate(proof)]
    want = inclusion_proof_size(index, size)
    if len(path) != want:
        raise ProofError(
            f"inclusion proof for leaf {index} in a tree of size {size} must have "
            f"{want} hashes, got {len(path)}"
        )
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:  # unreachable after the length check; kept from the RFC's algorithm
            raise ProofError("inclusion proof is longer than the path to the root")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("inclusion proof is shorter than the path to the root")
    if not hmac.compare_digest(r, want_root):
        raise ProofError(
            f"inclusion proof for leaf {index} in a tree of size {size} leads to root "
            f"{r.hex()}, not the expected root {want_root.hex()}"
        )


def verify_consistency(
    size1: int, size2: int, proof: Sequence[bytes], root1: bytes, root2: bytes
) -> None:
    """Check that the tree of ``size1`` leaves with ``root1`` is a prefix of the one of ``size2``.

    RFC 9162 §2.1.4.2. Returns None, or raises `ProofError` naming the defect.

    As in transparency-dev/merkle: size1 == 0 is always refused (a proof from the
    empty tree proves nothing), and for size1 == size2 the proof must be empty
    and the roots byte-for-byte equal.
    """
    size1 = _check_int(size1, "size1")
    size2 = _check_int(size2, "size2")
    if size1 > size2:
        raise ProofError(f"size1 ({size1}) is larger than size2 ({size2}): a log cannot shrink")
    if size1 == 0:
        raise ProofError(
            "consistency proof from the empty tree (size1 = 0) proves nothing; "
            "ask for a proof from a non-empty checkpoint"
        )
    if size1 == size2:
        if len(proof) != 0:
            raise ProofError(
                f"size1 = size2 = {size1}, so the proof must be empty; got {len(proof)} hashes"
            )
        # Same size: the trees are consistent exactly when the roots are equal. The
        # vectors accept equal roots of any length here, as nothing is hashed.
        if not isinstance(root1, bytes | bytearray | memoryview) or not isinstance(
            root2, bytes | bytearray | memoryview
        ):
            raise ProofError("root hashes must be bytes")
        if not hmac.compare_digest(bytes(root1), bytes(root2)):
            raise ProofError(
                f"size1 = size2 = {size1} but the roots differ: {bytes(root1).hex()} "
                f"!= {bytes(root2).hex()}"
            )
        return
    first = _check_hash(root1, "root1")
    second = _check_hash(root2, "root2")
    path = [_check_hash(p, f"proof hash {i}") for i, p in enumerate(proof)]
    want = consistency_proof_size(size1, size2)
    if len(path) != want:
        raise ProofError(
            f"consistency proof from size {size1} to size {size2} must have "
            f"{want} hashes, got {len(path)}"
        )
    # RFC 9162 §2.1.4.2, step by step.
    if size1 & (size1 - 1) == 0:  # size1 is a power of two
        path.insert(0, first)
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:  # unreachable after the length check; kept from the RFC's algorithm
            raise ProofError("consistency proof is longer than the path to the root")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("consistency proof is shorter than the path to the root")
    if not hmac.compare_digest(fr, first):
        raise ProofError(
            f"consistency proof does not match root1: it rebuilds {fr.hex()} for size "
            f"{size1}, not {first.hex()}"
        )
    if not hmac.compare_digest(sr, second):
        raise ProofError(
            f"consistency proof does not match root2: it rebuilds {sr.hex()} for size "
            f"{size2}, not {second.hex()}"
        )
