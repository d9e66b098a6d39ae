"""Contracts every app keeps, checked over the running apps (issue: honest contracts).

- KPIs: a KPI without a target is `no_target`, never `met`; units from the one list; periods
  structured; every target names its source.
- Bounds: no route answers 5xx for any year from 0001 to 9999 in a date or year query
  parameter, or for extreme offsets and limits (a property test over every documented GET).
"""

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from dkbuza_kit.kpis import KpiPeriod
from dkbuza_kit.kpis import KpiStatus
from dkbuza_kit.kpis import KpiUnit

SERVICES = ["planning", "disaster-fund", "export-control", "statistics"]
READER_ROLES = {
    "planning": ("planning.manager",), "disaster-fund": ("vrf.manager",),
    "export-control": ("csg.head",), "statistics": ("vsa.staff",), "gateway": ("kpi.reader",),
}


@pytest.mark.parametrize("name", SERVICES)
async def test_kpi_contract(apps, name):
    harness = apps[name]
    response = await harness.client.get("/v1/kpis", headers=harness.headers("kpi.reader"))
    assert response.status_code == 200, response.text
    figures = response.json()
    assert figures, "a service without KPIs"
    for figure in figures:
        assert figure["unit"] in set(KpiUnit), figure
        KpiPeriod.model_validate(figure["period"])
        assert figure["status"] in set(KpiStatus), figure
        if figure["target"] is None:
            assert figure["status"] == "no_target", figure
        else:
            assert figure["target_source"], figure


def _query_cases(document: dict):
    """(path, parameter, kind) for every GET query parameter that takes a date or a year."""
    for path, item in document["paths"].items():
        operation = item.get("get")
        if not operation or "{" in path:
            continue
        for parameter in operation.get("parameters", []):
            if parameter.get("in") != "query":
                continue
            schema = parameter.get("schema", {})
            options = [schema, *schema.get("anyOf", [])]
            formats = {option.get("format") for option in options}
            types = {option.get("type") for option in options}
            name = parameter["name"]
            if formats & {"date", "date-time"}:
                yield path, name, "date"
            elif "integer" in types and "year" in name:
                yield path, name, "year"
            elif name in ("limit", "offset"):
                yield path, name, "count"


def _cases(apps):
    cases = []
    for name in [*SERVICES, "gateway"]:
        document = apps[name].app.openapi()
        cases.extend((name, *case) for case in _query_cases(document))
    return cases


@pytest.fixture(scope="module")
def query_cases(apps):
    return _cases(apps)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(year=st.integers(1, 9999), number=st.integers(-10, 10**12), pick=st.integers(0, 10**6))
async def test_no_5xx_for_any_year_or_count(apps, query_cases, year, number, pick):
    name, path, parameter, kind = query_cases[pick % len(query_cases)]
    value = {"date": f"{year:04d}-06-01", "year": str(year), "count": str(number)}[kind]
    harness = apps[name]
    headers = harness.headers("kpi.reader", *READER_ROLES[name])
    response = await harness.client.get(path, params={parameter: value}, headers=headers)
    assert response.status_code < 500, (name, path, parameter, value, response.text[:300])


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31"])
async def test_every_date_query_at_the_calendar_edges(apps, query_cases, value):
    failures = []
    for name, path, parameter, kind in query_cases:
        if kind == "count":
            continue
        sent = value if kind == "date" else value[:4]
        harness = apps[name]
        headers = harness.headers("kpi.reader", *READER_ROLES[name])
        response = await harness.client.get(path, params={parameter: sent}, headers=headers)
        if response.status_code >= 500:
            failures.append((name, path, parameter, sent, response.status_code))
    assert failures == []
