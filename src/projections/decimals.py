"""Exact numbers: Decimal at the edges, Fraction inside, rounding only where declared.

Scores are computed with :class:`fractions.Fraction` (exact rational arithmetic,
no context, no floats) and turned into :class:`decimal.Decimal` only by
:func:`round_fraction`, with the places and mode a rulebook declares.
"""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction
from typing import Literal

RoundingMode = Literal["half_up", "half_even", "half_down", "down", "up", "floor", "ceiling"]

ROUNDING_MODES: tuple[RoundingMode, ...] = (
    "half_up",
    "half_even",
    "half_down",
    "down",
    "up",
    "floor",
    "ceiling",
)

DECIMAL_PATTERN = r"^-?[0-9]+(\.[0-9]+)?$"
_DECIMAL_RE = re.compile(DECIMAL_PATTERN)


def to_decimal(value: object, what: str = "number") -> Decimal:
    """Turn an int, a decimal string or a finite Decimal into a Decimal.

    Floats and booleans are refused: a float is not an exact decimal.
    """
    if isinstance(value, bool):
        raise ValueError(f"{what} must be a number, not a boolean")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        raise ValueError(
            f"{what} {value!r} is a float, which is not exact: "
            f'write it as an integer or a decimal string such as "{value}"'
        )
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{what} must be finite, got {value}")
        return value
    if isinstance(value, str):
        text = value.strip()
        if not _DECIMAL_RE.match(text):
            raise ValueError(f"{what} {value!r} is not a decimal number such as 12 or 0.5")
        return Decimal(text)
    raise ValueError(f"{what} must be an integer or a decimal string, got {type(value).__name__}")


def dec_str(value: Decimal) -> str:
    """Canonical text of a Decimal: no exponent, no trailing zeros (``0.50`` -> ``0.5``)."""
    if value == 0:
        return "0"
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def fixed_str(value: Decimal) -> str:
    """Text of a Decimal as it stands (keeps places: ``85.00``), never an exponent."""
    if value == 0 and value.as_tuple().sign:
        value = -value
    return format(value, "f")


def frac(value: Decimal | int) -> Fraction:
    """The exact Fraction of a Decimal or int."""
    return Fraction(value)


def _pow10(places: int) -> int:
    if places < 0:
        raise ValueError("places must not be negative")
    return int("1" + "0" * places)


def round_fraction(value: Fraction, places: int, mode: RoundingMode) -> Decimal:
    """Round an exact value to ``places`` decimals with ``mode``; exact, no context."""
    scaled = value * _pow10(places)
    negative = scaled < 0
    quotient, remainder = divmod(abs(scaled.numerator), scaled.denominator)
    if remainder:
        twice = 2 * remainder
        den = scaled.denominator
        if mode == "up":
            quotient += 1
        elif mode == "floor":
            quotient += 1 if negative else 0
        elif mode == "ceiling":
            quotient += 0 if negative else 1
        elif mode == "down":
            pass
        elif twice > den or (
            twice == den and (mode == "half_up" or (mode == "half_even" and quotient % 2 == 1))
        ):
            quotient += 1
    digits = tuple(int(d) for d in str(quotient))
    sign = 1 if negative and quotient else 0
    return Decimal((sign, digits, -places))


def is_exact_at(value: Fraction, places: int) -> bool:
    """True when ``value`` has at most ``places`` decimals."""
    return (value * _pow10(places)).denominator == 1


def exact_str(value: Fraction) -> str:
    """Exact text of a Fraction: a decimal when it terminates, else ``p/q``."""
    den = value.denominator
    twos = fives = 0
    while den % 2 == 0:
        den //= 2
        twos += 1
    while den % 5 == 0:
        den //= 5
        fives += 1
    if den == 1:
        return dec_str(round_fraction(value, max(twos, fives), "down"))
    return f"{value.numerator}/{value.denominator}"


def places_text(places: int) -> str:
    """``2 decimal places`` / ``1 decimal place``."""
    return f"{places} decimal place{'' if places == 1 else 's'}"
