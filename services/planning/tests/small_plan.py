"""The small 2030 plan the reporting tests run on, and its fixture (imported by tests).

Plan 2030: OD 1.1 {1.1-01 alfa (results Q1, Q3), 1.1-02 beta (Q2)}, OD 1.2 {1.2-01 gamma
(no due)}, OD 2.1 {2.1-01 delta (Q4)}. Teams: alfa/beta/gamma = team-a, delta = team-b.
"""

from datetime import UTC
from datetime import datetime

import pytest

from dkbuza_kit.clock import FixedClock

SMALL_PLAN = """ ONDERNEMINGSPLAN 2030 

1. BUITENLANDS BELEID 

SD 1 VLAANDEREN INVESTEERT IN EEN AMBITIEUS INTERNATIONAAL 
BELEID 

OD 1.1. EERSTE OPERATIONELE DOELSTELLING 

PROJECT ALFA MET EEN TITEL DIE OVER TWEE REGELS 
LOOPT 

Algemene Informatie 

Omschrijving 

Beschrijving van alfa. 

Beoogde resultaten 

Beoogde 
resultaten 

Q1: eerste resultaat van alfa 

Q3: tweede resultaat van alfa 

PROJECT BETA 

Algemene Informatie 

Omschrijving 

Beschrijving van beta. 

Beoogde resultaten 

Beoogde 
resultaten 

Q2: resultaat van beta 

OD 1.2 TWEEDE OPERATIONELE DOELSTELLING 
 PROCES GAMMA 

Algemene Informatie 

Omschrijving Beschrijving van gamma. 

Beoogde resultaten 

Beoogde 
resultaten 

Continu proces 

2. ONTWIKKELINGSSAMENWERKING 

SD 2 WE VOEREN EEN SOLIDAIR BELEID 

OD 2.1. DERDE OPERATIONELE DOELSTELLING 

PROJECT DELTA 

Algemene Informatie 

Omschrijving 

Beschrijving van delta. 

Beoogde resultaten 

Beoogde 
resultaten 

2030 Q4: resultaat van delta 

 HORIZONTALE STRATEGISCHE DOELSTELLINGEN 

- A01 Een aanbeveling: Nog niet opgevolgd – voorziene streefdatum 31/03/2030 
"""


async def import_small_plan(client, headers):
    response = await client.post("/v1/plans/import", headers=headers,
                                 files={"file": ("plan-2030.txt", SMALL_PLAN.encode())})
    assert response.status_code == 201, response.text
    return response.json()


async def initiatives_by_code(client, headers):
    response = await client.get("/v1/initiatives", params={"plan_year": 2030}, headers=headers)
    return {item["code"]: item for item in response.json()["items"]}


@pytest.fixture
async def plan(client, harness):
    manager = harness.headers("planning.manager")
    await import_small_plan(client, manager)
    initiatives = await initiatives_by_code(client, manager)
    for code, team in (("1.1-01", "team-a"), ("1.1-02", "team-a"), ("1.2-01", "team-a"),
                       ("2.1-01", "team-b")):
        ini = initiatives[code]
        response = await client.patch(f"/v1/initiatives/{ini['id']}", json={"owner_team": team},
                                      headers={**manager, "If-Match": f'"{ini["version"]}"'})
        assert response.status_code == 200, response.text
    periods = {}
    for code, start, end, deadline in (("2030-T1", "2030-01-01", "2030-04-30", "2030-05-15"),
                                       ("2030-T2", "2030-05-01", "2030-08-31", "2030-09-15")):
        response = await client.post("/v1/reporting-periods", headers=manager, json={
            "plan_year": 2030, "code": code, "starts_on": start, "ends_on": end,
            "report_deadline": deadline})
        assert response.status_code == 201, response.text
        periods[code] = response.json()["id"]
    harness.app.state.clock = FixedClock(datetime(2030, 5, 10, 10, tzinfo=UTC))
    return {"ini": {c: i["id"] for c, i in initiatives.items()}, "periods": periods,
            "manager": manager}


async def report(client, headers, initiative_id, period_id, status, **extra):
    return await client.post("/v1/status-reports", headers=headers, json={
        "initiative_id": initiative_id, "period_id": period_id, "status": status, **extra})
