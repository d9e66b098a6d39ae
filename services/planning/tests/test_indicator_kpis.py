"""The scheduled job that records indicator measurements from other services' KPIs (issue 7):
a real database, the real job runner and a fake gateway (httpx.MockTransport)."""

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from decimal import Decimal

import httpx
import jwt
import pytest
from sqlalchemy import select
from structlog.testing import capture_logs

from dkbuza_kit.clock import FixedClock
from dkbuza_kit.jobs import enqueue_schedules
from dkbuza_kit.jobs import run_due_jobs
from dkbuza_kit.models import Job
from planning import worker
from planning.indicators.kpi_sync import KpiReading
from planning.indicators.kpi_sync import Skip
from planning.indicators.kpi_sync import choose_measurement
from planning.indicators.kpi_sync import kpi_index
from planning.indicators.kpi_sync import kpi_token
from planning.indicators.models import Indicator
from planning.indicators.models import IndicatorMeasurement
from planning.plan_import.source import default_plan_file
from planning.plans.models import Plan
from planning.settings import PlanningSettings

WITHIN_1Y = "disaster-fund:applications_completed_within_1y_pct"
LICENCES = "export-control:licences_decided_on_time_pct"
START = datetime(2025, 6, 2, 8, 0, tzinfo=UTC)


class FakeGateway:
    """The gateway aggregate's answer shape, with services that can be made to drop out."""

    def __init__(self) -> None:
        self.figures = {
            ("disaster-fund", "applications_completed_within_1y_pct"): (71.4, "as of 2025-06-02"),
            ("export-control", "licences_decided_on_time_pct"): (88.0, "2025-05"),
        }
        self.down: set[str] = set()
        self.failures: list[int] = []  # statuses answered before the real answer
        self.requests: list[httpx.Request] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.failures:
            return httpx.Response(self.failures.pop(0), json={"code": "NO_UPSTREAM_ANSWERED"})
        services = sorted({service for service, _ in self.figures} | {"planning"})
        sources = {name: {"status": "timeout" if name in self.down else "ok", "latency_ms": 4}
                   for name in services}
        kpis = [{"source": service, "id": kpi_id, "value": value, "period": period,
                 "title_en": kpi_id, "unit": "%", "status": "met"}
                for (service, kpi_id), (value, period) in self.figures.items()
                if service not in self.down]
        return httpx.Response(200, json={"completed": not self.down, "sources": sources,
                                         "kpis": kpis})


@pytest.fixture
def gateway() -> FakeGateway:
    return FakeGateway()


@pytest.fixture
def registry(gateway, harness):
    settings = PlanningSettings(database_url=harness.database_url, kpi_token="test-token",
                                gateway_url="http://gateway.test", kpi_retry_delays_s=[0.0])
    return worker.build_registry(lambda: settings, httpx.MockTransport(gateway.handle))


@pytest.fixture
async def indicators(client, harness) -> dict[str, int]:
    """Plan 2025 with a KPI-linked, a second KPI-linked and a manual indicator, and a closed
    plan 2024 whose linked indicator must not be fed any more."""
    async with harness.sessionmaker() as session, session.begin():
        plan = Plan(year=2025, title="Ondernemingsplan 2025", state="adopted")
        closed = Plan(year=2024, title="Ondernemingsplan 2024", state="closed")
        session.add_all([plan, closed])
        await session.flush()
        rows = {
            "within_1y": Indicator(plan_id=plan.id, code="RF-90", title="90% binnen het jaar",
                                   unit="%", baseline=Decimal(0), target=Decimal(90),
                                   direction="increasing", source=WITHIN_1Y),
            "licences": Indicator(plan_id=plan.id, code="EC-1", title="Vergunningen tijdig",
                                  unit="%", source=LICENCES),
            "manual": Indicator(plan_id=plan.id, code="M-1", title="Handmatig", unit="n",
                                source="manual"),
            "closed": Indicator(plan_id=closed.id, code="RF-90", title="90% (2024)", unit="%",
                                source=WITHIN_1Y),
        }
        session.add_all(rows.values())
        await session.flush()
        return {name: row.id for name, row in rows.items()}


async def run_job(harness, registry, at: datetime) -> Job:
    clock = FixedClock(at)
    await enqueue_schedules(harness.sessionmaker, registry, clock)
    assert await run_due_jobs(harness.sessionmaker, registry, clock) >= 1  # + the reminders
    async with harness.sessionmaker() as session:
        return await session.scalar(select(Job).where(Job.task == worker.INDICATOR_KPIS_TASK)
                                    .order_by(Job.id.desc()).limit(1))


async def measurements(harness, indicator_id: int) -> list[IndicatorMeasurement]:
    async with harness.sessionmaker() as session:
        return list(await session.scalars(
            select(IndicatorMeasurement).where(IndicatorMeasurement.indicator_id == indicator_id)
            .order_by(IndicatorMeasurement.id)))


def test_the_worker_schedules_the_job_every_15_minutes():
    schedules = {s.task: s.every for s in worker.registry.schedules}
    assert schedules[worker.INDICATOR_KPIS_TASK] == timedelta(minutes=15)


async def test_linked_indicator_gets_a_measurement_and_no_duplicate_when_unchanged(
        harness, registry, gateway, indicators):
    job = await run_job(harness, registry, START)
    assert job.status == "done" and job.task == "record-indicator-kpis"
    request = gateway.requests[-1]
    assert str(request.url) == "http://gateway.test/v1/kpis"
    assert request.headers["authorization"] == "Bearer test-token"
    [first] = await measurements(harness, indicators["within_1y"])
    assert (first.value, first.period, first.source, first.measured_on) == (
        Decimal("71.400"), "as of 2025-06-02", WITHIN_1Y, date(2025, 6, 2))
    assert await measurements(harness, indicators["manual"]) == []
    assert await measurements(harness, indicators["closed"]) == []

    await run_job(harness, registry, START + timedelta(minutes=15))
    assert len(await measurements(harness, indicators["within_1y"])) == 1
    assert len(await measurements(harness, indicators["licences"])) == 1

    gateway.figures[("disaster-fund", "applications_completed_within_1y_pct")] = (
        73.0, "as of 2025-06-02")
    await run_job(harness, registry, START + timedelta(minutes=30))
    gateway.figures[("disaster-fund", "applications_completed_within_1y_pct")] = (
        73.0, "as of 2025-06-03")
    await run_job(harness, registry, START + timedelta(days=1))
    history = await measurements(harness, indicators["within_1y"])
    assert [(m.value, m.period) for m in history] == [
        (Decimal("71.400"), "as of 2025-06-02"), (Decimal("73.000"), "as of 2025-06-02"),
        (Decimal("73.000"), "as of 2025-06-03")]
    assert history[-1].measured_on == date(2025, 6, 3)
    assert len(await measurements(harness, indicators["licences"])) == 1

    # The API shows the live figure and its progress towards 90 %: 73 / 90 = 81.1 %.
    answer = await harness.client.get(f"/v1/indicators/{indicators['within_1y']}",
                                      headers=harness.headers("planning.reader"))
    body = answer.json()
    assert (body["source"], body["latest_value"], body["progress_pct"]) == (
        WITHIN_1Y, "73.000", "81.1")


async def test_a_partial_answer_records_nothing_for_the_missing_source(
        harness, registry, gateway, indicators):
    gateway.down.add("export-control")
    with capture_logs() as logs:
        job = await run_job(harness, registry, START)
    assert job.status == "done"
    assert len(await measurements(harness, indicators["within_1y"])) == 1
    assert await measurements(harness, indicators["licences"]) == []
    [skipped] = [entry for entry in logs if entry["event"] == "indicator_kpi_skipped"]
    assert (skipped["indicator"], skipped["reason"], skipped["source_status"]) == (
        "EC-1", "source_unavailable", "timeout")

    gateway.down.clear()  # the source is back: its indicator is fed on the next run
    await run_job(harness, registry, START + timedelta(minutes=15))
    assert [m.value for m in await measurements(harness, indicators["licences"])] == [
        Decimal("88.000")]


async def test_a_gateway_failure_is_retried_once_then_fails_the_run(
        harness, registry, gateway, indicators):
    gateway.failures = [503]  # e.g. the stack still starting: the retry gets the answer
    assert (await run_job(harness, registry, START)).status == "done"
    assert len(await measurements(harness, indicators["within_1y"])) == 1

    gateway.failures = [502, 502]
    gateway.figures[("disaster-fund", "applications_completed_within_1y_pct")] = (80.0, "x")
    job = await run_job(harness, registry, START + timedelta(minutes=15))
    assert job.status == "failed" and "502" in job.last_error
    assert len(await measurements(harness, indicators["within_1y"])) == 1
    assert len(gateway.requests) == 4


ANSWER = {"completed": False,
          "sources": {"disaster-fund": {"status": "ok"}, "export-control": {"status": "error"}},
          "kpis": [{"source": "disaster-fund", "id": "a", "value": 90.25, "period": "2025"},
                   {"source": "disaster-fund", "id": "empty", "value": None, "period": "2025"}]}


@pytest.mark.parametrize(("source", "latest", "expected"), [
    ("manual", None, Skip("not_linked")),
    ("statistics:x", None, Skip("source_unavailable",
                                {"service": "statistics", "source_status": "absent"})),
    ("export-control:x", None, Skip("source_unavailable",
                                    {"service": "export-control", "source_status": "error"})),
    ("disaster-fund:missing", None, Skip("kpi_not_found",
                                         {"service": "disaster-fund", "kpi": "missing"})),
    ("disaster-fund:empty", None, Skip("no_value", {"kpi": "empty", "value": None})),
    ("disaster-fund:a", (Decimal("90.250"), "2025"), Skip("unchanged")),
    ("disaster-fund:a", None, KpiReading(Decimal("90.250"), "2025")),
    ("disaster-fund:a", (Decimal("90.250"), "2024"), KpiReading(Decimal("90.250"), "2025")),
    ("disaster-fund:a", (Decimal("90.200"), "2025"), KpiReading(Decimal("90.250"), "2025")),
])
def test_choose_measurement(source, latest, expected):
    assert choose_measurement(source, ANSWER, kpi_index(ANSWER), latest) == expected


async def test_the_token_is_the_configured_one_else_a_short_lived_kpi_reader(
        client, harness, signing_key):
    url = harness.database_url
    assert kpi_token(PlanningSettings(database_url=url, kpi_token="configured")) == "configured"
    token = kpi_token(PlanningSettings(database_url=url, kpi_token=None), signing_key)
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["roles"] == ["kpi.reader"] and claims["exp"] - claims["iat"] == 300
    # A service trusting the key accepts it on its KPI endpoint.
    answer = await client.get("/v1/kpis", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200


async def test_the_imported_plans_linked_indicators_receive_measurements(
        client, harness, registry, gateway):
    """Issue 16, point 5: the licences, VSP and payout indicators of the 2025 plan are linked at
    import to the services that measure them and are fed by the job."""
    imported = await client.post("/v1/plans/import", headers=harness.headers("planning.manager"),
                                 files={"file": ("plan.txt", default_plan_file().read_bytes())})
    assert imported.status_code == 201, imported.text
    gateway.figures = {
        ("export-control", "decided_within_indicative_max_pct"): (92.5, "2025-05"),
        ("statistics", "work_programme_execution_pct"): (40.0, "2025"),
        ("disaster-fund", "recognition_to_payout_median_days"): (211, "as of 2025-06-02"),
    }
    await run_job(harness, registry, START)
    async with harness.sessionmaker() as session:
        fed = dict((await session.execute(
            select(Indicator.code, IndicatorMeasurement.value)
            .join(IndicatorMeasurement, IndicatorMeasurement.indicator_id == Indicator.id)
            .order_by(Indicator.code))).all())
    assert fed == {"PI 1.2": Decimal("92.500"), "PI 3.4": Decimal("40.000"),
                   "PI 4.1": Decimal("211.000")}
    kpis = {k["code"]: k for k in (await client.get(
        "/v1/indicators", params={"limit": 100},
        headers=harness.headers("planning.reader"))).json()["items"]}
    # the plan prints no target for them: no progress is claimed
    assert all(kpis[c]["target"] is None and kpis[c]["progress_pct"] is None
               for c in ("PI 1.2", "PI 3.4", "PI 4.1"))
