"""Evaluator draw payloads: the commitment made before the randomness exists, and the reveal.

``draw.commit`` (:class:`DrawCommit`) is appended first. It fixes everything
the draw depends on except the random values: the frozen pool (its code and
``pool_digest``, see ``projections.draw.pool_digest``), the strata and their
quotas, the exclusions, the number of ordered alternates per stratum, and where
the randomness will come from (:data:`Source`).

``draw.reveal`` (:class:`DrawReveal`) is appended once the values exist. It
carries the values and states the result; the draw is a deterministic function
of (pool members, commit, values, evaluated units), ``projections.draw.run_draw``,
and the campaign policy re-runs it and refuses a reveal whose stated result differs.

This layer checks shape only (and the few cross-field rules a payload can check
on its own: unique names, counts within the selection counter's range). Whether
the pool exists, its digest matches, a stratum can be filled or a seed matches
its commitment is checked by ``projections.draw``.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator

from ledger.payloads.base import Code, Hex64, Payload, Pseudonym, Text

#: The selection counter is two bytes (RFC 3797 §4), so at most 65,535 picks per stratum.
MAX_PICKS = 65_535

#: Lowercase hex of 16 to 128 bytes (a beacon round's output, a party's seed).
RandomHex = Annotated[str, StringConstraints(pattern=r"^(?:[0-9a-f]{2}){16,128}$")]
#: One published public number, as RFC 3797 §4 reads it: a non-negative decimal
#: (``"0042"``, ``"3.50"``), or a short printable ASCII text with at least one
#: letter or digit (a score such as ``"W 4-1"``). ``projections.draw.key_string``
#: says how each becomes part of the key string.
PublicValue = Annotated[
    str,
    StringConstraints(pattern=r"^[ -~]*[A-Za-z0-9][ -~]*$", min_length=1, max_length=64),
]


class Stratum(Payload):
    """A quota: ``count`` members drawn from those whose ``group`` is in ``groups``.

    ``all_if_at_most``: when True the rule is "all if at most ``count``, else
    ``count`` drawn" (seed 003's "all if 500 or fewer, else 500"); when
    False a stratum with fewer eligible members than ``count`` makes the draw
    fail at reveal.
    """

    name: Code
    groups: Annotated[list[Code], Field(min_length=1, max_length=50)]
    count: Annotated[int, Field(ge=1, le=MAX_PICKS)]
    all_if_at_most: bool = False

    @model_validator(mode="after")
    def _unique_groups(self) -> Stratum:
        if len(set(self.groups)) != len(self.groups):
            raise ValueError(f"stratum {self.name!r} lists a group twice")
        return self


class Rfc3797Source(Payload):
    """Public numbers published later by ``sources`` independent sources (RFC 3797 §3)."""

    kind: Literal["rfc3797"]
    description: Text
    sources: Annotated[int, Field(ge=1, le=16)]


class BeaconSource(Payload):
    """One future round of a public randomness beacon (its output, hex, is revealed)."""

    kind: Literal["beacon"]
    description: Text
    beacon: Code
    round: Annotated[int, Field(ge=0, le=2**53 - 1)]


class SeedsSource(Payload):
    """Seeds chosen by several parties; each commits to SHA-256(seed bytes) here.

    ``commitments[i]`` is the lowercase hex SHA-256 of the bytes of the i-th
    party's seed (the hex string decoded); the reveal lists the seeds in the
    same order.
    """

    kind: Literal["seeds"]
    description: Text
    commitments: Annotated[list[Hex64], Field(min_length=1, max_length=100)]


GroupCodes = Annotated[list[Code], Field(max_length=50)]
Source = Annotated[Rfc3797Source | BeaconSource | SeedsSource, Field(discriminator="kind")]


class DrawCommit(Payload):
    """``draw.commit``: the draw's rules and its randomness source, before the values exist.

    Strata are drawn in the order listed. A member chosen (selected or as an
    alternate) by an earlier stratum is not eligible in a later one. Every
    stratum gets up to ``alternates`` ordered alternates after its selections
    (fewer when fewer eligible members remain). ``exclude_groups`` are never
    drawn; with ``exclude_leaders_of_evaluated_units`` a member with
    ``leader: true`` whose ``affiliation`` is an evaluated unit is never drawn
    (seed 000: "only people not from an evaluated unit's leadership").
    """

    campaign: Code
    draw: Code
    pool: Code
    pool_digest: Hex64
    strata: Annotated[list[Stratum], Field(min_length=1, max_length=50)]
    exclude_groups: GroupCodes = Field(default_factory=list)
    exclude_leaders_of_evaluated_units: bool = True
    alternates: Annotated[int, Field(ge=0, le=1000)] = 0
    source: Source

    @model_validator(mode="after")
    def _consistent(self) -> DrawCommit:
        names = [s.name for s in self.strata]
        if len(set(names)) != len(names):
            raise ValueError("two strata have the same name")
        if len(set(self.exclude_groups)) != len(self.exclude_groups):
            raise ValueError("exclude_groups lists a group twice")
        for stratum in self.strata:
            if stratum.count + self.alternates > MAX_PICKS:
                raise ValueError(
                    f"stratum {stratum.name!r}: count + alternates exceeds {MAX_PICKS} picks"
                )
        return self


#: The revealed randomness; which shape applies is the commit's ``source.kind``:
#: ``rfc3797``: one list of public values per source, in the committed order;
#: ``beacon``: the round's output as lowercase hex;
#: ``seeds``: the seeds as lowercase hex, in the order of the commitments.
Values = (
    Annotated[
        list[Annotated[list[PublicValue], Field(min_length=1, max_length=64)]],
        Field(min_length=1, max_length=16),
    ]
    | RandomHex
    | Annotated[list[RandomHex], Field(min_length=1, max_length=100)]
)

Pseudonyms = Annotated[list[Pseudonym], Field(max_length=MAX_PICKS)]
ByStratum = Annotated[dict[Code, Pseudonyms], Field(max_length=50)]


class DrawReveal(Payload):
    """``draw.reveal``: the values and the stated result (pseudonyms in draw order per stratum).

    ``selected`` and ``alternates`` have one key per stratum of the commit, each
    a list of pseudonyms in the order they were drawn (``projections.draw.
    DrawResult.as_payload`` gives exactly these dicts).
    """

    campaign: Code
    draw: Code
    values: Values
    selected: ByStratum
    alternates: ByStratum
