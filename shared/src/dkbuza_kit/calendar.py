"""Working days in Europe/Brussels: weekends, Belgian public holidays and 11 July excluded.

Belgian holidays come from the `holidays` package; the Flemish additions are data
(`data/extra-holidays.json`), so the list changes without code.
"""

import json
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from functools import lru_cache
from importlib import resources

import holidays

from dkbuza_kit.clock import BRUSSELS


@lru_cache(maxsize=1)
def _extra_recurring() -> tuple[tuple[int, int, str], ...]:
    raw = json.loads(resources.files("dkbuza_kit").joinpath("data/extra-holidays.json").read_text())
    return tuple((entry["month"], entry["day"], entry["name_nl"]) for entry in raw["recurring"])


@lru_cache(maxsize=64)
def holidays_in(year: int) -> dict[date, str]:
    days = {day: str(name) for day, name in holidays.country_holidays("BE", years=year).items()}
    for month, day, name in _extra_recurring():
        days.setdefault(date(year, month, day), name)
    return days


def is_holiday(day: date) -> bool:
    return day in holidays_in(day.year)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and not is_holiday(day)


def next_working_day(day: date) -> date:
    """The first working day strictly after `day`."""
    day += timedelta(days=1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def working_day_on_or_after(day: date) -> date:
    return day if is_working_day(day) else next_working_day(day)


def add_working_days(day: date, count: int) -> date:
    """The date `count` working days after `day` (count >= 0)."""
    if count < 0:
        raise ValueError("count must be >= 0")
    for _ in range(count):
        day = next_working_day(day)
    return day


def working_days_between(start: date, end: date) -> int:
    """Working days in the half-open interval (start, end]: the days elapsed after `start`.

    A case received on a Monday and decided on the Wednesday took 2 working days.
    """
    if end <= start:
        return 0
    count = 0
    day = start + timedelta(days=1)
    while day <= end:
        if is_working_day(day):
            count += 1
        day += timedelta(days=1)
    return count


def brussels_date(moment: datetime) -> date:
    return moment.astimezone(BRUSSELS).date()


def end_of_day(day: date) -> datetime:
    """23:59:59.999999 Europe/Brussels of `day`: the last moment a deadline on that day allows."""
    return datetime.combine(day, time.max, tzinfo=BRUSSELS)


def start_of_day(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=BRUSSELS)
