"""Indicator progress: clamp((value - baseline) / (target - baseline), 0..100 %). Pure.

The same formula serves increasing and decreasing targets (for a decreasing target both the
numerator and the denominator are negative while it improves). baseline == target has no
meaningful progress and is flagged invalid; so is a direction that contradicts the numbers.
"""

from decimal import ROUND_HALF_UP, Decimal

HUNDRED = Decimal(100)


def is_valid(baseline: Decimal, target: Decimal, direction: str) -> bool:
    if baseline == target:
        return False
    return (target > baseline) == (direction == "increasing")


def progress_pct(value: Decimal | None, baseline: Decimal, target: Decimal,
                 direction: str) -> Decimal | None:
    """Progress in % (0..100, one decimal), or None without a value or for an invalid target."""
    if value is None or not is_valid(baseline, target, direction):
        return None
    raw = (value - baseline) / (target - baseline) * HUNDRED
    return min(HUNDRED, max(Decimal(0), raw)).quantize(Decimal("0.1"), ROUND_HALF_UP)
