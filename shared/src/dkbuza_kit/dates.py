"""Partial dates ("2025", "2025-Q2", "2025-05", "2025-05-09") and legal month arithmetic."""

import calendar as _calendar
import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Annotated
from typing import Any

from pydantic import BeforeValidator
from pydantic import PlainSerializer
from pydantic import WithJsonSchema


class Precision(StrEnum):
    """Precision of a partial date. Values (Dutch label): year (jaar), quarter (kwartaal),
    month (maand), day (dag)."""

    year = "year"
    quarter = "quarter"
    month = "month"
    day = "day"


_PATTERN = re.compile(
    r"^(?P<year>\d{4})(?:-(?:Q(?P<quarter>[1-4])|(?P<month>\d{2})(?:-(?P<day>\d{2}))?))?$"
)


@dataclass(frozen=True, order=True)
class PartialDate:
    """A moment known to year, quarter, month or day precision; compares by its first day."""

    first: date
    last: date
    precision: Precision

    @classmethod
    def parse(cls, value: str) -> "PartialDate":
        match = _PATTERN.match(value.strip()) if isinstance(value, str) else None
        if not match:
            raise ValueError(f"not a partial date (YYYY, YYYY-Qn, YYYY-MM, YYYY-MM-DD): {value!r}")
        year = int(match["year"])
        if match["quarter"]:
            quarter = int(match["quarter"])
            return cls(date(year, 3 * quarter - 2, 1), end_of_month(date(year, 3 * quarter, 1)),
                       Precision.quarter)
        if match["month"]:
            month = int(match["month"])
            if not 1 <= month <= 12:
                raise ValueError(f"month out of range: {value!r}")
            if match["day"]:
                day = date(year, month, int(match["day"]))  # raises ValueError if invalid
                return cls(day, day, Precision.day)
            first = date(year, month, 1)
            return cls(first, end_of_month(first), Precision.month)
        return cls(date(year, 1, 1), date(year, 12, 31), Precision.year)

    @classmethod
    def of_day(cls, day: date) -> "PartialDate":
        return cls(day, day, Precision.day)

    def __str__(self) -> str:
        match self.precision:
            case Precision.year:
                return f"{self.first.year}"
            case Precision.quarter:
                return f"{self.first.year}-Q{(self.first.month - 1) // 3 + 1}"
            case Precision.month:
                return f"{self.first.year}-{self.first.month:02d}"
            case _:
                return self.first.isoformat()

    def contains(self, day: date) -> bool:
        return self.first <= day <= self.last


def _parse(value: Any) -> PartialDate:
    if isinstance(value, PartialDate):
        return value
    if isinstance(value, date):
        return PartialDate.of_day(value)
    return PartialDate.parse(value)


# Use as a pydantic field type: accepts and emits the string forms.
PartialDateField = Annotated[
    PartialDate,
    BeforeValidator(_parse),
    PlainSerializer(str, return_type=str),
    WithJsonSchema({"type": "string", "pattern": _PATTERN.pattern,
                    "examples": ["2025", "2025-Q2", "2025-05", "2025-05-09"]}),
]


def end_of_month(day: date) -> date:
    return day.replace(day=_calendar.monthrange(day.year, day.month)[1])


def add_months(day: date, months: int) -> date:
    """Same day number `months` later, clamped to the month's last day (31 Jan + 1 -> 28/29 Feb)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, _calendar.monthrange(year, month)[1]))


def end_of_nth_month_after(day: date, months: int) -> date:
    """"The last day of the n-th month after the month of `day`" (2021-07-13, 3 -> 2021-10-31)."""
    return end_of_month(add_months(day.replace(day=1), months))


def within_months_after(day: date, months: int) -> date:
    """"Within n months after `day`": up to the same day number, or that month's last day."""
    return add_months(day, months)
