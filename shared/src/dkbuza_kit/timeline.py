"""Time rules for client-given facts: a step happened, so it is not in the future, not before
the step it follows and not before the object's own origin.

Pure functions (`timeline_violation`) for table-driven tests; `check_timeline` raises the
problem. Dates are compared as calendar days in Brussels; two datetimes as instants.

Tolerance: a client's clock may run a little ahead of ours, so "now" is stretched by
`FUTURE_TOLERANCE` (5 minutes, stated in the README) before a moment counts as future.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta

from dkbuza_kit.clock import BRUSSELS
from dkbuza_kit.errors import ErrorCode
from dkbuza_kit.errors import KitErrors
from dkbuza_kit.problems import ProblemError

FUTURE_TOLERANCE = timedelta(minutes=5)

Moment = date | datetime
# (name, moment) of a step or origin to compare with; a None moment is skipped (not reached).
Bound = tuple[str, Moment | None]


@dataclass(frozen=True)
class TimelineViolation:
    error: ErrorCode
    field: str
    value: Moment
    bound_name: str
    bound: Moment

    def problem(self) -> ProblemError:
        relation = {"DATE_IN_FUTURE": "after", "DATE_BEFORE_PREDECESSOR": "before",
                    "DATE_BEFORE_ORIGIN": "before"}[self.error.code]
        return self.error(
            f"{self.field} {self.value.isoformat()} lies {relation} "
            f"{self.bound_name} {self.bound.isoformat()}",
            field=self.field, value=self.value.isoformat(), bound=self.bound_name,
            bound_value=self.bound.isoformat())


def _day(moment: Moment) -> date:
    if isinstance(moment, datetime):
        aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        return aware.astimezone(BRUSSELS).date()
    return moment


def _instant(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def is_before(value: Moment, bound: Moment) -> bool:
    """`value` strictly before `bound`: by instant when both are datetimes, else by Brussels day."""
    if isinstance(value, datetime) and isinstance(bound, datetime):
        return _instant(value) < _instant(bound)
    return _day(value) < _day(bound)


def is_future(value: Moment, now: datetime, tolerance: timedelta = FUTURE_TOLERANCE) -> bool:
    latest = _instant(now) + tolerance
    if isinstance(value, datetime):
        return _instant(value) > latest
    return value > _day(latest)


def timeline_violation(
    field: str,
    value: Moment,
    *,
    now: datetime,
    follows: Iterable[Bound] = (),
    origin: Bound | None = None,
    allow_future: bool = False,
    tolerance: timedelta = FUTURE_TOLERANCE,
) -> TimelineViolation | None:
    """The first rule `value` breaks, checked future first, then predecessors, then origin."""
    if not allow_future and is_future(value, now, tolerance):
        return TimelineViolation(KitErrors.DATE_IN_FUTURE, field, value, "now", now)
    for name, bound in follows:
        if bound is not None and is_before(value, bound):
            return TimelineViolation(KitErrors.DATE_BEFORE_PREDECESSOR, field, value, name, bound)
    if origin is not None and origin[1] is not None and is_before(value, origin[1]):
        return TimelineViolation(KitErrors.DATE_BEFORE_ORIGIN, field, value, origin[0], origin[1])
    return None


def check_timeline(field: str, value: Moment | None, **rules) -> None:
    """Raise the problem of `timeline_violation` (422 with code, field and bound); None passes."""
    if value is None:
        return
    violation = timeline_violation(field, value, **rules)
    if violation is not None:
        raise violation.problem()


def check_period(start_field: str, start: Moment | None, end_field: str, end: Moment | None) -> None:
    """An interval given by a client ends on or after its start."""
    if start is not None and end is not None and is_before(end, start):
        raise KitErrors.PERIOD_INVERTED(
            f"{end_field} {end.isoformat()} lies before {start_field} {start.isoformat()}",
            field=end_field, value=end.isoformat(), bound=start_field,
            bound_value=start.isoformat())
