"""Appeals at the Court of Appeal and their judgments (a new decision version)."""

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from disaster_fund import deadlines
from disaster_fund.applications.decisions import add_decision
from disaster_fund.applications.lifecycle import A
from disaster_fund.applications.lifecycle import change_state
from disaster_fund.applications.lifecycle import complete
from disaster_fund.applications.models import Appeal
from disaster_fund.applications.models import Application
from disaster_fund.applications.queries import current_decision
from disaster_fund.applications.queries import open_appeal
from disaster_fund.applications.queries import rule_set_for
from disaster_fund.applications.schemas import AppealIn
from disaster_fund.applications.schemas import JudgmentIn
from disaster_fund.disasters import service as disasters
from disaster_fund.errors import Errors
from disaster_fund.payments.models import Payment
from disaster_fund.workflow import ApplicationState
from disaster_fund.workflow import ensure_application_transition
from dkbuza_kit.auth import Principal
from dkbuza_kit.calendar import brussels_date
from dkbuza_kit.clock import Clock
from dkbuza_kit.errors import KitErrors
from dkbuza_kit.timeline import check_timeline


async def ensure_no_open_appeal(session: AsyncSession, application: Application) -> None:
    if await open_appeal(session, application.id) is not None:
        raise Errors.APPEAL_PENDING("an appeal against the decision is pending")


async def lodge_appeal(session: AsyncSession, application: Application, body: AppealIn,
                       principal: Principal, clock: Clock) -> Appeal:
    ensure_application_transition(ApplicationState(application.state), A.in_appeal)
    decision = await current_decision(session, application)
    disaster = await disasters.get(session, application.disaster_id)
    _, content = await rule_set_for(session, disaster)
    received = decision.received_on or brussels_date(decision.decided_at)
    check_timeline("lodged_on", body.lodged_on, now=clock.now(),
                   follows=[("decision_received_on", received)])
    out_of_time = body.lodged_on > deadlines.appeal_term_end(received, content.appeal_months)
    now = clock.now()
    appeal = Appeal(application_id=application.id, decision_version=decision.version,
                    lodged_on=body.lodged_on, out_of_time=out_of_time, reason=body.reason,
                    status="open", created_at=now)
    session.add(appeal)
    await session.flush()
    await change_state(session, application, A.in_appeal, actor=principal.sub, at=now,
                       reason=body.reason, data={"appeal_id": str(appeal.id),
                                                 "flags": ["OUT_OF_TIME"] if out_of_time else []})
    return appeal


async def record_judgment(session: AsyncSession, application: Application, appeal_id: uuid.UUID,
                          body: JudgmentIn, principal: Principal, clock: Clock) -> Appeal:
    appeal = await session.scalar(select(Appeal).where(Appeal.id == appeal_id,
                                                       Appeal.application_id == application.id))
    if appeal is None:
        raise KitErrors.NOT_FOUND("appeal not found")
    if appeal.status != "open":
        raise Errors.APPEAL_CLOSED("the judgment was already recorded")
    ensure_application_transition(ApplicationState(application.state), A.final)
    check_timeline("judgment_on", body.judgment_on, now=clock.now(),
                   follows=[("lodged_on", appeal.lodged_on)])
    previous = await current_decision(session, application)
    now = clock.now()
    decision = await add_decision(
        session, application, kind="judgment", rule_set_id=previous.rule_set_id,
        amount=body.amount, reason_code="COURT_JUDGMENT", inputs=previous.inputs,
        breakdown={"amount": str(body.amount), "judgment_on": body.judgment_on.isoformat(),
                   "appeal_id": str(appeal.id)}, actor=principal.sub, at=now)
    decision.received_on = body.judgment_on
    appeal.status = "judged"
    appeal.judgment_on = body.judgment_on
    appeal.judgment_amount = body.amount
    # A payment ordered for an earlier version is void: the judgment's version is paid instead.
    for payment in (await session.scalars(select(Payment).where(
            Payment.application_id == application.id, Payment.state == "ordered"))).all():
        payment.state = "cancelled"
    if body.amount == 0:
        complete(application, "rejected", body.judgment_on)
    await change_state(session, application, A.final, actor=principal.sub, at=now,
                       reason="court_judgment", data={"decision_version": decision.version})
    return appeal
