"""The public release calendar as JSON, CSV and iCalendar (pure rendering).

iCalendar rule for targets that are not an exact day (documented for subscribers):
- an exact day becomes a timed event at the release time (DTSTART in UTC, 30 minutes long);
- a month (or quarter, or year) target becomes an all-day event spanning the whole period
  (DTSTART;VALUE=DATE = its first day, DTEND = the day after its last day), marked
  STATUS:TENTATIVE and TRANSP:TRANSPARENT (it blocks no time), with the period in the summary
  ("(datum volgt: 2025-06)") and `X-VSP-DATE-PRECISION:month`. When the exact day is announced
  the same UID moves to it.
Every release keeps one UID (`release-<id>@<domain>`) across reschedules, and SEQUENCE grows
with each change, so subscribed calendars move the entry instead of duplicating it. A cancelled
release stays in the feed as STATUS:CANCELLED (SEQUENCE bumped) with its reason, so
subscribers see the cancellation instead of an entry that silently disappears. DTSTAMP is the
release's last change, so an unchanged feed is byte-identical (stable ETag).
"""

from datetime import UTC
from datetime import timedelta

from icalendar import Calendar
from icalendar import Event

from dkbuza_kit.exports import to_csv
from vsp_statistics.release_calendar.schemas import CalendarItem

ICS_MEDIA_TYPE = "text/calendar; charset=utf-8"
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
EVENT_LENGTH = timedelta(minutes=30)


CSV_COLUMNS = ["uid", "statistic_code", "statistic_title", "entity_code", "entity_name", "theme",
               "reference_period", "vintage", "release_type", "target", "date_precision",
               "exact_date", "release_time", "scheduled_at", "state", "first_announced_target",
               "rescheduled", "previous_target", "reschedule_reason", "cancel_reason",
               "published_at", "output_url"]


def render_csv(items: list[CalendarItem]) -> str:
    rows = ([getattr(item, column) for column in CSV_COLUMNS] for item in items)
    return to_csv(  # to_csv writes the BOM Excel needs for UTF-8
        CSV_COLUMNS, ([_plain(cell) for cell in row] for row in rows))


def _plain(value: object) -> object:
    """Enums as their value, booleans as true/false (as in the JSON)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return getattr(value, "value", value)


def _description(item: CalendarItem) -> str:
    parts = [f"Producent: {item.entity_name} ({item.entity_code}).",
             f"Referentieperiode {item.reference_period}.", f"Status: {item.state}.",
             f"Eerst aangekondigd: {item.first_announced_target}."]
    if item.previous_target is not None:
        parts.append(f"Verplaatst van {item.previous_target}: {item.reschedule_reason}.")
    if item.cancel_reason is not None:
        parts.append(f"Geannuleerd: {item.cancel_reason}.")
    if item.output_url is not None:
        parts.append(f"Publicatie: {item.output_url}")
    return " ".join(parts)


def _event(item: CalendarItem) -> Event:
    event = Event()
    event.add("uid", item.uid)
    event.add("dtstamp", item.last_modified.astimezone(UTC))
    event.add("last-modified", item.last_modified.astimezone(UTC))
    event.add("sequence", item.sequence)
    title = f"{item.statistic_title} ({item.reference_period}, {item.vintage})"
    if item.scheduled_at is not None:
        start = item.scheduled_at.astimezone(UTC)
        event.add("dtstart", start)
        event.add("dtend", start + EVENT_LENGTH)
        status = "CONFIRMED"
    else:
        event.add("dtstart", item.period_first)
        event.add("dtend", item.period_last + timedelta(days=1))
        event.add("transp", "TRANSPARENT")
        title = f"{title} (datum volgt: {item.target})"
        status = "TENTATIVE"
    if item.state == "cancelled":
        status, title = "CANCELLED", f"GEANNULEERD: {title}"
    event.add("summary", title)
    event.add("status", status)
    event.add("x-vsp-date-precision", item.date_precision.value)
    event.add("categories", [item.theme])
    event.add("description", _description(item))
    if item.output_url is not None:
        event.add("url", item.output_url)
    return event


def render_ics(items: list[CalendarItem]) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Statistiek Vlaanderen//VSP release calendar//NL")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", "Statistiek Vlaanderen: releasekalender")
    for item in items:
        calendar.add_component(_event(item))
    return calendar.to_ical()
