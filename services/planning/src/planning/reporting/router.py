"""HTTP for reporting periods, status reports and the reporting queries."""

from typing import Annotated
from typing import Literal

from fastapi import APIRouter
from fastapi import Query
from fastapi import Request
from fastapi import Response
from sqlalchemy import select

from dkbuza_kit.clock import ClockDep
from dkbuza_kit.clock import today_brussels
from dkbuza_kit.concurrency import lock_for_change
from dkbuza_kit.concurrency import set_etag
from dkbuza_kit.db import DbSession
from dkbuza_kit.db import get_or_404
from dkbuza_kit.db import where_given
from dkbuza_kit.errors import AUTH_ERRORS
from dkbuza_kit.errors import IF_MATCH_ERRORS
from dkbuza_kit.errors import KitErrors
from dkbuza_kit.errors import responses
from dkbuza_kit.openapi import IF_MATCH
from dkbuza_kit.openapi import RETURNS_ETAG
from dkbuza_kit.pagination import Page
from dkbuza_kit.pagination import Pagination
from dkbuza_kit.pagination import page_of
from dkbuza_kit.pagination import paginate
from planning.errors import Errors
from planning.plans.filters import InitiativeFilterParams
from planning.plans.models import Plan
from planning.reporting import queries
from planning.reporting import service
from planning.reporting.models import ReportingPeriod
from planning.reporting.models import StatusReport
from planning.reporting.models import StatusReportEntry
from planning.reporting.schemas import Completeness
from planning.reporting.schemas import Deterioration
from planning.reporting.schemas import Distribution
from planning.reporting.schemas import OnTimeRate
from planning.reporting.schemas import OverdueResult
from planning.reporting.schemas import PeriodIn
from planning.reporting.schemas import PeriodOut
from planning.reporting.schemas import ReportCorrection
from planning.reporting.schemas import ReportEntryOut
from planning.reporting.schemas import ReportIn
from planning.reporting.schemas import ReportOut
from planning.reporting.schemas import ReportUpdate
from planning.reporting.schemas import RollUpRow
from planning.roles import Manager
from planning.roles import Reader
from planning.roles import ReporterOrManager

router = APIRouter(tags=["reporting"])


async def period_or_404(session, period_id: int) -> ReportingPeriod:
    return await get_or_404(session, ReportingPeriod, period_id, what="reporting period",
                            error=Errors.PERIOD_NOT_FOUND)


async def report_or_404(session, report_id: int) -> StatusReport:
    return await get_or_404(session, StatusReport, report_id, what="status report",
                            error=Errors.STATUS_REPORT_NOT_FOUND)


@router.post("/v1/reporting-periods", response_model=PeriodOut, status_code=201,
             responses=responses(Errors.PLAN_NOT_FOUND, Errors.PERIOD_EXISTS,
                                 KitErrors.PERIOD_INVERTED, KitErrors.DATE_BEFORE_ORIGIN,
                                 KitErrors.DATE_BEFORE_PREDECESSOR, KitErrors.VALIDATION_ERROR,
                                 *AUTH_ERRORS))
async def create_reporting_period(body: PeriodIn, session: DbSession, _: Manager,
                                  clock: ClockDep):
    return await service.create_period(session, body, clock.now())


@router.get("/v1/reporting-periods", response_model=Page[PeriodOut])
async def list_reporting_periods(session: DbSession, _: Reader, page: Pagination,
                                 plan_year: Annotated[int | None, Query(ge=2000, le=2100)] = None):
    stmt = select(ReportingPeriod).join(Plan, Plan.id == ReportingPeriod.plan_id)
    stmt = where_given(stmt, (Plan.year, plan_year))
    return await page_of(session, stmt.order_by(ReportingPeriod.starts_on,
                         ReportingPeriod.id), page)


@router.get("/v1/reporting-periods/{period_id}", response_model=PeriodOut)
async def get_reporting_period(period_id: int, session: DbSession, _: Reader):
    return await period_or_404(session, period_id)


@router.post("/v1/reporting-periods/{period_id}/close", response_model=PeriodOut)
async def close_reporting_period(period_id: int, session: DbSession, _: Manager,
                                 clock: ClockDep):
    """Close the period: its reports are frozen (corrections only, with a reason)."""
    period = await period_or_404(session, period_id)
    return await service.close_period(session, period, clock.now())


@router.get("/v1/reporting-periods/{period_id}/status-distribution", response_model=Distribution)
async def get_status_distribution(period_id: int, session: DbSession, _: Reader,
                                  filters: InitiativeFilterParams, clock: ClockDep):
    """Counts per status; initiatives without a report count as `not_reported`."""
    period = await period_or_404(session, period_id)
    plan = await session.get(Plan, period.plan_id)
    return await queries.status_distribution(session, period, plan.year, filters,
                                             today_brussels(clock))


@router.get("/v1/reporting-periods/{period_id}/completeness", response_model=Completeness)
async def get_completeness(period_id: int, session: DbSession, _: Reader):
    """Reported by the deadline / active initiatives."""
    return await queries.completeness(session, await period_or_404(session, period_id))


@router.get("/v1/reporting-periods/{period_id}/roll-up", response_model=list[RollUpRow])
async def get_roll_up(period_id: int, session: DbSession, _: Reader,
                      level: Literal["operational_goal", "strategic_goal", "policy_field"]
                      = "operational_goal"):
    return await queries.roll_up(session, await period_or_404(session, period_id), level)


@router.get("/v1/reporting-periods/{period_id}/deteriorations",
            response_model=list[Deterioration])
async def get_deteriorations(period_id: int, session: DbSession, _: Reader,
                             compared_to: Annotated[int, Query(description="earlier period id")]):
    """Initiatives whose status got worse from `compared_to` to this period."""
    later = await period_or_404(session, period_id)
    earlier = await period_or_404(session, compared_to)
    return await queries.deteriorations(session, earlier, later)


@router.get("/v1/expected-results/overdue", response_model=Page[OverdueResult])
async def list_overdue_results(session: DbSession, _: Reader, page: Pagination, clock: ClockDep,
                               plan_year: Annotated[int | None, Query(ge=2000, le=2100)] = None):
    """Every passed due of an open result (its own due or a milestone on the way), with the
    days overdue from the last day of the due period."""
    stmt = queries.overdue_list_query(plan_year, today_brussels(clock))
    rows, total = await paginate(session, stmt, page, scalars=False)
    return Page.of([queries.overdue_item(r) for r in rows], total, page)


@router.get("/v1/expected-results/on-time-rate", response_model=OnTimeRate)
async def get_on_time_rate(session: DbSession, _: Reader, clock: ClockDep,
                           plan_year: Annotated[int | None, Query(ge=2000, le=2100)] = None):
    """Of the results due by now, the share achieved within their due period."""
    return await queries.on_time_rate(session, plan_year, today_brussels(clock))


@router.post("/v1/status-reports", response_model=ReportOut, status_code=201, dependencies=[RETURNS_ETAG])
async def submit_status_report(body: ReportIn, session: DbSession, principal: ReporterOrManager,
                               clock: ClockDep, response: Response):
    """One report per initiative and period; explanation/corrective action rules apply."""
    report = await service.submit_report(session, body, principal, clock.now())
    set_etag(response, report.version)
    return report


@router.get("/v1/status-reports", response_model=Page[ReportOut])
async def list_status_reports(session: DbSession, _: Reader, page: Pagination,
                              period_id: int | None = None, initiative_id: int | None = None):
    stmt = select(StatusReport)
    stmt = where_given(stmt, (StatusReport.period_id, period_id), (StatusReport.initiative_id, initiative_id))
    return await page_of(session, stmt.order_by(StatusReport.id), page)


@router.get("/v1/status-reports/{report_id}", response_model=ReportOut, dependencies=[RETURNS_ETAG])
async def get_status_report(report_id: int, session: DbSession, _: Reader, response: Response):
    report = await report_or_404(session, report_id)
    set_etag(response, report.version)
    return report


@router.put("/v1/status-reports/{report_id}", response_model=ReportOut,
            responses=responses(Errors.STATUS_REPORT_NOT_FOUND, Errors.PERIOD_CLOSED,
                                Errors.NOT_YOUR_TEAM, Errors.EXPLANATION_REQUIRED,
                                Errors.CORRECTIVE_ACTION_REQUIRED, Errors.RESULTS_NOT_FINISHED,
                                *IF_MATCH_ERRORS, *AUTH_ERRORS),
            dependencies=[IF_MATCH])
async def update_status_report(report_id: int, body: ReportUpdate, request: Request,
                               response: Response, session: DbSession,
                               principal: ReporterOrManager, clock: ClockDep):
    """Edit while the period is open (If-Match); 409 once the period is closed."""
    report = await lock_for_change(session, StatusReport, report_id, request,
                                   what="status report", not_found=Errors.STATUS_REPORT_NOT_FOUND)
    await service.update_report(session, report, body, principal, clock.now())
    set_etag(response, report.version)
    return report


@router.post("/v1/status-reports/{report_id}/corrections", response_model=ReportOut,
             status_code=201)
async def correct_status_report(report_id: int, body: ReportCorrection, session: DbSession,
                                principal: ReporterOrManager, clock: ClockDep):
    """After close: a correction is a new history entry with a reason."""
    report = await report_or_404(session, report_id)
    return await service.correct_report(session, report, body, principal, clock.now())


@router.get("/v1/status-reports/{report_id}/history", response_model=list[ReportEntryOut])
async def get_status_report_history(report_id: int, session: DbSession, _: Reader):
    await report_or_404(session, report_id)
    rows = await session.scalars(select(StatusReportEntry)
                                 .where(StatusReportEntry.report_id == report_id)
                                 .order_by(StatusReportEntry.id))
    return list(rows)
