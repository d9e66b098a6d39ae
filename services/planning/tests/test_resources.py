"""Resources per initiative (issue 16, point 6): planned and committed budget and FTE per period,
totals per OD and SD, an export (formulas neutralised), bounds, If-Match."""

import asyncio
import csv
import io

import openpyxl
from sqlalchemy import func
from sqlalchemy import select

from planning.resources.models import InitiativeResources


async def record(client, manager, initiative, period, **amounts):
    return await client.post("/v1/resources", headers=manager, json={
        "initiative_id": initiative, "period_id": period, **amounts})


async def test_resources_totals_and_export(client, harness, plan):
    manager, ini, t1 = plan["manager"], plan["ini"], plan["periods"]["2030-T1"]
    t2 = plan["periods"]["2030-T2"]
    for initiative, period, amounts in (
            ("1.1-01", t1, {"budget_planned": "100000.00", "budget_committed": "40000.50",
                            "fte_planned": "1.5", "fte_committed": "1.0"}),
            ("1.1-02", t1, {"budget_planned": "50000", "fte_planned": "0.5"}),
            ("1.1-01", t2, {"budget_planned": "25000", "budget_committed": "25000"}),
            ("2.1-01", t1, {"budget_planned": "10000", "fte_planned": "2"})):
        created = await record(client, manager, ini[initiative], period, **amounts)
        assert created.status_code == 201, created.text

    twice = await record(client, manager, ini["1.1-01"], t1, budget_planned="1")
    assert (twice.status_code, twice.json()["code"]) == (409, "RESOURCES_EXIST")
    for bad in ({"budget_planned": "-1"}, {"budget_planned": "99999999999.00"},
                {"fte_planned": "10000"}):
        refused = await record(client, manager, ini["1.2-01"], t1, **bad)
        assert (refused.status_code, refused.json()["code"]) == (422, "VALIDATION_ERROR")
    async with harness.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(InitiativeResources)) == 4

    ods = (await client.get("/v1/resources/totals", headers=manager,
                            params={"plan_year": 2030})).json()
    assert [(o["code"], o["budget_planned"], o["budget_committed"], o["fte_planned"],
             o["initiatives"]) for o in ods] == [
        ("OD 1.1", "175000.00", "65000.50", "2.00", 2), ("OD 2.1", "10000.00", "0.00", "2.00", 1)]
    sds = (await client.get("/v1/resources/totals", headers=manager, params={
        "plan_year": 2030, "level": "strategic_goal", "period_id": t1})).json()
    assert [(s["code"], s["budget_planned"]) for s in sds] == [("SD 1", "150000.00"),
                                                              ("SD 2", "10000.00")]

    text = (await client.get("/v1/exports/resources.csv", headers=manager,
                             params={"plan_year": 2030})).text.lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:5] == ["plan_year", "period", "strategic_goal", "operational_goal",
                           "initiative"] and len(rows) == 5
    xlsx = await client.get("/v1/exports/resources.xlsx", headers=manager, params={"plan_year": 2030})
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.max_row == 5


async def test_resources_change_needs_if_match_and_loses_no_update(client, harness, plan):
    manager = plan["manager"]
    created = await record(client, manager, plan["ini"]["1.1-01"], plan["periods"]["2030-T1"],
                           budget_planned="1000")
    url = f"/v1/resources/{created.json()['id']}"
    assert (await client.patch(url, headers=manager, json={"fte_planned": "1"})).status_code \
        == 428
    etag = created.headers["ETag"]
    for round_ in range(20):
        answers = await asyncio.gather(*[
            client.patch(url, headers={**manager, "If-Match": etag},
                         json={"budget_committed": str(value)}) for value in (round_, round_ + 1)])
        assert sorted(a.status_code for a in answers) == [200, 412], round_
        etag = next(a for a in answers if a.status_code == 200).headers["ETag"]
    cleared = await client.patch(url, headers={**manager, "If-Match": etag},
                                 json={"budget_planned": None})
    assert (cleared.status_code, cleared.json()["code"]) == (422, "FIELD_NOT_NULLABLE")


async def test_resources_export_neutralises_formulas(client, harness, plan):
    manager = plan["manager"]
    ods = (await client.get("/v1/operational-goals", headers=manager,
                            params={"plan_year": 2030})).json()["items"]
    added = await client.post("/v1/initiatives", headers=manager, json={
        "operational_goal_id": ods[0]["id"], "title": "=HYPERLINK(\"http://x\",\"y\")",
        "kind": "project", "reason": "formuletest"})
    assert added.status_code == 201, added.text
    await record(client, manager, added.json()["id"], plan["periods"]["2030-T1"],
                 budget_planned="1")
    xlsx = await client.get("/v1/exports/resources.xlsx", headers=manager, params={"plan_year": 2030})
    cell = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active.cell(row=2, column=6)
    assert cell.data_type == "s" and cell.value.startswith("'=")
    text = (await client.get("/v1/exports/resources.csv", headers=manager,
                             params={"plan_year": 2030})).text.lstrip("\ufeff")
    assert list(csv.reader(io.StringIO(text)))[1][5].startswith("'=")
