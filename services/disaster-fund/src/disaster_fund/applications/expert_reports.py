"""Expert reports sent to the applicant and their (deemed) acceptance."""

import uuid
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from disaster_fund import deadlines
from disaster_fund.applications.journal import log_event
from disaster_fund.applications.lifecycle import A
from disaster_fund.applications.lifecycle import change_state
from disaster_fund.applications.models import Application
from disaster_fund.applications.models import ExpertReport
from disaster_fund.applications.queries import latest_report
from disaster_fund.applications.queries import rule_set_for
from disaster_fund.applications.schemas import ExpertReportIn
from disaster_fund.disasters import service as disasters
from disaster_fund.errors import Errors
from disaster_fund.workflow import ApplicationState
from disaster_fund.workflow import ensure_application_transition
from dkbuza_kit.audit import SYSTEM_ACTOR
from dkbuza_kit.auth import Principal
from dkbuza_kit.calendar import brussels_date
from dkbuza_kit.calendar import start_of_day
from dkbuza_kit.clock import Clock
from dkbuza_kit.errors import KitErrors
from dkbuza_kit.jobs import enqueue

DEEMED_ACCEPTANCE_TASK = "deemed-acceptance"


def is_excessive(assessed: Decimal, claimed: Decimal, ratio: Decimal) -> bool:
    """An expert amount far above the claim (more than `ratio` times it)."""
    return assessed > claimed * ratio


def ensure_excess_approved(report: ExpertReport | None) -> None:
    """Nothing is decided on an excessive amount before a second handler approved it."""
    if report is not None and report.excess_reason and report.excess_approved_by is None:
        raise Errors.EXCESS_NOT_APPROVED(
            "the expert's amount lies far above the claim: a second handler approves it first",
            expert_report_id=str(report.id))


async def approve_excess(session: AsyncSession, application: Application,
                         report_id: uuid.UUID, principal: Principal, clock: Clock) -> ExpertReport:
    """Four eyes: a handler other than the dossier's own approves an excessive amount."""
    report = await session.scalar(select(ExpertReport).where(
        ExpertReport.id == report_id, ExpertReport.application_id == application.id))
    if report is None:
        raise KitErrors.NOT_FOUND("expert report not found")
    if not report.excess_reason or report.excess_approved_by is not None:
        raise Errors.EXCESS_APPROVAL_NOT_NEEDED("this report needs no (further) approval")
    if principal.sub in (application.handler_sub, report.expert_sub):
        raise Errors.SECOND_HANDLER_REQUIRED(
            "the approval comes from a second handler, not the dossier's handler or the expert")
    report.excess_approved_by = principal.sub
    report.excess_approved_at = clock.now()
    application.version += 1
    await log_event(session, application, "expert_excess_approved", application.state,
                    application.state, principal.sub, clock.now(), report.excess_reason,
                    {"expert_report_id": str(report.id)})
    return report


async def send_expert_report(session: AsyncSession, application: Application, body: ExpertReportIn,
                             principal: Principal, clock: Clock) -> ExpertReport:
    if application.expert_sub != principal.sub:
        raise KitErrors.NOT_FOUND("application not found")
    ensure_application_transition(ApplicationState(application.state), A.report_sent)
    disaster = await disasters.get(session, application.disaster_id)
    _, content = await rule_set_for(session, disaster)
    now = clock.now()
    sent_on = brussels_date(now)
    deadline = deadlines.term_end(sent_on, content.expert_report_reaction_months)
    excess = is_excessive(body.assessed_amount, application.claimed_total,
                          content.expert_excess_ratio)
    if excess and not (body.excess_reason or "").strip():
        raise Errors.EXCESS_REASON_REQUIRED(
            f"the assessed amount {body.assessed_amount} exceeds {content.expert_excess_ratio} x "
            f"the claimed {application.claimed_total}: state the reason (a second handler "
            "approves it)", ratio=str(content.expert_excess_ratio))
    report = ExpertReport(application_id=application.id, expert_sub=principal.sub,
                          assessed_amount=body.assessed_amount, summary=body.summary,
                          sent_on=sent_on, reaction_deadline=deadline, created_at=now,
                          excess_reason=body.excess_reason if excess else None)
    session.add(report)
    await session.flush()
    await change_state(session, application, A.report_sent, actor=principal.sub, at=now,
                       data={"expert_report_id": str(report.id)})
    # Silence means acceptance: the job runs at the start of the day after the term.
    await enqueue(session, DEEMED_ACCEPTANCE_TASK,
                  {"application_id": str(application.id), "expert_report_id": str(report.id)},
                  run_at=start_of_day(deadlines.day_after(deadline)),
                  dedupe_key=f"{DEEMED_ACCEPTANCE_TASK}:{report.id}")
    return report


async def deem_report_accepted(session: AsyncSession, payload: dict, clock: Clock) -> None:
    """The scheduled job: still no reaction after the term -> accepted, actor `system`."""
    application = await session.scalar(select(Application).where(
        Application.id == uuid.UUID(payload["application_id"])).with_for_update())
    if application is None or application.state != A.report_sent:
        return
    report = await latest_report(session, application.id)
    if report is None or str(report.id) != payload["expert_report_id"] or report.reaction:
        return
    now = clock.now()
    if brussels_date(now) <= report.reaction_deadline:
        return
    report.reaction = "deemed_accepted"
    report.reacted_at = now
    application.assessed_amount = report.assessed_amount
    await change_state(session, application, A.report_accepted, actor=SYSTEM_ACTOR, at=now,
                       reason="deemed_accepted",
                       data={"expert_report_id": str(report.id),
                             "reaction_deadline": report.reaction_deadline.isoformat()})
