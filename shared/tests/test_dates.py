"""Partial dates and legal month arithmetic, from the disaster-fund spec and by hand."""

from datetime import date

import pytest
from pydantic import BaseModel
from pydantic import ValidationError

from dkbuza_kit.dates import PartialDate
from dkbuza_kit.dates import PartialDateField
from dkbuza_kit.dates import Precision
from dkbuza_kit.dates import add_months
from dkbuza_kit.dates import end_of_month
from dkbuza_kit.dates import end_of_nth_month_after
from dkbuza_kit.dates import within_months_after

D = date


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (D(2025, 1, 31), 1, D(2025, 2, 28)),
        (D(2024, 1, 31), 1, D(2024, 2, 29)),
        (D(2024, 2, 29), 12, D(2025, 2, 28)),
        (D(2025, 3, 31), -1, D(2025, 2, 28)),
        (D(2025, 12, 15), 1, D(2026, 1, 15)),
        (D(2025, 8, 31), 1, D(2025, 9, 30)),
        (D(2025, 1, 15), 0, D(2025, 1, 15)),
    ],
)
def test_add_months_clamps_to_month_end(start, months, expected):
    assert add_months(start, months) == expected


@pytest.mark.parametrize(
    ("published", "expected"),
    [
        (D(2021, 7, 13), D(2021, 10, 31)),  # spec example
        (D(2016, 10, 31), D(2017, 1, 31)),  # spec example, across the year end
        (D(2023, 11, 30), D(2024, 2, 29)),  # into a leap February
        (D(2024, 11, 1), D(2025, 2, 28)),
        (D(2024, 12, 1), D(2025, 3, 31)),
    ],
)
def test_last_day_of_third_month_after(published, expected):
    assert end_of_nth_month_after(published, 3) == expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D(2025, 1, 31), D(2025, 2, 28)),
        (D(2024, 1, 30), D(2024, 2, 29)),
        (D(2025, 5, 15), D(2025, 6, 15)),
        (D(2025, 12, 31), D(2026, 1, 31)),
    ],
)
def test_within_one_month_after(day, expected):
    assert within_months_after(day, 1) == expected


@pytest.mark.parametrize(
    ("text", "first", "last", "precision"),
    [
        ("2025", D(2025, 1, 1), D(2025, 12, 31), Precision.year),
        ("2025-Q1", D(2025, 1, 1), D(2025, 3, 31), Precision.quarter),
        ("2025-Q2", D(2025, 4, 1), D(2025, 6, 30), Precision.quarter),
        ("2025-Q4", D(2025, 10, 1), D(2025, 12, 31), Precision.quarter),
        ("2024-02", D(2024, 2, 1), D(2024, 2, 29), Precision.month),
        ("2025-02", D(2025, 2, 1), D(2025, 2, 28), Precision.month),
        ("2025-05-09", D(2025, 5, 9), D(2025, 5, 9), Precision.day),
    ],
)
def test_partial_date_parse_and_round_trip(text, first, last, precision):
    parsed = PartialDate.parse(text)
    assert (parsed.first, parsed.last, parsed.precision) == (first, last, precision)
    assert str(parsed) == text


@pytest.mark.parametrize("bad", ["2025-Q5", "2025-Q0", "2025-13", "2025-00", "2025-02-30",
                                 "25", "", "2025-5", "Q2 2025", "2025-05-09T10:00"])
def test_partial_date_rejects(bad):
    with pytest.raises(ValueError):
        PartialDate.parse(bad)


def test_partial_date_in_a_model_validates_and_serialises():
    class Result(BaseModel):
        due: PartialDateField

    assert Result(due="2025-Q3").model_dump(mode="json") == {"due": "2025-Q3"}
    assert Result(due=D(2025, 3, 1)).due.precision is Precision.day
    with pytest.raises(ValidationError):
        Result(due="2025-Q9")


def test_partial_dates_order_by_first_day_and_contain_days():
    assert PartialDate.parse("2025-Q1") < PartialDate.parse("2025-04")
    assert PartialDate.parse("2025-Q2").contains(D(2025, 6, 30))
    assert not PartialDate.parse("2025-Q2").contains(D(2025, 7, 1))
    assert end_of_month(D(2100, 2, 10)) == D(2100, 2, 28)  # not a leap year
