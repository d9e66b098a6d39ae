"""`/v1/overview`: the home screen from the services' real endpoints, within one budget,
partial results kept. The fake upstreams answer in the services' documented shapes (see
conftest: KPIs as in each `kpis.py`, disaster-fund's norm-alert page, statistics' calendar)."""

import time
from datetime import UTC
from datetime import date
from datetime import datetime

import pytest

from dkbuza_kit.clock import FixedClock
from dkbuza_kit.kpis import KpiPeriod
from gateway import overview
from gateway.overview import OverviewOut

SERVICES = {"planning", "disaster-fund", "export-control", "statistics"}
NOW = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
NORM_AT_RISK = "/v1/applications/norm-alerts?status=at_risk&limit=1"
NORM_OVERDUE = "/v1/applications/norm-alerts?status=overdue&limit=1"


@pytest.fixture
def budget(harness):
    return harness.app.state.settings.aggregate_budget_s


@pytest.fixture
def staff(client, harness):
    """Headers of an internal user; "today" is 2026-11-28 in Brussels."""
    harness.app.state.clock = FixedClock(NOW)
    return harness.headers("planning.reader", "vrf.handler", "csg.officer", "vsa.staff")


def requested(fake) -> list[str]:
    return sorted(r["path"] + (f"?{r['query']}" if r["query"] else "") for r in fake.requests)


async def test_overview_answers_the_four_figures_from_the_services(client, staff, upstreams):
    response = await client.get("/v1/overview", headers=staff)
    assert response.status_code == 200, response.text
    assert response.headers["x-gateway-completed"] == "true"
    body = response.json()
    OverviewOut.model_validate(body)  # the documented response model holds
    assert body["completed"] is True
    assert set(body["sources"]) == SERVICES
    assert all(s["status"] == "ok" and "failed_calls" not in s for s in body["sources"].values())

    assert body["plan"] == {
        "period": "2026-T2",
        "status_distribution": {"on_track": 96, "attention_needed": 40, "action_needed": 12,
                                "done": 10, "not_reported": 12, "total": 170},
        "on_track_or_done_pct": 62.4, "status_reports_complete_pct": 87.5,
    }
    assert body["disaster_fund"] == {
        "open_applications": 188,  # 120 + 45 + 20 + 3 over the age bands
        "open_past_one_year_mark": 3, "at_risk_one_year_mark": 14,
        "phase_norm_at_risk": 9, "phase_norm_overdue": 4,
    }
    assert body["export_control"] == {
        "in_progress": 42,
        "in_progress_by_age": [{"age_days": "0-29", "open": 20}, {"age_days": "30-59", "open": 12},
                               {"age_days": "60-89", "open": 6}, {"age_days": "90+", "open": 4}],
        "overdue_against_track": None,  # not published by export-control yet
        "decided_within_indicative_max_pct": 88.2,
    }
    # The published release is left out; five shown, in calendar order (month target included).
    assert [(r["statistic_code"], r["target"]) for r in body["releases"]] == [
        ("VSP-002", "2026-12-03"), ("VSP-003", "2026-12-10"), ("VSP-004", "2026-12"),
        ("VSP-005", "2026-12-15"), ("VSP-006", "2027-01-05")]
    assert body["releases"][0] == {
        "release_id": "00000000-0000-0000-0000-000000000002", "statistic_code": "VSP-002",
        "statistic_title": "Statistiek 2", "entity_code": "STATBEL", "entity_name": "Statbel",
        "target": "2026-12-03", "date_precision": "day", "exact_date": "2026-12-03",
        "scheduled_at": "2026-12-03T09:00:00Z", "release_time": "10:00:00",
        "state": "approved", "rescheduled": False}

    # The cheap calls, each once, with the caller's token.
    assert requested(upstreams["planning"]) == ["/v1/kpis"]
    assert requested(upstreams["disaster-fund"]) == [NORM_AT_RISK, NORM_OVERDUE, "/v1/kpis"]
    assert requested(upstreams["export-control"]) == ["/v1/kpis"]
    assert requested(upstreams["statistics"]) == [
        "/v1/calendar?from=2026-11-28&to=2027-01-27"]
    for fake in upstreams.values():
        assert all(r["headers"]["Authorization"] == staff["Authorization"]
                   for r in fake.requests)


async def test_one_source_down_and_one_slow_still_answers_on_time(client, staff, upstreams,
                                                                  budget):
    await upstreams["export-control"].stop()
    upstreams["statistics"].delay_s = 3.0
    upstreams["planning"].delay_s = 0.1  # slow but within the budget: still collected
    started = time.perf_counter()
    response = await client.get("/v1/overview", headers=staff)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200
    assert budget * 0.9 <= elapsed < budget + 0.25
    assert response.headers["x-gateway-completed"] == "false"
    body = response.json()
    assert body["completed"] is False
    assert body["sources"]["export-control"]["status"] == "error"
    assert body["sources"]["statistics"]["status"] == "timeout"
    assert body["sources"]["planning"]["status"] == "ok"
    assert body["sources"]["planning"]["latency_ms"] >= 100
    assert body["export_control"] is None and body["releases"] is None
    assert body["plan"]["status_distribution"]["total"] == 170
    assert body["disaster_fund"]["open_applications"] == 188


@pytest.mark.parametrize("failure", ["refused", "slow"])
async def test_one_failing_call_keeps_the_other_figures_of_its_source(client, staff, upstreams,
                                                                      budget, failure):
    fund = upstreams["disaster-fund"]
    if failure == "refused":  # e.g. a caller the service lets read KPIs but not dossiers
        fund.answers["/v1/applications/norm-alerts"] = (403, {"code": "FORBIDDEN"})
    else:
        fund.path_delay_s["/v1/applications/norm-alerts"] = 3.0
    started = time.perf_counter()
    response = await client.get("/v1/overview", headers=staff)
    assert time.perf_counter() - started < budget + 0.25
    body = response.json()
    assert body["completed"] is False
    source = body["sources"]["disaster-fund"]
    assert source["status"] == ("error" if failure == "refused" else "timeout")
    assert source.get("http_status") == (403 if failure == "refused" else None)
    assert source["failed_calls"] == [NORM_AT_RISK, NORM_OVERDUE]
    assert body["disaster_fund"] == {
        "open_applications": 188, "open_past_one_year_mark": 3, "at_risk_one_year_mark": 14,
        "phase_norm_at_risk": None, "phase_norm_overdue": None}
    assert all(body["sources"][name]["status"] == "ok" for name in SERVICES - {"disaster-fund"})


async def test_a_body_not_in_the_documented_shape_is_an_error_of_the_source(client, staff,
                                                                           upstreams):
    upstreams["planning"].answers["/v1/kpis"] = (200, {"unexpected": True})
    body = (await client.get("/v1/overview", headers=staff)).json()
    assert body["sources"]["planning"] == {"status": "error", "http_status": 200,
                                           "latency_ms": body["sources"]["planning"]["latency_ms"]}
    assert body["plan"] is None
    assert body["completed"] is False


async def test_no_current_planning_period_gives_no_distribution(client, staff, upstreams):
    # planning's KPIs when no reporting period has started (kpis.py: "as of today").
    as_of = KpiPeriod.as_of(date(2026, 11, 28)).model_dump(mode="json")
    upstreams["planning"].answers["/v1/kpis"] = (200, [
        {**kpi, "value": None, "status": "no_data", "period": as_of, "breakdown": None}
        for kpi in upstreams["planning"].kpis()])
    body = (await client.get("/v1/overview", headers=staff)).json()
    assert body["plan"] == {"period": None, "status_distribution": None,
                            "on_track_or_done_pct": None, "status_reports_complete_pct": None}
    assert body["completed"] is True


async def test_all_services_down_is_502(client, staff, upstreams):
    for fake in upstreams.values():
        await fake.stop()
    response = await client.get("/v1/overview", headers=staff)
    assert response.status_code == 502
    problem = response.json()
    assert problem["code"] == "NO_UPSTREAM_ANSWERED"
    assert set(problem["sources"]) == SERVICES
    assert {source["status"] for source in problem["sources"].values()} == {"error"}


async def test_every_call_refused_is_403(client, staff, upstreams):
    for fake in upstreams.values():
        fake.status = 403
    response = await client.get("/v1/overview", headers=staff)
    assert response.status_code == 403
    assert response.json()["code"] == "FORBIDDEN"


async def test_overview_needs_a_valid_token_at_the_gateway(client, upstreams):
    response = await client.get("/v1/overview")
    assert response.status_code == 401
    assert response.json()["code"] == "UNAUTHENTICATED"
    assert sum(fake.hits for fake in upstreams.values()) == 0


async def test_openapi_documents_the_overview_sections(client):
    document = (await client.get("/openapi.json")).json()
    ok = document["paths"]["/v1/overview"]["get"]["responses"]["200"]
    ref = ok["content"]["application/json"]["schema"]["$ref"]
    schema = document["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert {"completed", "sources", "plan", "disaster_fund", "export_control",
            "releases"} <= set(schema["properties"])


# -- the shaping rules, without HTTP -----------------------------------------------------------

def test_calls_ask_the_calendar_from_today_for_sixty_days():
    calendar = next(c for c in overview.overview_calls(date(2026, 12, 31))
                    if c.source == "statistics")
    assert calendar.path == "/v1/calendar?from=2026-12-31&to=2027-03-01"


@pytest.mark.parametrize(("kpis", "expected"), [
    ([], {"in_progress": None, "in_progress_by_age": None, "overdue_against_track": None,
          "decided_within_indicative_max_pct": None}),
    ([{"id": "open_backlog", "value": 0.0, "breakdown": []},
      {"id": "open_past_indicative_max", "value": 3.0}],
     {"in_progress": 0, "in_progress_by_age": [], "overdue_against_track": 3,
      "decided_within_indicative_max_pct": None}),
])
def test_export_control_section(kpis, expected):
    assert overview.export_control_section(kpis) == expected


@pytest.mark.parametrize(("breakdown", "distribution"), [
    (None, None),
    ([{"status": "on_track", "count": 5}], None),  # incomplete: not passed on as if complete
    ([{"status": s, "count": 1} for s in overview.PLAN_STATUSES],
     {**{s: 1 for s in overview.PLAN_STATUSES}, "total": 5}),
])
def test_plan_distribution_only_when_complete(breakdown, distribution):
    period = KpiPeriod.reporting_period("2026-T1", date(2026, 1, 1), date(2026, 4, 30))
    kpis = [{"id": "initiatives_on_track_pct", "value": 50.0,
             "period": period.model_dump(mode="json"), "breakdown": breakdown}]
    section = overview.plan_section(kpis)
    assert section["status_distribution"] == distribution
    assert section["period"] == ("2026-T1" if distribution else None)


def test_disaster_fund_section_without_kpis_keeps_the_norm_counts():
    assert overview.disaster_fund_section(None, {"total": 2}, None) == {
        "open_applications": None, "open_past_one_year_mark": None,
        "at_risk_one_year_mark": None, "phase_norm_at_risk": 2, "phase_norm_overdue": None}


def test_releases_skip_published_and_malformed_items_and_stop_at_five():
    item = {"release_id": "r", "statistic_code": "S", "statistic_title": "T",
            "entity_code": "E", "entity_name": "N", "target": "2027-01",
            "date_precision": "month", "exact_date": None, "scheduled_at": None,
            "release_time": "10:00:00", "state": "planned", "rescheduled": False}
    items = ([{**item, "state": "published"}, {"statistic_code": "broken"}]
             + [{**item, "release_id": str(n)} for n in range(7)])
    releases = overview.next_releases({"items": items})
    assert [r["release_id"] for r in releases] == ["0", "1", "2", "3", "4"]
