"""Legal dates of the disaster fund: pure functions over calendar dates (Europe/Brussels).

- report deadline: event end + N days (60): the 61st day is too late;
- application deadline: the last day of the 3rd month after the month of publication in the
  Belgian State Gazette (2021-07-13 -> 2021-10-31; 2016-10-31 -> 2017-01-31);
- late window (force majeure): up to 1 year after publication AND within 3 months after the
  impediment ended;
- 1-month terms ("within 1 month after X"): same day number next month, clamped to month end;
- the appeal term (to the Court of Appeal, a term of the Judicial Code): a last day on a
  Saturday, Sunday or holiday moves to the next working day (art. 53 Ger.W.);
- one-year mark: publication + 12 months (the KPI's "on time").
A deadline day D allows everything up to 23:59:59.999999 Brussels time on D.
"""

from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import timedelta
from enum import StrEnum

from disaster_fund.errors import Errors
from dkbuza_kit.calendar import brussels_date
from dkbuza_kit.calendar import end_of_day
from dkbuza_kit.calendar import working_day_on_or_after
from dkbuza_kit.dates import add_months
from dkbuza_kit.dates import end_of_nth_month_after
from dkbuza_kit.dates import within_months_after


@dataclass(frozen=True)
class Windows:
    """The rule set's windows and terms (see `rules.schemas.RuleSetContent`)."""

    report_window_days: int = 60
    application_months_after_publication_month: int = 3
    late_months_after_publication: int = 12
    late_months_after_impediment: int = 3
    expert_report_reaction_months: int = 1
    rectification_months: int = 1
    appeal_months: int = 1


def report_deadline(event_end: date, windows: Windows) -> date:
    return event_end + timedelta(days=windows.report_window_days)


def application_deadline(published_on: date, windows: Windows) -> date:
    return end_of_nth_month_after(published_on, windows.application_months_after_publication_month)


def late_deadline(published_on: date, windows: Windows) -> date:
    return add_months(published_on, windows.late_months_after_publication)


def impediment_deadline(impediment_ended_on: date, windows: Windows) -> date:
    return within_months_after(impediment_ended_on, windows.late_months_after_impediment)


def one_year_mark(published_on: date) -> date:
    return add_months(published_on, 12)


def term_end(start: date, months: int = 1) -> date:
    """Last day of "within `months` month(s) after `start`"."""
    return within_months_after(start, months)


def appeal_term_end(received: date, months: int) -> date:
    """Last day to lodge an appeal: the term of `months` after receipt, moved to the next
    working day when it ends on a Saturday, Sunday or holiday (art. 53 Judicial Code). The kit
    calendar also counts 11 July: an appeal lodged on 12 July after a term ending on 11 July is
    taken as on time (the citizen's side of a doubt)."""
    return working_day_on_or_after(term_end(received, months))


def is_by(moment: datetime, deadline: date) -> bool:
    """True when `moment` is on or before the deadline day (Brussels end of day)."""
    return moment <= end_of_day(deadline)


def day_after(deadline: date) -> date:
    return deadline + timedelta(days=1)


class Timeliness(StrEnum):
    """Whether an application came within the application window. Values (Dutch label):
    on_time (tijdig), late (laattijdig)."""

    on_time = "on_time"
    late = "late"


def check_report_filing(filed_at: datetime, event_end: date, windows: Windows) -> None:
    deadline = report_deadline(event_end, windows)
    if not is_by(filed_at, deadline):
        raise Errors.REPORT_WINDOW_CLOSED(f"damage reports were accepted until {deadline.isoformat()} "
            f"({windows.report_window_days} days after the event ended on {event_end.isoformat()})",
            report_deadline=deadline.isoformat(),
        )


def check_application_timing(
    received_at: datetime,
    published_on: date,
    windows: Windows,
    *,
    impediment_ended_on: date | None,
    late_motivation: str | None,
) -> Timeliness:
    """On time, late (force majeure, goes to late review) or refused (APPLICATION_DEADLINE_PASSED)."""
    deadline = application_deadline(published_on, windows)
    if is_by(received_at, deadline):
        return Timeliness.on_time
    detail = (f"the application deadline was {deadline.isoformat()} (publication in the Belgian "
              f"State Gazette on {published_on.isoformat()})")
    extra = {"deadline": deadline.isoformat(), "publication_date": published_on.isoformat()}
    if impediment_ended_on is None or not (late_motivation or "").strip():
        raise Errors.APPLICATION_DEADLINE_PASSED(
            detail + "; a late application needs a motivation and the date the "
                           "impediment ended", **extra)
    received_on = brussels_date(received_at)
    latest = min(late_deadline(published_on, windows),
                 impediment_deadline(impediment_ended_on, windows))
    if impediment_ended_on > received_on or received_on > latest:
        raise Errors.APPLICATION_DEADLINE_PASSED(
            detail + f"; the late window closed on {latest.isoformat()} (1 year after publication "
            f"and 3 months after the impediment ended on {impediment_ended_on.isoformat()})",
            late_deadline=latest.isoformat(), **extra,
        )
    return Timeliness.late
