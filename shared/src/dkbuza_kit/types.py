"""Pydantic field types for money, quantities, day counts and dates, each with its bounds.

Money is Decimal inside and a string on the wire; every bound is documented in the schema, so a
client sees the window before it is refused (422, never a 500 from the database).
"""

from datetime import date
from datetime import datetime
from decimal import Decimal
from typing import Annotated
from typing import Any

from pydantic import AfterValidator
from pydantic import Field
from pydantic import PlainSerializer
from pydantic import WithJsonSchema
from pydantic_core import PydanticCustomError

# EUR, NUMERIC(14,2) in the database; serialised as "1234.50". Input accepts "1234.5" or 1234.5.
# The ceiling (ten billion euro) is far above any single dossier, licence or payment and keeps a
# typo of twelve nines out of every sum; a service bounds lower where its law does.
MONEY_MAX = Decimal("9999999999.99")
# `Money` itself only fits the column (sums and signed corrections); amounts a client gives use
# the capped, signed types below.
Money = Annotated[
    Decimal,
    Field(max_digits=14, decimal_places=2),
    PlainSerializer(lambda value: f"{value:.2f}", return_type=str),
    WithJsonSchema({"type": "string", "pattern": r"^-?\d{1,12}(\.\d{1,2})?$",
                    "examples": ["1234.50"]}),
]
NonNegativeMoney = Annotated[Money, Field(ge=0, le=MONEY_MAX)]
PositiveMoney = Annotated[Money, Field(gt=0, le=MONEY_MAX)]

# Quantities (NUMERIC(18,3)); serialised without float rounding.
Quantity = Annotated[
    Decimal,
    Field(max_digits=18, decimal_places=3),
    PlainSerializer(lambda value: format(value.normalize(), "f"), return_type=str),
    WithJsonSchema({"type": "string", "pattern": r"^-?\d{1,15}(\.\d{1,3})?$",
                    "examples": ["100", "2.5"]}),
]

# Day counts (norms, terms, lead times): up to ten years of days, never negative.
DAY_COUNT_MAX = 3660
DayCount = Annotated[int, Field(ge=0, le=DAY_COUNT_MAX)]
PositiveDayCount = Annotated[int, Field(ge=1, le=DAY_COUNT_MAX)]

# The calendar window of every date a client sends or asks for. PostgreSQL would store
# 0001-01-01 and 9999-12-31 from asyncpg as -infinity/infinity; nothing the department records
# lies outside 1900-2099 (the oldest events are post-war dossiers, the latest planned dates
# decades ahead).
DATE_MIN = date(1900, 1, 1)
DATE_MAX = date(2099, 12, 31)
YEAR_MIN, YEAR_MAX = DATE_MIN.year, DATE_MAX.year


def _window_error(value: Any) -> PydanticCustomError:
    return PydanticCustomError(
        "date_out_of_window", "the date must lie between {min} and {max}",
        {"min": DATE_MIN.isoformat(), "max": DATE_MAX.isoformat(), "value": str(value)})


def in_date_window(value: date | datetime) -> bool:
    day = value.date() if isinstance(value, datetime) else value
    return DATE_MIN <= day <= DATE_MAX


def _date_in_window(value: date) -> date:
    if not in_date_window(value):
        raise _window_error(value)
    return value


_WINDOW_SCHEMA = {"x-minimum": DATE_MIN.isoformat(), "x-maximum": DATE_MAX.isoformat()}
BoundedDate = Annotated[date, AfterValidator(_date_in_window),
                        Field(json_schema_extra=_WINDOW_SCHEMA)]
BoundedDateTime = Annotated[datetime, AfterValidator(_date_in_window),
                            Field(json_schema_extra=_WINDOW_SCHEMA)]
# A year in a query or a body (a report year, a plan year).
Year = Annotated[int, Field(ge=YEAR_MIN, le=YEAR_MAX)]
