"""Report periods: a year (2026), half-year (2026-H1), quarter (2026-Q2) or month (2026-05),
as Brussels calendar days turned into a UTC-comparable half-open interval."""

import re
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import timedelta

from dkbuza_kit.calendar import start_of_day
from dkbuza_kit.dates import PartialDate
from dkbuza_kit.types import YEAR_MAX
from dkbuza_kit.types import YEAR_MIN
from export_control.errors import Errors

_HALF = re.compile(r"^(\d{4})-H([12])$")


@dataclass(frozen=True)
class Period:
    label: str
    first: date
    last: date

    @property
    def start(self) -> datetime:
        return start_of_day(self.first)

    @property
    def end(self) -> datetime:
        """Exclusive: midnight Brussels after the last day."""
        return start_of_day(self.last + timedelta(days=1))


def parse_period(value: str, *, allowed: tuple[str, ...]) -> Period:
    """The period, or 422 INVALID_PERIOD (also for a year outside the kit's 1900-2099 window,
    which would otherwise overflow the calendar)."""
    period = _parse(value, allowed)
    if not YEAR_MIN <= period.first.year <= YEAR_MAX:
        raise Errors.INVALID_PERIOD(f"{value!r} lies outside the years {YEAR_MIN}-{YEAR_MAX}",
                                    minimum=str(YEAR_MIN), maximum=str(YEAR_MAX))
    return period


def _parse(value: str, allowed: tuple[str, ...]) -> Period:
    match = _HALF.match(value)
    if match and "half" in allowed:
        year, half = int(match[1]), int(match[2])
        first = date(year, 1 if half == 1 else 7, 1)
        last = date(year, 6, 30) if half == 1 else date(year, 12, 31)
        return Period(value, first, last)
    try:
        partial = PartialDate.parse(value)
    except ValueError:
        partial = None
    if partial is None or partial.precision.value not in allowed:
        raise Errors.INVALID_PERIOD(f"{value!r} is not a period of the kinds {', '.join(allowed)} "
                                    "(e.g. 2026, 2026-H1, 2026-Q2, 2026-05)")
    return Period(str(partial), partial.first, partial.last)
