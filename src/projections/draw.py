"""Verifiable evaluator draws: a pure function of (pool, commit, revealed values, evaluated units).

No I/O, no clock, no randomness of its own, no floats: the same call serves
the office that runs the draw, the log's policy that refuses a reveal whose
stated result differs (:func:`verify_reveal`), and anyone re-running it offline.

The draw, stratum by stratum (strata in the order of the commit):

1. Candidates: pool members whose ``group`` is one of the stratum's groups,
   minus members of ``exclude_groups``, minus (with
   ``exclude_leaders_of_evaluated_units``) members with ``leader: true`` whose
   ``affiliation`` is an evaluated unit, minus members already drawn (selected
   or alternate) by an earlier stratum; in canonical order, sorted by
   pseudonym (pseudonyms are ASCII codes, so every language sorts them alike).
2. How many: ``count``; with ``all_if_at_most`` all candidates when there are
   at most ``count`` of them; without it, fewer than ``count`` candidates is a
   :class:`QuotaError`. Then up to ``alternates`` more, in order (fewer when
   fewer candidates remain).
3. Selection, RFC 3797 §4: for pick ``i`` = 0, 1, 2, ... (two bytes, big
   endian, restarting at 0 in every stratum) hash ``i || key || i``, read the
   digest as an unsigned big-endian integer, take it modulo the number of
   remaining candidates, and remove the candidate at that (0-based) position of
   the remaining list. The first picks are the selected members, the rest
   the alternates, in draw order.

The key of a stratum (:func:`stratum_keys`) is where strata are kept apart:
each stratum has its own key, named after it, and its counter starts at 0, so
a stratum's random sequence does not depend on the sizes of the others (only
its candidate list does, through members drawn earlier).

- ``rfc3797`` (public numbers): hash MD5, key = the RFC 3797 key string of the
  revealed sources (:func:`key_string`) followed by
  ``<campaign>:<draw>:<stratum>./``, as if the stratum's label were one more
  source. A stratum is then exactly an RFC 3797 selection of
  ``count + alternates`` from a pool of its candidates numbered 1..n in
  pseudonym order: any implementation of the RFC can re-run it from the key.
- ``beacon`` and ``seeds``: hash SHA-256, key = ``b"pingyi/draw/v1\\n"`` followed
  by the canonical JSON (``ledger.canonical``) of
  ``{"campaign", "draw", "kind", "stratum", "values"}``, ``values`` being the
  revealed beacon output (hex) or the list of seeds (hex). Seeds are first
  checked against their commitments, in order: ``sha256(bytes.fromhex(seed))``.

:func:`rfc3797_select` is the plain RFC 3797 selection (1-based positions),
tested on the RFC's worked example (§6). :func:`pool_digest` is the digest a
``draw.commit`` names for its frozen pool.

Errors::

    DrawError (projections.ProjectionError, ValueError)
    ├── PoolError            malformed pool members, or not the pool the commit names
    ├── RandomnessError      revealed values malformed, or a seed not matching its commitment
    ├── QuotaError           a stratum without enough eligible members
    └── RevealMismatchError  a reveal whose stated result is not what the draw gives
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from pydantic import ValidationError

from ledger.canonical import DRAW_CONTEXT, canonical, sha256_hex
from ledger.payloads.draw import MAX_PICKS, DrawCommit, DrawReveal, Stratum
from projections.errors import ProjectionError

__all__ = [
    "DOMAIN",
    "DrawError",
    "DrawResult",
    "PoolError",
    "QuotaError",
    "RandomnessError",
    "RevealMismatchError",
    "key_string",
    "pool_digest",
    "rfc3797_select",
    "run_draw",
    "stratum_keys",
    "verify_reveal",
]

#: Domain separation for the SHA-256 keys (``beacon`` and ``seeds`` sources).
DOMAIN = DRAW_CONTEXT

_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_TEXT = re.compile(r"[ -~]{1,64}")
_HEX = re.compile(r"(?:[0-9a-f]{2}){16,128}")
_HEX64 = re.compile(r"[0-9a-f]{64}")
_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")

T = TypeVar("T")


class DrawError(ProjectionError, ValueError):
    """A draw that cannot be run or verified; the message says what is wrong."""

    code = "bad-draw"


class PoolError(DrawError):
    """Pool members that are malformed, or not the pool the commit names."""

    code = "bad-pool"


class RandomnessError(DrawError):
    """Revealed values that are malformed, or a seed that does not match its commitment."""

    code = "bad-randomness"


class QuotaError(DrawError):
    """A stratum with fewer eligible members than its quota (and no "all if at most")."""

    code = "quota-not-met"


class RevealMismatchError(DrawError):
    """A ``draw.reveal`` whose stated result is not what the draw gives."""

    code = "reveal-mismatch"


@dataclass(frozen=True)
class DrawResult:
    """The outcome: pseudonyms in draw order per stratum.

    ``eligible`` is the number of candidates of each stratum, ``keys`` the key
    each stratum was drawn with (ASCII text: the RFC 3797 key string, or the
    domain tag and canonical JSON for SHA-256 sources), for publication next to
    the result.
    """

    selected: dict[str, tuple[str, ...]]
    alternates: dict[str, tuple[str, ...]]
    eligible: dict[str, int]
    keys: dict[str, str]

    def as_payload(self) -> dict[str, dict[str, list[str]]]:
        """``selected`` and ``alternates`` as a ``draw.reveal`` payload states them."""
        return {
            "selected": {name: list(p) for name, p in self.selected.items()},
            "alternates": {name: list(p) for name, p in self.alternates.items()},
        }


# -- RFC 3797 ----------------------------------------------------------------------------


def _value_text(value: object, where: str) -> tuple[Decimal | None, str]:
    """(the number, or None for a text; its text in the key string) of one public value."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise RandomnessError(f"{where}: {value!r} is not a number or a short text")
    text = str(value)
    if _NUMBER.fullmatch(text):
        # RFC 3797 §4: decimal, no leading zeroes (a single 0 for a zero integer part),
        # no trailing zeroes after the period; an integer is terminated by the period.
        whole, _, fraction = text.partition(".")
        return Decimal(text), f"{whole.lstrip('0') or '0'}.{fraction.rstrip('0')}"
    if isinstance(value, int) or not _TEXT.fullmatch(text):
        raise RandomnessError(
            f"{where}: {value!r} is neither a non-negative decimal number nor printable "
            "ASCII text of at most 64 characters"
        )
    # Text (a score such as "W 4-1"): RFC 3797 spells out numbers only; pingyi keeps
    # the letters and digits, upper-cased, and terminates the value with a period.
    letters = "".join(c for c in text.upper() if c.isalnum())
    if not letters:
        raise RandomnessError(f"{where}: {value!r} has no letter or digit")
    return None, f"{letters}."


def key_string(sources: Sequence[Sequence[str | int]]) -> str:
    """The RFC 3797 §4 key string of the public values, one sequence per source.

    Each value: a non-negative decimal number (``int`` or a string such as
    ``"0042"`` or ``"3.50"``) shown without leading zeroes and with a period
    terminating an integer or separating the fraction (trailing zeroes of the
    fraction dropped), or a short text (its letters and digits, upper-cased,
    then a period). A source's values are sorted, smallest first (texts in
    ASCII order), concatenated and followed by ``/``; the sources are
    concatenated in their order. A source may not mix numbers and texts.
    RFC 3797 spells out numbers only; the text rule is pingyi's, and a text
    whose letters and digits spell a number (``"4-1"``) reads like that number
    (``41.``): harmless, since the log keeps the values as revealed.

    >>> key_string([[9319], [2, 5, 12, 8, 10], [9, 18, 26, 34, 41, 45]])
    '9319./2.5.8.10.12./9.18.26.34.41.45./'
    """
    if isinstance(sources, str | bytes) or not isinstance(sources, Sequence) or not sources:
        raise RandomnessError("the public values must be a non-empty list of sources")
    parts: list[str] = []
    for s, source in enumerate(sources, start=1):
        if isinstance(source, str | bytes) or not isinstance(source, Sequence) or not source:
            raise RandomnessError(f"source {s}: must be a non-empty list of values")
        numbers: list[tuple[Decimal, str]] = []
        texts: list[str] = []
        for n, value in enumerate(source, start=1):
            number, shown = _value_text(value, f"source {s} value {n}")
            if number is None:
                texts.append(shown)
            else:
                numbers.append((number, shown))
        if numbers and texts:
            raise RandomnessError(f"source {s}: mixes numbers and texts; publish them apart")
        ordered = sorted(texts) or [shown for _, shown in sorted(numbers, key=lambda v: v[0])]
        parts.append("".join(ordered) + "/")
    return "".join(parts)


def _md5(data: bytes) -> bytes:
    return hashlib.md5(data, usedforsecurity=False).digest()


def _sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _pick(digest: Callable[[bytes], bytes], key: bytes, candidates: Sequence[T], n: int) -> list[T]:
    """RFC 3797 §4 selection of ``n`` of ``candidates`` (in order) with ``key``."""
    remaining = list(candidates)
    drawn: list[T] = []
    for i in range(n):
        counter = i.to_bytes(2, "big")
        value = int.from_bytes(digest(counter + key + counter), "big")
        drawn.append(remaining.pop(value % len(remaining)))
    return drawn


def rfc3797_select(pool_size: int, sources: Sequence[Sequence[str | int]], count: int) -> list[int]:
    """Plain RFC 3797: select ``count`` of a pool numbered 1..``pool_size``, in order.

    >>> rfc3797_select(25, [[9319], [2, 5, 12, 8, 10], [9, 18, 26, 34, 41, 45]], 3)
    [17, 7, 2]
    """
    if isinstance(pool_size, bool) or not 1 <= pool_size <= MAX_PICKS:
        raise DrawError(f"the pool size must be 1 to {MAX_PICKS}, not {pool_size!r}")
    if isinstance(count, bool) or not 0 <= count <= pool_size:
        raise DrawError(f"the count must be 0 to the pool size {pool_size}, not {count!r}")
    key = key_string(sources).encode("ascii")
    return _pick(_md5, key, range(1, pool_size + 1), count)


# -- the pool -----------------------------------------------------------------------------

_MEMBER_FIELDS = frozenset({"pseudonym", "group", "affiliation", "leader", "commitment"})


@dataclass(frozen=True)
class _Member:
    pseudonym: str
    group: str
    affiliation: str | None
    leader: bool
    commitment: str

    def document(self) -> dict[str, Any]:
        return {
            "affiliation": self.affiliation,
            "commitment": self.commitment,
            "group": self.group,
            "leader": self.leader,
            "pseudonym": self.pseudonym,
        }


def _member(n: int, member: object) -> _Member:
    if not isinstance(member, Mapping):
        raise PoolError(f"pool member {n} is not an object")
    who = member.get("pseudonym")
    if not isinstance(who, str) or not _CODE.fullmatch(who):
        raise PoolError(f"pool member {n}: pseudonym {who!r} is not a code")
    unknown = sorted(set(member) - _MEMBER_FIELDS, key=str)
    if unknown:
        raise PoolError(f"pool member {who!r}: unknown field(s) {', '.join(map(str, unknown))}")
    group = member.get("group")
    affiliation = member.get("affiliation")
    leader = member.get("leader", False)
    commitment = member.get("commitment")
    if not isinstance(group, str) or not _CODE.fullmatch(group):
        raise PoolError(f"pool member {who!r}: group must be a code, not {group!r}")
    if affiliation is not None and (not isinstance(affiliation, str) or not affiliation):
        raise PoolError(f"pool member {who!r}: affiliation must be a unit code or null")
    if not isinstance(leader, bool):
        raise PoolError(f"pool member {who!r}: leader must be true or false")
    if not isinstance(commitment, str) or not _HEX64.fullmatch(commitment):
        raise PoolError(f"pool member {who!r}: commitment must be 64 lowercase hex digits")
    return _Member(who, group, affiliation, leader, commitment)


def _pool(members: Iterable[Mapping[str, Any]]) -> list[_Member]:
    """The members, checked, in canonical order (sorted by pseudonym)."""
    people = [_member(n, m) for n, m in enumerate(members, start=1)]
    people.sort(key=lambda m: m.pseudonym)
    for before, after in itertools.pairwise(people):
        if before.pseudonym == after.pseudonym:
            raise PoolError(f"pseudonym {after.pseudonym!r} appears twice in the pool")
    return people


def _digest(people: Sequence[_Member]) -> str:
    return sha256_hex(canonical([m.document() for m in people]))


def pool_digest(members: Iterable[Mapping[str, Any]]) -> str:
    """SHA-256 (lowercase hex) of the canonical JSON of the pool, sorted by pseudonym.

    Each member is hashed as the object ``{"affiliation", "commitment",
    "group", "leader", "pseudonym"}`` (``affiliation`` null and ``leader``
    false when a member omits them, as ``pool.enroll`` allows), so the digest
    is the same whichever order the members are listed in and whether or not
    the defaults were spelled out. A member with any other field is refused.
    """
    return _digest(_pool(members))


# -- commit, values and keys ----------------------------------------------------------------


def _problem(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "payload"
    return f"{where}: {first['msg']}"


def _commit(commit: DrawCommit | Mapping[str, Any]) -> DrawCommit:
    if isinstance(commit, DrawCommit):
        return commit
    try:
        return DrawCommit.model_validate(commit)
    except ValidationError as exc:
        raise DrawError(f"the draw.commit payload is not valid: {_problem(exc)}") from exc


def _checked_values(commit: DrawCommit, values: Any) -> Any:
    """The values in canonical form for the commit's source, or RandomnessError."""
    source = commit.source
    if source.kind == "rfc3797":
        if not isinstance(values, list) or not all(isinstance(v, list) for v in values):
            raise RandomnessError("rfc3797 values must be a list of sources, each a list")
        if len(values) != source.sources:
            raise RandomnessError(
                f"the commit announced {source.sources} source(s) of public numbers "
                f"but {len(values)} were revealed"
            )
        key_string(values)  # checks every value
        return values
    if source.kind == "beacon":
        if not isinstance(values, str) or not _HEX.fullmatch(values):
            raise RandomnessError(
                f"beacon {source.beacon!r} round {source.round}: the output must be "
                "lowercase hex of 16 to 128 bytes"
            )
        return values
    if not isinstance(values, list) or len(values) != len(source.commitments):
        raise RandomnessError(
            f"the commit holds {len(source.commitments)} seed commitment(s); reveal "
            "exactly that many seeds, in the same order"
        )
    for n, (seed, commitment) in enumerate(zip(values, source.commitments, strict=True), 1):
        if not isinstance(seed, str) or not _HEX.fullmatch(seed):
            raise RandomnessError(f"seed {n}: must be lowercase hex of 16 to 128 bytes")
        actual = hashlib.sha256(bytes.fromhex(seed)).hexdigest()
        if actual != commitment:
            raise RandomnessError(
                f"seed {n} does not match its commitment: its SHA-256 is {actual}, "
                f"the commit holds {commitment} (seeds must be revealed in committed order)"
            )
    return values


def _keys(commit: DrawCommit, values: Any) -> dict[str, bytes]:
    if commit.source.kind == "rfc3797":
        base = key_string(values)
        return {
            s.name: f"{base}{commit.campaign}:{commit.draw}:{s.name}./".encode("ascii")
            for s in commit.strata
        }
    return {
        s.name: DOMAIN
        + canonical(
            {
                "campaign": commit.campaign,
                "draw": commit.draw,
                "kind": commit.source.kind,
                "stratum": s.name,
                "values": values,
            }
        )
        for s in commit.strata
    }


def stratum_keys(commit: DrawCommit | Mapping[str, Any], values: Any) -> dict[str, bytes]:
    """The key each stratum is drawn with (see the module docstring), after checking the values."""
    parsed = _commit(commit)
    return _keys(parsed, _checked_values(parsed, values))


# -- the draw -----------------------------------------------------------------------------


def _shortfall(
    stratum: Stratum, found: int, in_groups: int, leaders: int, excluded: int, taken: int
) -> QuotaError:
    reasons = []
    if excluded:
        reasons.append(f"{excluded} in excluded groups")
    if leaders:
        reasons.append(f"{leaders} leaders of evaluated units")
    if taken:
        reasons.append(f"{taken} already drawn by earlier strata")
    left_out = f" ({'; '.join(reasons)} left out)" if reasons else ""
    return QuotaError(
        f"stratum {stratum.name!r} needs {stratum.count} but only {found} member"
        f"{'s are' if found != 1 else ' is'} eligible after exclusions: groups "
        f"{', '.join(stratum.groups)} have {in_groups} in the pool{left_out}"
    )


def run_draw(
    members: Iterable[Mapping[str, Any]],
    commit: DrawCommit | Mapping[str, Any],
    values: Any,
    evaluated_units: Iterable[str],
) -> DrawResult:
    """Run the draw the commit describes with the revealed values (see the module docstring).

    ``members``: the frozen pool as held in the log, any order; each
    ``{"pseudonym", "group", "affiliation", "leader", ...}``. Their
    :func:`pool_digest` must be the commit's ``pool_digest``. ``commit``: a
    ``draw.commit`` payload (dict or :class:`DrawCommit`). ``values``: the
    revealed randomness in the shape of the commit's source (see
    ``ledger.payloads.draw.Values``). ``evaluated_units``: the codes of the
    units being evaluated (for the leaders' exclusion).
    """
    parsed = _commit(commit)
    people = _pool(members)
    digest = _digest(people)
    if digest != parsed.pool_digest:
        raise PoolError(
            f"the pool given hashes to {digest}, but draw {parsed.draw!r} committed to "
            f"pool {parsed.pool!r} with digest {parsed.pool_digest}"
        )
    keys = _keys(parsed, _checked_values(parsed, values))
    hash_fn = _md5 if parsed.source.kind == "rfc3797" else _sha256
    evaluated = set(evaluated_units)
    excluded_groups = set(parsed.exclude_groups)
    skip_leaders = parsed.exclude_leaders_of_evaluated_units

    taken: set[str] = set()
    selected: dict[str, tuple[str, ...]] = {}
    alternates: dict[str, tuple[str, ...]] = {}
    eligible: dict[str, int] = {}
    for stratum in parsed.strata:
        groups = set(stratum.groups)
        in_groups = [m for m in people if m.group in groups]
        excluded = sum(1 for m in in_groups if m.group in excluded_groups)
        kept = [m for m in in_groups if m.group not in excluded_groups]
        leaders = sum(1 for m in kept if skip_leaders and m.leader and m.affiliation in evaluated)
        kept = [m for m in kept if not (skip_leaders and m.leader and m.affiliation in evaluated)]
        candidates = [m.pseudonym for m in kept if m.pseudonym not in taken]
        found = len(candidates)
        if found < stratum.count and not stratum.all_if_at_most:
            raise _shortfall(stratum, found, len(in_groups), leaders, excluded, len(kept) - found)
        picks = min(stratum.count, found)
        extra = min(parsed.alternates, found - picks)
        drawn = _pick(hash_fn, keys[stratum.name], candidates, picks + extra)
        selected[stratum.name] = tuple(drawn[:picks])
        alternates[stratum.name] = tuple(drawn[picks:])
        eligible[stratum.name] = found
        taken.update(drawn)
    return DrawResult(
        selected=selected,
        alternates=alternates,
        eligible=eligible,
        keys={name: key.decode("ascii") for name, key in keys.items()},
    )


def _first_difference(
    kind: str, stated: Mapping[str, list[str]], drawn: dict[str, list[str]]
) -> str:
    if set(stated) != set(drawn):
        return f"{kind} names strata {sorted(stated)} but the commit has strata {sorted(drawn)}"
    for name, expected in drawn.items():
        got = stated[name]
        for n, (a, b) in enumerate(zip(got, expected, strict=False)):
            if a != b:
                return f"stratum {name!r}: {kind}[{n}] is {a!r} but the draw gives {b!r}"
        if len(got) != len(expected):
            return (
                f"stratum {name!r}: {kind} lists {len(got)} member(s) but the draw gives "
                f"{len(expected)}"
            )
    return ""


def verify_reveal(
    members: Iterable[Mapping[str, Any]],
    commit: DrawCommit | Mapping[str, Any],
    reveal: DrawReveal | Mapping[str, Any],
    evaluated_units: Iterable[str],
) -> DrawResult:
    """Re-run the draw of a ``draw.reveal`` and return it, or raise naming the first difference."""
    parsed = _commit(commit)
    if not isinstance(reveal, DrawReveal):
        try:
            reveal = DrawReveal.model_validate(reveal)
        except ValidationError as exc:
            raise DrawError(f"the draw.reveal payload is not valid: {_problem(exc)}") from exc
    if (reveal.campaign, reveal.draw) != (parsed.campaign, parsed.draw):
        raise RevealMismatchError(
            f"the reveal is for draw {reveal.draw!r} of campaign {reveal.campaign!r}, "
            f"the commit for draw {parsed.draw!r} of campaign {parsed.campaign!r}"
        )
    result = run_draw(members, parsed, reveal.values, evaluated_units)
    expected = result.as_payload()
    for kind, stated in (("selected", reveal.selected), ("alternates", reveal.alternates)):
        problem = _first_difference(kind, stated, expected[kind])
        if problem:
            raise RevealMismatchError(f"draw {parsed.draw!r}: {problem}")
    return result
