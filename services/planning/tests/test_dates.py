"""Every client-given date of the planning service through the kit's time rules: each refusal
answers 422 with the rule's code and writes nothing (issue 11).

The small plan is 2030 (drafted from 2029-01-01); the clock stands on 2030-05-10.
"""

import pytest
from sqlalchemy import func
from sqlalchemy import select

from dkbuza_kit.models import AuditEvent
from planning.indicators.models import IndicatorMeasurement
from planning.reporting.models import ReportingPeriod


async def count(harness, model) -> int:
    async with harness.sessionmaker() as session:
        return await session.scalar(select(func.count()).select_from(model))


PERIODS = [
    # (starts_on, ends_on, report_deadline, code)
    ("2028-12-31", "2029-03-31", "2029-04-15", "DATE_BEFORE_ORIGIN"),
    ("2030-09-01", "2030-08-31", "2030-09-15", "PERIOD_INVERTED"),
    ("2030-09-01", "2030-12-31", "2030-08-15", "DATE_BEFORE_PREDECESSOR"),
    ("9999-01-01", "9999-03-31", "9999-04-15", "VALIDATION_ERROR"),
    ("0001-01-01", "2030-03-31", "2030-04-15", "VALIDATION_ERROR"),
]


@pytest.mark.parametrize(("starts", "ends", "deadline", "code"), PERIODS)
async def test_reporting_period_dates(client, harness, plan, starts, ends, deadline, code):
    before = await count(harness, ReportingPeriod)
    response = await client.post("/v1/reporting-periods", headers=plan["manager"], json={
        "plan_year": 2030, "code": "2030-TX", "starts_on": starts, "ends_on": ends,
        "report_deadline": deadline})
    assert (response.status_code, response.json()["code"]) == (422, code), response.text
    assert await count(harness, ReportingPeriod) == before


@pytest.mark.parametrize(("achieved_on", "code"), [
    ("2030-05-11", "DATE_IN_FUTURE"), ("2199-12-31", "VALIDATION_ERROR"),
    ("1950-01-01", "DATE_BEFORE_ORIGIN"), ("2028-12-31", "DATE_BEFORE_ORIGIN")])
async def test_achieved_on(client, harness, plan, achieved_on, code):
    manager = plan["manager"]
    url = "/v1/expected-results"
    result = (await client.get(url, headers=manager,
                               params={"initiative_id": plan["ini"]["1.1-01"]})).json()["items"][0]
    audits = await count(harness, AuditEvent)
    response = await client.patch(f"{url}/{result['id']}", headers={**manager, "If-Match": '"1"'},
                                  json={"state": "achieved", "achieved_on": achieved_on})
    assert (response.status_code, response.json()["code"]) == (422, code), response.text
    after = (await client.get(url, headers=manager,
                              params={"initiative_id": plan["ini"]["1.1-01"]})).json()["items"][0]
    assert (after["state"], after["version"]) == ("open", 1)
    assert await count(harness, AuditEvent) == audits


@pytest.mark.parametrize(("measured_on", "code"), [("2030-06-01", "DATE_IN_FUTURE"),
                                                   ("9999-12-31", "VALIDATION_ERROR")])
async def test_measured_on(client, harness, plan, measured_on, code):
    created = await client.post("/v1/indicators", headers=plan["manager"], json={
        "plan_year": 2030, "code": "PI 1.8", "title": "Test", "source": "manual"})
    response = await client.post(f"/v1/indicators/{created.json()['id']}/measurements",
                                 headers=plan["manager"],
                                 json={"value": "1", "measured_on": measured_on})
    assert (response.status_code, response.json()["code"]) == (422, code), response.text
    assert await count(harness, IndicatorMeasurement) == 0


async def test_implemented_on_and_target_dates(client, harness, plan):
    manager = plan["manager"]
    recs = (await client.get("/v1/audit-recommendations", headers=manager)).json()["items"]
    future = await client.post(f"/v1/audit-recommendations/{recs[0]['id']}/status",
                               headers=manager,
                               json={"status": "implemented", "implemented_on": "2030-12-01"})
    assert (future.status_code, future.json()["code"]) == (422, "DATE_IN_FUTURE")
    unchanged = (await client.get(f"/v1/audit-recommendations/{recs[0]['id']}",
                                  headers=manager)).json()
    assert (unchanged["status"], unchanged["implemented_on"]) == ("open", None)
    far = await client.post("/v1/audit-recommendations", headers=manager, json={
        "code": "A99", "title": "Test", "auditing_body": "Audit Vlaanderen",
        "target_date": "9999-12-31"})
    assert (far.status_code, far.json()["code"]) == (422, "VALIDATION_ERROR")
    postponed = await client.post(f"/v1/audit-recommendations/{recs[0]['id']}/postponements",
                                  headers=manager,
                                  json={"new_target_date": "9999-12-31", "reason": "later"})
    assert (postponed.status_code, postponed.json()["code"]) == (422, "VALIDATION_ERROR")
    assert len((await client.get("/v1/audit-recommendations", headers=manager)).json()["items"]) \
        == len(recs)
