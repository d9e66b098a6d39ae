"""Use cases of reporting periods and status reports."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dkbuza_kit.audit import add_audited
from dkbuza_kit.audit import emit_event
from dkbuza_kit.audit import record_audit
from dkbuza_kit.auth import Principal
from dkbuza_kit.concurrency import bump_version
from dkbuza_kit.db import add_unique
from dkbuza_kit.timeline import check_period
from dkbuza_kit.timeline import check_timeline
from planning.errors import Errors
from planning.plans.models import ExpectedResult
from planning.plans.models import Initiative
from planning.plans.service import plan_by_year
from planning.plans.service import plan_drafting_start
from planning.reporting.models import ReportingPeriod
from planning.reporting.models import StatusReport
from planning.reporting.models import StatusReportEntry
from planning.reporting.rules import report_errors
from planning.reporting.schemas import PeriodIn
from planning.reporting.schemas import ReportCorrection
from planning.reporting.schemas import ReportIn
from planning.reporting.schemas import ReportUpdate
from planning.roles import ensure_team_access


async def create_period(session: AsyncSession, body: PeriodIn, now: datetime) -> ReportingPeriod:
    plan = await plan_by_year(session, body.plan_year)
    check_period("starts_on", body.starts_on, "ends_on", body.ends_on)
    check_timeline("starts_on", body.starts_on, now=now, allow_future=True,
                   origin=("plan_drafting_start", plan_drafting_start(plan.year)))
    check_timeline("report_deadline", body.report_deadline, now=now, allow_future=True,
                   follows=[("starts_on", body.starts_on)])
    exists = await session.scalar(select(ReportingPeriod.id).where(
        ReportingPeriod.plan_id == plan.id, ReportingPeriod.code == body.code))
    if exists is not None:
        raise Errors.PERIOD_EXISTS(f"period {body.code} exists")
    period = ReportingPeriod(plan_id=plan.id, code=body.code, starts_on=body.starts_on,
                             ends_on=body.ends_on, report_deadline=body.report_deadline,
                             closed=False)
    await add_audited(session, period, entity_type="reporting_period", action="created", to_state="open")
    return period


async def close_period(session: AsyncSession, period: ReportingPeriod,
                       now: datetime) -> ReportingPeriod:
    if period.closed:
        raise Errors.PERIOD_ALREADY_CLOSED(f"period {period.code} is closed")
    period.closed = True
    period.closed_at = now
    await record_audit(session, entity_type="reporting_period", entity_id=period.id,
                       action="closed", from_state="open", to_state="closed")
    await emit_event(session, "period.closed", subject=period.id,
                     data={"code": period.code, "closed_at": now.isoformat()})
    return period


async def _check_rules(session: AsyncSession, initiative_id: int, body: ReportUpdate) -> None:
    states = (await session.scalars(select(ExpectedResult.state).where(
        ExpectedResult.initiative_id == initiative_id))).all()
    errors = report_errors(body.status.value, body.explanation, body.corrective_action, states)
    if errors:
        raise getattr(Errors, errors[0]["code"])(errors[0]["message"], errors=errors)


async def _report_event(session: AsyncSession, report: StatusReport, action: str) -> None:
    """Outbox event for webhook subscribers (planning data is internal: no organisation)."""
    await emit_event(session, f"report.{action}", subject=report.id,
                     data={"initiative_id": report.initiative_id, "period_id": report.period_id,
                           "status": report.status})


async def _initiative_for_writer(session: AsyncSession, initiative_id: int,
                                 principal: Principal) -> Initiative:
    initiative = await session.get(Initiative, initiative_id)
    if initiative is None:
        raise Errors.INITIATIVE_NOT_FOUND("initiative not found")
    ensure_team_access(principal, initiative.owner_team)
    return initiative


def _entry(report: StatusReport, kind: str, actor: str, now: datetime,
           reason: str | None = None) -> StatusReportEntry:
    return StatusReportEntry(report_id=report.id, kind=kind, status=report.status,
                             explanation=report.explanation,
                             corrective_action=report.corrective_action, reason=reason,
                             recorded_by=actor, recorded_at=now)


async def submit_report(session: AsyncSession, body: ReportIn, principal: Principal,
                        now: datetime) -> StatusReport:
    initiative = await _initiative_for_writer(session, body.initiative_id, principal)
    period = await session.get(ReportingPeriod, body.period_id)
    if period is None or period.plan_id != initiative.plan_id:
        raise Errors.PERIOD_NOT_FOUND("reporting period of this plan not found")
    if period.closed:
        raise Errors.PERIOD_CLOSED(f"period {period.code} is closed; submit a correction instead")
    existing = await session.scalar(select(StatusReport.id).where(
        StatusReport.initiative_id == initiative.id, StatusReport.period_id == period.id))
    if existing is not None:
        raise Errors.STATUS_REPORT_EXISTS("this initiative already has a report for the period; update it",
                           report_id=existing)
    await _check_rules(session, initiative.id, body)
    report = StatusReport(initiative_id=initiative.id, period_id=period.id,
                          status=body.status.value, explanation=body.explanation,
                          corrective_action=body.corrective_action, reported_by=principal.sub,
                          first_reported_at=now, updated_at=now, corrected=False)
    # The unique (initiative, period) decides, also when a concurrent submission won the race.
    await add_unique(session, report, "uq_status_reports_initiative_id_period_id",
                     lambda: Errors.STATUS_REPORT_EXISTS(
                         "this initiative already has a report for the period"))
    session.add(_entry(report, "submitted", principal.sub, now))
    await record_audit(session, entity_type="status_report", entity_id=report.id,
                       action="submitted", to_state=report.status)
    await _report_event(session, report, "submitted")
    return report


async def update_report(session: AsyncSession, report: StatusReport, body: ReportUpdate,
                        principal: Principal, now: datetime) -> StatusReport:
    period = await _period_for_writer(session, report, principal)
    if period is not None and period.closed:
        raise Errors.PERIOD_CLOSED(f"period {period.code} is closed: the report is frozen; "
                           "submit a correction with a reason")
    return await _change_report(session, report, body, principal, now, action="edited",
                                entry_kind="edited")


async def correct_report(session: AsyncSession, report: StatusReport, body: ReportCorrection,
                         principal: Principal, now: datetime) -> StatusReport:
    period = await _period_for_writer(session, report, principal)
    if period is not None and not period.closed:
        raise Errors.PERIOD_OPEN("the period is open: update the report instead")
    return await _change_report(session, report, body, principal, now, action="corrected",
                                entry_kind="correction", reason=body.reason)


async def _period_for_writer(session: AsyncSession, report: StatusReport,
                             principal: Principal) -> ReportingPeriod | None:
    """The report's period, once the principal may write for the report's initiative."""
    await _initiative_for_writer(session, report.initiative_id, principal)
    return await session.get(ReportingPeriod, report.period_id)


async def _change_report(session: AsyncSession, report: StatusReport, body: ReportUpdate,
                         principal: Principal, now: datetime, *, action: str, entry_kind: str,
                         reason: str | None = None) -> StatusReport:
    """An edit or a correction: the rules, the new status, its history entry, audit row and event."""
    await _check_rules(session, report.initiative_id, body)
    before = report.status
    _apply(report, body, now)
    if action == "corrected":
        report.corrected = True
    session.add(_entry(report, entry_kind, principal.sub, now, reason=reason))
    await record_audit(session, entity_type="status_report", entity_id=report.id,
                       action=action, from_state=before, to_state=report.status, reason=reason)
    await _report_event(session, report, action)
    return report


def _apply(report: StatusReport, body: ReportUpdate, now: datetime) -> None:
    report.status = body.status.value
    report.explanation = body.explanation
    report.corrective_action = body.corrective_action
    report.updated_at = now
    bump_version(report)
