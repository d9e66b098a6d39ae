"""The public release calendar: JSON, CSV, iCalendar (parsed with the icalendar library)."""

import csv
import io
from datetime import UTC
from datetime import date
from datetime import datetime

from icalendar import Calendar

ENTITY_A = "TEST-A"


def events(body: bytes) -> dict[str, object]:
    calendar = Calendar.from_ical(body)
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


async def test_ics_feed_has_exactly_the_releases_in_range_cancelled_as_cancelled(api, network):
    a, b = network["a"]["id"], network["b"]["id"]
    in_range = await api.release(a, "2025-04-15")
    month = await api.release(a, "2025-06", vintage="final")
    other_entity = await api.release(b, "2025-05-07", reference_period="2024-Q4")
    cancelled = await api.release(b, "2025-05-08", reference_period="2025-Q1")
    after_range = await api.release(a, "2025-09-10", reference_period="2023", vintage="final")
    assert (await api.cancel(cancelled["id"], "stopgezet")).status_code == 201

    response = await api.client.get("/v1/calendar.ics?from=2025-04-01&to=2025-06-30")
    assert response.status_code == 200  # no token
    assert response.headers["content-type"].startswith("text/calendar")
    found = events(response.content)
    assert set(found) == {in_range["uid"], month["uid"], other_entity["uid"], cancelled["uid"]}
    assert after_range["uid"] not in found
    assert str(found[cancelled["uid"]]["STATUS"]) == "CANCELLED"

    exact = found[in_range["uid"]]
    assert exact.decoded("DTSTART") == datetime(2025, 4, 15, 7, 30, tzinfo=UTC)
    assert str(exact["STATUS"]) == "CONFIRMED"
    # the documented month rule: an all-day, tentative, transparent event over the month
    partial = found[month["uid"]]
    assert partial.decoded("DTSTART") == date(2025, 6, 1)
    assert partial.decoded("DTEND") == date(2025, 7, 1)
    assert str(partial["STATUS"]) == "TENTATIVE"
    assert str(partial["X-VSP-DATE-PRECISION"]) == "month"

    same = await api.client.get("/v1/calendar.ics?from=2025-04-01&to=2025-06-30")
    assert set(events(same.content)) == set(found)
    one_entity = await api.client.get(f"/v1/calendar.ics?from=2025-04-01&to=2025-06-30"
                                      f"&entity={ENTITY_A}")
    assert set(events(one_entity.content)) == {in_range["uid"], month["uid"]}
    theme = await api.client.get("/v1/calendar.ics?from=2025-04-01&to=2025-06-30&theme=Welzijn")
    assert set(events(theme.content)) == {other_entity["uid"], cancelled["uid"]}


async def test_uid_survives_a_reschedule(api, network):
    release = await api.release(network["a"]["id"], "2025-06")
    before = events((await api.client.get("/v1/calendar.ics?from=2025-04-01&to=2025-12-31"))
                    .content)
    moved = await api.reschedule(release["id"], "2025-07-03", reason="bron later")
    assert moved.status_code == 201
    after = events((await api.client.get("/v1/calendar.ics?from=2025-04-01&to=2025-12-31"))
                   .content)
    assert list(before) == list(after) == [release["uid"]]
    event = after[release["uid"]]
    assert event.decoded("DTSTART") == datetime(2025, 7, 3, 7, 30, tzinfo=UTC)
    assert int(event["SEQUENCE"]) > int(before[release["uid"]]["SEQUENCE"])


async def test_json_shows_month_precision_and_csv_has_the_same_rows(api, network):
    month = await api.release(network["a"]["id"], "2025-06")
    day = await api.release(network["a"]["id"], "2025-04-15", vintage="final",
                            release_time="11:00")
    response = await api.client.get("/v1/calendar?from=2025-03-01&to=2025-12-31")
    assert response.status_code == 200
    body = response.json()
    assert (body["from"], body["to"]) == ("2025-03-01", "2025-12-31")
    items = {item["uid"]: item for item in body["items"]}
    assert items[month["uid"]]["date_precision"] == "month"
    assert items[month["uid"]]["target"] == "2025-06"
    assert items[month["uid"]]["exact_date"] is None
    assert items[month["uid"]]["scheduled_at"] is None
    assert items[day["uid"]]["exact_date"] == "2025-04-15"
    assert items[day["uid"]]["scheduled_at"] == "2025-04-15T11:00:00+02:00"
    assert [item["uid"] for item in body["items"]] == [day["uid"], month["uid"]]

    default = await api.client.get("/v1/calendar")  # today + 12 months, JSON
    assert [item["uid"] for item in default.json()["items"]] == [day["uid"], month["uid"]]

    text = (await api.client.get("/v1/calendar.csv?from=2025-03-01&to=2025-12-31")
            ).content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [row["uid"] for row in rows] == [day["uid"], month["uid"]]
    assert rows[1]["date_precision"] == "month"


async def test_calendar_bad_ranges(client):
    for query, code in [("from=2025-05-01&to=2025-04-01", "INVALID_DATE_RANGE"),
                        ("from=2025-01-01&to=2030-01-01", "DATE_RANGE_TOO_LONG"),
                        ("from=gisteren", "VALIDATION_ERROR"),
                        ("format=pdf", "UNKNOWN_QUERY_PARAMETER")]:
        response = await client.get(f"/v1/calendar?{query}")
        assert response.status_code == 422, query
        assert response.json()["code"] == code
