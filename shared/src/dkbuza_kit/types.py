"""Pydantic field types for money and quantities: Decimal inside, strings on the wire."""

from decimal import Decimal
from typing import Annotated

from pydantic import Field, PlainSerializer, WithJsonSchema

# EUR, NUMERIC(14,2) in the database; serialised as "1234.50". Input accepts "1234.5" or 1234.5.
Money = Annotated[
    Decimal,
    Field(max_digits=14, decimal_places=2),
    PlainSerializer(lambda value: f"{value:.2f}", return_type=str),
    WithJsonSchema({"type": "string", "pattern": r"^-?\d{1,12}(\.\d{1,2})?$",
                    "examples": ["1234.50"]}),
]
NonNegativeMoney = Annotated[Money, Field(ge=0)]

# Quantities (NUMERIC(18,3)); serialised without float rounding.
Quantity = Annotated[
    Decimal,
    Field(max_digits=18, decimal_places=3),
    PlainSerializer(lambda value: format(value.normalize(), "f"), return_type=str),
    WithJsonSchema({"type": "string", "pattern": r"^-?\d{1,15}(\.\d{1,3})?$",
                    "examples": ["100", "2.5"]}),
]
