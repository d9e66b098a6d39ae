"""No date is stored as +-infinity (issue 12): asyncpg writes date.min and date.max as
`-infinity`/`infinity`, after which every KPI read failed. Dates are bounded on input (kit
`BoundedDate`); 0001-01-01 and 9999-12-31 get 422 and /v1/kpis keeps answering."""

import pytest
from sqlalchemy import text

EXTREMES = ["0001-01-01", "9999-12-31"]
ENTITY_A, ENTITY_B = "BOUND-A", "BOUND-B"


async def _finite_dates_only(harness) -> list[tuple[str, str]]:
    """(table, column) pairs holding an infinite date, over every date column."""
    found = []
    async with harness.sessionmaker() as session:
        columns = (await session.execute(text(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = 'public' AND data_type IN ('date', 'timestamp with time zone',"
            " 'timestamp without time zone')"))).all()
        for table, column in columns:
            infinite = await session.scalar(text(
                f'SELECT count(*) FROM "{table}" WHERE NOT isfinite("{column}")'))
            if infinite:
                found.append((table, column))
    return found


@pytest.mark.parametrize("extreme", EXTREMES)
async def test_extreme_dates_are_refused_and_kpis_keep_answering(api, harness, extreme):
    await api.entity(ENTITY_A)
    await api.entity(ENTITY_B)
    staff = api.staff
    project = {"title": "Samen", "entity_codes": [ENTITY_A, ENTITY_B], "start_date": "2025-02-01"}
    advice = {"advised_on": "2025-01-10", "topic": "t", "advice": "a"}
    created_project = await api.client.post("/v1/collaboration-projects", headers=staff,
                                            json=project)
    created_advice = await api.client.post("/v1/consultations", headers=staff, json=advice)
    assert created_project.status_code == created_advice.status_code == 201
    attempts = [
        ("POST", "/v1/collaboration-projects", {**project, "start_date": extreme}),
        ("POST", "/v1/collaboration-projects", {**project, "end_date": extreme}),
        ("POST", "/v1/consultations", {**advice, "advised_on": extreme}),
        ("POST", f"/v1/consultations/{created_advice.json()['id']}/response",
         {"response": "r", "responded_on": extreme}),
    ]
    refused = []
    for method, url, body in attempts:
        response = await api.client.request(method, url, headers=staff, json=body)
        if response.status_code != 422:
            refused.append((url, sorted(body), response.status_code))
    assert refused == [], "accepted an extreme date"
    assert await _finite_dates_only(harness) == []
    kpis = await api.client.get("/v1/kpis", headers=harness.headers("kpi.reader"))
    assert kpis.status_code == 200, kpis.text
