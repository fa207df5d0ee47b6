"""Field types shared by rulebook models: exact numbers, keys, bilingual labels."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    PlainSerializer,
    StringConstraints,
    WithJsonSchema,
    model_validator,
)

from projections.decimals import DECIMAL_PATTERN, dec_str, to_decimal

KEY_PATTERN = r"^[A-Za-z0-9_][A-Za-z0-9_.:-]{0,63}$"


def _num(value: object) -> Decimal:
    """The exact number in its normal spelling (``10.0`` and ``"10"`` are both ``10``), so
    what is derived from a rulebook depends on its hash alone, never on how it was written."""
    return Decimal(dec_str(to_decimal(value)))


Num = Annotated[
    Decimal,
    BeforeValidator(_num),
    PlainSerializer(dec_str, return_type=str, when_used="json"),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "integer"},
                {"type": "string", "pattern": DECIMAL_PATTERN},
            ],
            "description": 'An exact number: an integer or a decimal string such as "0.5". '
            "Floats are refused.",
        }
    ),
]
"""An exact decimal number: an int or a decimal string; never a float."""

Key = Annotated[str, StringConstraints(pattern=KEY_PATTERN)]
"""An identifier: letters, digits, ``_ . : -``, at most 64 characters."""


class StrictModel(BaseModel):
    """Base of rulebook models: unknown fields are errors, values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Label(StrictModel):
    """A bilingual label. A plain string is taken as the Chinese label and reused in English."""

    zh: Annotated[str, StringConstraints(min_length=1)]
    en: Annotated[str, StringConstraints(min_length=1)]

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: Any) -> Any:
        if isinstance(value, str):
            return {"zh": value, "en": value}
        if isinstance(value, dict) and "zh" in value and "en" not in value:
            return {**value, "en": value["zh"]}
        return value

    def both(self) -> str:
        """``中文 / English``, or one of them when they are the same."""
        return self.zh if self.zh == self.en else f"{self.zh} / {self.en}"
