"""Pre-announcement rules (pure).

The network announces a 12-month calendar; the exact day of a release must be known at least
28 calendar days before it. Two rules follow:
- a target that is not an exact day may not start within the next 28 days
  (`exact_day_required`): the release must then be announced (or rescheduled) to an exact day;
- a release is pre-announcement compliant when the exact day it is published on was announced
  at least 28 days before that day (`pre_announcement_compliant`).
"""

from datetime import date

from dkbuza_kit.dates import PartialDate
from dkbuza_kit.dates import Precision

EXACT_DAY_NOTICE_DAYS = 28


def exact_day_required(target: PartialDate, today: date,
                       notice_days: int = EXACT_DAY_NOTICE_DAYS) -> bool:
    """True when `target` is only partial yet could fall within the next `notice_days` days."""
    return target.precision is not Precision.day and (target.first - today).days < notice_days


def pre_announcement_compliant(exact_day: date, announced_on: date,
                               notice_days: int = EXACT_DAY_NOTICE_DAYS) -> bool:
    return (exact_day - announced_on).days >= notice_days
