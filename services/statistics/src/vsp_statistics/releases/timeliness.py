"""Timeliness (TP1, TP2) of releases (pure).

The time lag is the number of calendar days from the last day of the reference period to the
publication date: reference period `2024` ends 2024-12-31, `2025-Q1` ends 2025-03-31, `2025-03`
ends 2025-03-31. TP1 (time lag of first results) applies it to the first published release of
a statistic for a reference period, whatever its vintage; TP2 (final results) to the release of
vintage `final`.
"""

from datetime import date
from enum import StrEnum

from dkbuza_kit.dates import PartialDate


class Vintage(StrEnum):
    """Vintage of the released figures. Values (Dutch label): first (eerste resultaten),
    provisional (voorlopige resultaten), final (definitieve resultaten)."""

    first = "first"
    provisional = "provisional"
    final = "final"


def reference_period_end(reference_period: str) -> date:
    return PartialDate.parse(reference_period).last


def time_lag_days(reference_period: str, published_on: date) -> int:
    """Days from the end of the reference period to publication (TP1/TP2 of one release)."""
    return (published_on - reference_period_end(reference_period)).days
