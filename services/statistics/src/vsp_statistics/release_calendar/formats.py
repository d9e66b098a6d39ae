"""The public release calendar as JSON, CSV and iCalendar (pure rendering).

iCalendar rule for targets that are not an exact day (documented for subscribers):
- an exact day becomes a timed event at the release time (DTSTART in UTC, 30 minutes long);
- a month (or quarter, or year) target becomes an all-day event spanning the whole period
  (DTSTART;VALUE=DATE = its first day, DTEND = the day after its last day), marked
  STATUS:TENTATIVE and TRANSP:TRANSPARENT (it blocks no time), with the period in the summary
  ("(datum volgt: 2025-06)") and `X-VSP-DATE-PRECISION:month`. When the exact day is announced
  the same UID moves to it.
Every release keeps one UID (`release-<id>@<domain>`) across reschedules, and SEQUENCE grows
with each change, so subscribed calendars move the entry instead of duplicating it.
"""

import csv
import io
from datetime import UTC, date, datetime, time, timedelta

from icalendar import Calendar, Event
from pydantic import BaseModel, Field

from dkbuza_kit.dates import Precision
from dkbuza_kit.exports import BOM

ICS_MEDIA_TYPE = "text/calendar; charset=utf-8"
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
EVENT_LENGTH = timedelta(minutes=30)


class CalendarItem(BaseModel):
    uid: str
    release_id: str
    statistic_code: str
    statistic_title: str
    entity_code: str
    entity_name: str
    theme: str
    reference_period: str
    vintage: str
    target: str = Field(description="As announced: 2025-06 (month) or 2025-06-12 (day)")
    date_precision: Precision
    exact_date: date | None = Field(description="The exact day; null for month, quarter or year "
                                                "targets (see date_precision)")
    period_first: date
    period_last: date
    release_time: time
    scheduled_at: datetime | None
    state: str
    first_announced_target: str
    rescheduled: bool
    published_at: datetime | None
    sequence: int


class CalendarOut(BaseModel):
    date_from: date = Field(serialization_alias="from")
    date_to: date = Field(serialization_alias="to")
    items: list[CalendarItem]


CSV_COLUMNS = ["uid", "statistic_code", "statistic_title", "entity_code", "entity_name", "theme",
               "reference_period", "vintage", "target", "date_precision", "exact_date",
               "release_time", "scheduled_at", "state", "first_announced_target", "rescheduled",
               "published_at"]


def _csv_safe(value: object) -> str:
    """Neutralise spreadsheet formulas (CSV injection) in free text."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def render_csv(items: list[CalendarItem]) -> str:
    buffer = io.StringIO()
    buffer.write(BOM)  # UTF-8 with BOM, so that Excel reads the accents right
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for item in items:
        data = item.model_dump(mode="json")
        writer.writerow([_csv_safe(data[column]) for column in CSV_COLUMNS])
    return buffer.getvalue()


def render_ics(items: list[CalendarItem], now: datetime) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Statistiek Vlaanderen//VSP release calendar//NL")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", "Statistiek Vlaanderen: releasekalender")
    stamp = now.astimezone(UTC)
    for item in items:
        event = Event()
        event.add("uid", item.uid)
        event.add("dtstamp", stamp)
        event.add("sequence", item.sequence)
        title = f"{item.statistic_title} ({item.reference_period}, {item.vintage})"
        if item.scheduled_at is not None:
            start = item.scheduled_at.astimezone(UTC)
            event.add("dtstart", start)
            event.add("dtend", start + EVENT_LENGTH)
            event.add("summary", title)
            event.add("status", "CONFIRMED")
        else:
            event.add("dtstart", item.period_first)
            event.add("dtend", item.period_last + timedelta(days=1))
            event.add("summary", f"{title} (datum volgt: {item.target})")
            event.add("status", "TENTATIVE")
            event.add("transp", "TRANSPARENT")
        event.add("x-vsp-date-precision", item.date_precision.value)
        event.add("categories", [item.theme])
        event.add("description",
                  f"Producent: {item.entity_name} ({item.entity_code}). "
                  f"Referentieperiode {item.reference_period}. Status: {item.state}. "
                  f"Eerst aangekondigd: {item.first_announced_target}.")
        calendar.add_component(event)
    return calendar.to_ical()
