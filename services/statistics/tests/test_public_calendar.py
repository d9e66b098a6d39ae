"""The public side (issue 17, issue 21): reads without a token that never show private
fields; the calendar tells reason, previous and first-announced date, keeps cancelled releases
as cancelled, is paginated and cacheable."""

import csv
import io
from datetime import UTC
from datetime import datetime

from icalendar import Calendar

ENTITY_A = "TEST-A"
PRIVATE_KEYS = {"recorded_by", "changed_by", "rescheduled_by", "approved_by", "requested_by",
                "decided_by", "created_by", "granted_by", "corrected_by", "person_name",
                "justification", "contact_name", "contact_email", "actor", "actor_org"}
SECRET_NAME = "Geheime Kabinetsmedewerker"


def keys(value) -> set[str]:
    if isinstance(value, dict):
        return set(value) | set().union(*(keys(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(keys(v) for v in value)) if value else set()
    return set()


def events(body: bytes) -> dict:
    return {str(e["UID"]): e for e in Calendar.from_ical(body).walk("VEVENT")}


async def story(api, network, clock) -> dict:
    """A release moved once (approved), published and corrected; one cancelled."""
    stat = network["a"]["id"]
    moved = await api.release(stat, "2025-04-15")
    url = f"/v1/releases/{moved['id']}"
    await api.client.post(f"{url}/pre-release-access", headers=api.staff, json={
        "person_name": SECRET_NAME, "organisation": "Kabinet", "justification": "persbericht",
        "access_from": "2025-04-14T09:30:00Z"})
    assert (await api.reschedule(moved["id"], "2025-04-22", reason="bron laat")).status_code \
        == 201
    cancelled = await api.release(stat, "2025-05-20", vintage="final")
    return {"moved": moved, "cancelled": cancelled}


async def test_public_reads_answer_without_a_token_and_show_no_private_field(api, network,
                                                                             clock):
    made = await story(api, network, clock)
    await api.client.post(f"/v1/releases/{made['cancelled']['id']}/cancellations",
                          headers=api.staff, json={"reason": "pending, not public"})
    clock.set(datetime(2025, 4, 22, 8, 0, tzinfo=UTC))
    assert (await api.publish(made["moved"]["id"])).status_code == 200
    stat, release = network["a"]["id"], made["moved"]["id"]
    public = ["/v1/official-statistics?as_of=2025-02-01", f"/v1/official-statistics/{stat}",
              f"/v1/official-statistics/{stat}/datasets",
              f"/v1/official-statistics/{stat}/list-changes", "/v1/releases",
              f"/v1/releases/{release}", f"/v1/releases/{release}/reschedules",
              f"/v1/releases/{release}/changes", "/v1/calendar?from=2025-04-01"]
    for path in public:
        response = await api.client.get(path)
        assert response.status_code == 200, path
        assert keys(response.json()) & PRIVATE_KEYS == set(), path
        assert SECRET_NAME not in response.text and "vsa-staff" not in response.text, path
        assert "pending, not public" not in response.text, path
        assert response.headers["ETag"], path
    for path in (f"/v1/releases/{release}/pre-release-access", f"/v1/releases/{release}/history",
                 f"/v1/releases/{release}/change-requests", f"/v1/releases/{release}/corrections",
                 "/v1/entities"):
        assert (await api.client.get(path)).status_code == 401, path
    as_of = (await api.client.get("/v1/official-statistics?as_of=2024-12-31")).json()
    assert as_of["total"] == 0  # the list as of a date before the inclusion


async def test_calendar_tells_reason_previous_and_first_date_and_keeps_cancellations(
        api, network, clock):
    made = await story(api, network, clock)
    moved, cancelled = made["moved"], made["cancelled"]
    window = "from=2025-04-01&to=2025-06-30"
    before = events((await api.client.get(f"/v1/calendar.ics?{window}")).content)
    assert (await api.cancel(cancelled["id"], "bron stopgezet")).status_code == 201

    items = {i["uid"]: i for i in
             (await api.client.get(f"/v1/calendar?{window}")).json()["items"]}
    assert (items[moved["uid"]]["previous_target"], items[moved["uid"]]["reschedule_reason"],
            items[moved["uid"]]["first_announced_target"]) == ("2025-04-15", "bron laat",
                                                               "2025-04-15")
    assert (items[cancelled["uid"]]["state"], items[cancelled["uid"]]["cancel_reason"]) == (
        "cancelled", "bron stopgezet")

    feed = events((await api.client.get(f"/v1/calendar.ics?{window}")).content)
    gone = feed[cancelled["uid"]]
    assert str(gone["STATUS"]) == "CANCELLED"
    assert int(gone["SEQUENCE"]) > int(before[cancelled["uid"]]["SEQUENCE"])
    assert "bron stopgezet" in str(gone["DESCRIPTION"])
    described = str(feed[moved["uid"]]["DESCRIPTION"])
    assert "Verplaatst van 2025-04-15: bron laat" in described
    assert "Eerst aangekondigd: 2025-04-15" in described

    raw = (await api.client.get(f"/v1/calendar.csv?{window}")).content
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = {r["uid"]: r for r in csv.DictReader(io.StringIO(raw.decode("utf-8-sig")))}
    assert (rows[moved["uid"]]["previous_target"], rows[moved["uid"]]["reschedule_reason"]) == (
        "2025-04-15", "bron laat")
    assert rows[cancelled["uid"]]["state"] == "cancelled"
    assert rows[cancelled["uid"]]["cancel_reason"] == "bron stopgezet"


async def test_calendar_is_paginated_and_cacheable(api, network):
    first = await api.release(network["a"]["id"], "2025-04-15")
    second = await api.release(network["a"]["id"], "2025-06-16", vintage="final")
    page = await api.client.get("/v1/calendar?from=2025-04-01&limit=1")
    body = page.json()
    assert (body["total"], body["limit"], body["offset"]) == (2, 1, 0)
    assert [i["uid"] for i in body["items"]] == [first["uid"]]
    assert page.headers["X-Total-Count"] == "2"
    assert 'rel="next"' in page.headers["Link"] and "offset=1" in page.headers["Link"]
    rest = await api.client.get("/v1/calendar.ics?from=2025-04-01&limit=1&offset=1")
    assert list(events(rest.content)) == [second["uid"]]
    assert "Link" not in rest.headers
    assert (await api.client.get("/v1/calendar?limit=1001")).status_code == 422

    for path in ("/v1/calendar.ics", "/v1/calendar.csv", "/v1/calendar",
                 f"/v1/releases/{first['id']}", "/v1/official-statistics"):
        response = await api.client.get(path)
        tag = response.headers["ETag"]
        assert response.headers["Cache-Control"].startswith("public"), path
        again = await api.client.get(path, headers={"If-None-Match": tag})
        assert again.status_code == 304, path
        assert again.content == b""
    dated = await api.client.get("/v1/calendar.ics")
    since = dated.headers["Last-Modified"]
    assert (await api.client.get("/v1/calendar.ics",
                                 headers={"If-Modified-Since": since})).status_code == 304
    # a change: new ETag
    assert (await api.reschedule(first["id"], "2025-04-17")).status_code == 201
    assert (await api.client.get("/v1/calendar.ics")).headers["ETag"] != dated.headers["ETag"]


async def test_calendar_csv_neutralises_formulas(api, network):
    await api.entity("TEST-F")
    formula = await api.client.post("/v1/official-statistics", headers=api.staff, json={
        "code": "F-1", "title": '=HYPERLINK("https://evil.example","klik")', "theme": "+thema",
        "entity_code": "TEST-F", "periodicity": "annual",
        "inclusion": {"effective_on": "2025-01-01", "reason": "r",
                      "decision_type": "cvos_decision", "decision_reference": "X"}})
    assert formula.status_code == 201
    await api.release(formula.json()["id"], "2025-06")
    raw = (await api.client.get("/v1/calendar.csv")).content.decode("utf-8-sig")
    [row] = list(csv.DictReader(io.StringIO(raw)))
    assert row["statistic_title"] == "'=HYPERLINK(\"https://evil.example\",\"klik\")"
    assert row["theme"] == "'+thema"
