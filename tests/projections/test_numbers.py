"""Exact rounding of fractions, in every declared mode, and the sampling rule."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from projections import sample_size
from projections.decimals import dec_str, exact_str, round_fraction, to_decimal

CASES = [
    # value, places, mode, expected
    (Fraction(5, 2), 0, "half_up", "3"),
    (Fraction(5, 2), 0, "half_even", "2"),
    (Fraction(7, 2), 0, "half_even", "4"),
    (Fraction(5, 2), 0, "half_down", "2"),
    (Fraction(-5, 2), 0, "half_up", "-3"),
    (Fraction(2005, 1000), 2, "half_up", "2.01"),  # 2.005 exactly: no binary-float surprise
    (Fraction(2, 3), 2, "half_up", "0.67"),
    (Fraction(2, 3), 2, "down", "0.66"),
    (Fraction(-2, 3), 2, "down", "-0.66"),
    (Fraction(-2, 3), 2, "floor", "-0.67"),
    (Fraction(2, 3), 2, "ceiling", "0.67"),
    (Fraction(1, 300), 2, "up", "0.01"),
    (Fraction(-1, 300), 2, "half_up", "0.00"),
    (Fraction(85), 2, "half_up", "85.00"),
]


@pytest.mark.parametrize(("value", "places", "mode", "expected"), CASES)
def test_round_fraction(value: Fraction, places: int, mode: str, expected: str) -> None:
    out = round_fraction(value, places, mode)  # type: ignore[arg-type]
    assert str(out) == expected and out.as_tuple().exponent == -places


def test_texts() -> None:
    assert dec_str(Decimal("0.50")) == "0.5"
    assert dec_str(Decimal("1E+2")) == "100"
    assert exact_str(Fraction(1, 8)) == "0.125"
    assert exact_str(Fraction(1, 3)) == "1/3"


@pytest.mark.parametrize("bad", [0.5, True, "1e3", "1,5", "NaN", None])
def test_to_decimal_refuses(bad: object) -> None:
    with pytest.raises(ValueError):
        to_decimal(bad)


def test_sample_size() -> None:
    assert [sample_size(n, 500) for n in (0, 1, 500, 501)] == [0, 1, 500, 500]
    with pytest.raises(ValueError):
        sample_size(-1, 500)
    with pytest.raises(ValueError):
        sample_size(10, 0)
