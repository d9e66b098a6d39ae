"""Indicator progress: clamp((value - baseline) / (target - baseline), 0..100 %). Pure.

The same formula serves increasing and decreasing targets (for a decreasing target both the
numerator and the denominator are negative while it improves). baseline == target has no
meaningful progress and is flagged invalid; so is a direction that contradicts the numbers,
and an indicator whose baseline, target or direction is not set yet.
"""

from decimal import ROUND_HALF_UP
from decimal import Decimal

HUNDRED = Decimal(100)


def is_valid(baseline: Decimal | None, target: Decimal | None, direction: str | None) -> bool:
    if baseline is None or target is None or direction is None or baseline == target:
        return False
    return (target > baseline) == (direction == "increasing")


def progress_pct(value: Decimal | None, baseline: Decimal | None, target: Decimal | None,
                 direction: str | None) -> Decimal | None:
    """Progress in % (0..100, one decimal), or None without a value or for an invalid target."""
    if value is None or not is_valid(baseline, target, direction):
        return None
    assert baseline is not None and target is not None  # is_valid checked them
    raw = (value - baseline) / (target - baseline) * HUNDRED
    return min(HUNDRED, max(Decimal(0), raw)).quantize(Decimal("0.1"), ROUND_HALF_UP)
