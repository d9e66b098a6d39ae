"""Reference-period rules (pure): the period matches the statistic's periodicity and ends
before the release that reports on it.

- monthly -> `2025-03`, quarterly -> `2025-Q1`, annual -> `2025`; multi-annual -> a year (the
  last year of the multi-year period, e.g. `2024` for 2020-2024); ad hoc -> any precision.
- A release reports on a period that has ended: its publication day (and, for an announced
  release, the last day of its target) lies after the last day of the reference period.
"""

from datetime import date

from dkbuza_kit.dates import PartialDate
from dkbuza_kit.dates import Precision

PRECISION_OF_PERIODICITY: dict[str, frozenset[Precision]] = {
    "monthly": frozenset({Precision.month}),
    "quarterly": frozenset({Precision.quarter}),
    "annual": frozenset({Precision.year}),
    "multi_annual": frozenset({Precision.year}),
    "ad_hoc": frozenset(Precision),
}


def matches_periodicity(reference_period: PartialDate, periodicity: str) -> bool:
    return reference_period.precision in PRECISION_OF_PERIODICITY[periodicity]


def ended_before(reference_period: PartialDate, day: date) -> bool:
    """The reference period's last day lies before `day` (a publication or target day)."""
    return reference_period.last < day
