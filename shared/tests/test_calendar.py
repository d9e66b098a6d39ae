"""Working days in Europe/Brussels, hand-computed from the 2025 and 2026 calendars."""

from datetime import UTC
from datetime import date
from datetime import datetime

import pytest

from dkbuza_kit.calendar import add_working_days
from dkbuza_kit.calendar import brussels_date
from dkbuza_kit.calendar import end_of_day
from dkbuza_kit.calendar import is_holiday
from dkbuza_kit.calendar import is_working_day
from dkbuza_kit.calendar import next_working_day
from dkbuza_kit.calendar import working_days_between

D = date


@pytest.mark.parametrize(
    ("day", "working", "why"),
    [
        (D(2025, 4, 21), False, "Easter Monday 2025"),
        (D(2025, 5, 29), False, "Ascension 2025 (Thursday)"),
        (D(2025, 6, 9), False, "Whit Monday 2025"),
        (D(2025, 7, 11), False, "11 July: Flemish Community holiday (Friday in 2025)"),
        (D(2025, 7, 21), False, "Belgian National Day"),
        (D(2025, 11, 1), False, "All Saints on a Saturday"),
        (D(2025, 11, 11), False, "Armistice"),
        (D(2025, 12, 25), False, "Christmas"),
        (D(2026, 4, 6), False, "Easter Monday 2026"),
        (D(2026, 5, 14), False, "Ascension 2026"),
        (D(2026, 5, 25), False, "Whit Monday 2026"),
        (D(2025, 4, 18), True, "Good Friday is not a Belgian public holiday"),
        (D(2025, 5, 30), True, "the Friday after Ascension is an ordinary day"),
        (D(2025, 12, 26), True, "26 December is not a Belgian public holiday"),
        (D(2025, 7, 10), True, "an ordinary Thursday"),
        (D(2025, 7, 12), False, "a Saturday"),
    ],
)
def test_is_working_day(day, working, why):
    assert is_working_day(day) is working, why


def test_holiday_on_a_weekend_is_still_a_holiday_but_gives_no_extra_day_off():
    # 11 July 2026 and 1 November 2025 fall on a Saturday: no substitute day in Belgium.
    assert is_holiday(D(2026, 7, 11)) and is_holiday(D(2025, 11, 1))
    assert is_working_day(D(2026, 7, 13))
    assert next_working_day(D(2025, 10, 31)) == D(2025, 11, 3)


@pytest.mark.parametrize(
    ("start", "count", "expected"),
    [
        (D(2025, 5, 28), 1, D(2025, 5, 30)),   # over Ascension
        (D(2025, 6, 6), 1, D(2025, 6, 10)),    # Friday, weekend, Whit Monday
        (D(2025, 7, 10), 1, D(2025, 7, 14)),   # 11 July then the weekend
        (D(2025, 7, 10), 5, D(2025, 7, 18)),   # 14,15,16,17,18 (21 July not reached)
        (D(2025, 7, 17), 3, D(2025, 7, 23)),   # 18, (21 July), 22, 23
        (D(2025, 12, 24), 2, D(2025, 12, 29)), # 26 Dec counts, Christmas does not
        (D(2024, 2, 28), 1, D(2024, 2, 29)),   # leap day is a Thursday
        (D(2025, 4, 18), 0, D(2025, 4, 18)),
    ],
)
def test_add_working_days(start, count, expected):
    assert add_working_days(start, count) == expected


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (D(2025, 7, 10), D(2025, 7, 14), 1),
        (D(2025, 4, 18), D(2025, 4, 22), 1),
        (D(2025, 6, 2), D(2025, 6, 6), 4),
        (D(2025, 6, 6), D(2025, 6, 6), 0),
        (D(2025, 6, 6), D(2025, 6, 2), 0),
        # 261 weekdays in 2025 minus 10 holidays on weekdays (1 Nov is a Saturday); 1 Jan is
        # outside the half-open interval and a holiday anyway.
        (D(2025, 1, 1), D(2025, 12, 31), 251),
    ],
)
def test_working_days_between(start, end, expected):
    assert working_days_between(start, end) == expected


def test_end_of_day_is_brussels_local_time_in_summer_and_winter():
    summer = end_of_day(D(2025, 7, 31))
    assert summer.astimezone(UTC).replace(microsecond=0) == datetime(2025, 7, 31, 21, 59, 59,
                                                                      tzinfo=UTC)
    winter = end_of_day(D(2025, 12, 31))
    assert winter.astimezone(UTC).replace(microsecond=0) == datetime(2025, 12, 31, 22, 59, 59,
                                                                      tzinfo=UTC)


def test_brussels_date_of_a_utc_moment_near_midnight():
    assert brussels_date(datetime(2025, 3, 31, 22, 30, tzinfo=UTC)) == D(2025, 4, 1)
    assert brussels_date(datetime(2025, 3, 29, 22, 30, tzinfo=UTC)) == D(2025, 3, 29)
