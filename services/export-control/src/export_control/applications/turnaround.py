"""The turnaround clock in working days, computed from the application's event table.

Rules (spec "Turnaround clock"):
- working days in Europe/Brussels: weekends, Belgian public holidays and 11 July excluded;
- the clock starts at submission; a submission after 18:00 Brussels time, or on a day that is
  not a working day, counts from the next working day. Days are counted after the start day,
  so a case submitted on Monday morning and decided on Wednesday took 2 working days;
- a working day on which an information request is open is not counted: the days in
  (opened, answered] are paused (the day of the request still counts, the day of the answer
  does not);
- the clock stops at a decision (or a withdrawal) and starts again when a decided case is
  reopened; the figure is the sum of the running segments.
Pure: the same events always give the same figure, so recomputation is idempotent.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta

from dkbuza_kit.calendar import brussels_date
from dkbuza_kit.calendar import is_working_day
from dkbuza_kit.calendar import next_working_day
from dkbuza_kit.clock import BRUSSELS

CUTOFF = time(18, 0)
STARTS = frozenset({"submitted", "reopened"})
STOPS = frozenset({"decided", "withdrawn"})
PAUSE_OPENS = "information_requested"
PAUSE_CLOSES = "information_answered"


@dataclass(frozen=True)
class ClockEvent:
    kind: str
    at: datetime
    # Information requests pair their open and close events by this key.
    key: str | None = None


@dataclass(frozen=True)
class Turnaround:
    working_days: int
    paused_working_days: int
    started_on: date | None
    stopped_on: date | None
    running: bool


def effective_start(at: datetime) -> date:
    """The day the clock counts from: the submission day, or the next working day when the
    submission came after 18:00 or on a weekend/holiday."""
    local = at.astimezone(BRUSSELS)
    day = local.date()
    if local.time() >= CUTOFF or not is_working_day(day):
        return next_working_day(day)
    return day


def _days_after(start: date, end: date) -> set[date]:
    days, day = set(), start + timedelta(days=1)
    while day <= end:
        if is_working_day(day):
            days.add(day)
        day += timedelta(days=1)
    return days


def compute_turnaround(events: Iterable[ClockEvent], as_of: date) -> Turnaround:
    """Working days taken by an application given its events (any order); a clock still
    running is measured up to `as_of`."""
    ordered = sorted(events, key=lambda e: e.at)
    counted: set[date] = set()
    paused: set[date] = set()
    segment_start: date | None = None
    first_start: date | None = None
    stopped_on: date | None = None
    open_requests: dict[str | None, date] = {}
    for event in ordered:
        day = brussels_date(event.at)
        if event.kind in STARTS and segment_start is None:
            segment_start = effective_start(event.at)
            first_start = first_start or segment_start
            stopped_on = None
        elif event.kind in STOPS and segment_start is not None:
            counted |= _days_after(segment_start, day)
            segment_start, stopped_on = None, day
        elif event.kind == PAUSE_OPENS:
            open_requests.setdefault(event.key, day)
        elif event.kind == PAUSE_CLOSES and event.key in open_requests:
            paused |= _days_after(open_requests.pop(event.key), day)
    if segment_start is not None:
        counted |= _days_after(segment_start, as_of)
    for opened in open_requests.values():
        paused |= _days_after(opened, as_of if segment_start is not None else stopped_on or as_of)
    effective_paused = counted & paused
    return Turnaround(
        working_days=len(counted - paused),
        paused_working_days=len(effective_paused),
        started_on=first_start,
        stopped_on=stopped_on if segment_start is None else None,
        running=segment_start is not None,
    )
