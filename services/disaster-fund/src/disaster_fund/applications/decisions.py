"""Decision versions: computed with the rule set, notified, final after the term."""

import uuid
from datetime import date
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from disaster_fund import calculation
from disaster_fund import deadlines
from disaster_fund.applications.expert_reports import ensure_excess_approved
from disaster_fund.applications.lifecycle import A
from disaster_fund.applications.lifecycle import change_state
from disaster_fund.applications.lifecycle import complete
from disaster_fund.applications.models import Application
from disaster_fund.applications.models import Decision
from disaster_fund.applications.queries import current_decision
from disaster_fund.applications.queries import latest_report
from disaster_fund.applications.queries import rule_set_for
from disaster_fund.applications.review import drawn_for_review
from disaster_fund.applications.schemas import DecisionIn
from disaster_fund.disasters import service as disasters
from disaster_fund.disasters.models import Disaster
from disaster_fund.errors import Errors
from disaster_fund.rules import service as rules
from disaster_fund.workflow import ApplicationState
from disaster_fund.workflow import ensure_application_transition
from dkbuza_kit.audit import SYSTEM_ACTOR
from dkbuza_kit.auth import Principal
from dkbuza_kit.calendar import start_of_day
from dkbuza_kit.clock import Clock
from dkbuza_kit.jobs import enqueue

FINALITY_TASK = "decision-finality"


def calculation_input(application: Application, disaster: Disaster,
                      assessed: Decimal | None = None) -> calculation.CalculationInput:
    damage = assessed if assessed is not None else application.assessed_amount
    return calculation.CalculationInput(
        category=application.category, phenomenon=disaster.phenomenon,
        damage_date=application.damage_date,
        damage_amount=damage if damage is not None else application.claimed_total,
        insurance_compensation=application.insurance_compensation,
        crop_area_ha=application.crop_area_ha, insured_crop_area_ha=application.insured_crop_area_ha,
        crop_insurable_in_principle=application.crop_insurable_in_principle,
    )


async def add_decision(session: AsyncSession, application: Application, *, kind: str,
                        rule_set_id: int, amount: Decimal, reason_code: str | None, inputs: dict,
                        breakdown: dict, actor: str, at: datetime) -> Decision:
    version = (application.decision_version or 0) + 1
    if application.decision_version is not None:
        await session.execute(update(Decision).where(
            Decision.application_id == application.id,
            Decision.version == application.decision_version).values(superseded_at=at))
    decision = Decision(application_id=application.id, version=version, kind=kind,
                        rule_set_id=rule_set_id, amount=amount, reason_code=reason_code,
                        inputs=inputs, breakdown=breakdown, decided_at=at, decided_by=actor)
    session.add(decision)
    await session.flush()
    application.decision_version = version
    application.decided_amount = amount
    return decision


async def decide(session: AsyncSession, application: Application, body: DecisionIn,
                 principal: Principal, clock: Clock) -> Decision:
    current = ApplicationState(application.state)
    ensure_application_transition(current, A.decided)
    if body.assessed_amount is not None and current is not A.rectifying:
        raise Errors.RECTIFICATION_ONLY("a corrected damage amount is given in a rectification only")
    ensure_excess_approved(await latest_report(session, application.id))
    disaster = await disasters.get(session, application.disaster_id)
    rule_set, content = await rule_set_for(session, disaster)
    inputs = calculation_input(application, disaster, body.assessed_amount)
    if body.reject_reason:
        result = calculation.CalculationResult(Decimal("0.00"), "REJECTED",
                                               [{"step": "rejected", "reason": body.reject_reason}])
    else:
        result = calculation.compute(inputs, content.calculation_rules())
    now = clock.now()
    decision = await add_decision(
        session, application, kind="rectification" if current is A.rectifying else "initial",
        rule_set_id=rule_set.id, amount=result.amount, reason_code=result.reason_code,
        inputs=inputs.to_json(), breakdown=result.breakdown(), actor=principal.sub, at=now)
    decision.review_selected = drawn_for_review(application.id, decision.version,
                                                content.review_sample_share)
    if body.assessed_amount is not None:
        application.assessed_amount = body.assessed_amount
    await change_state(session, application, A.decided, actor=principal.sub, at=now,
                       data={"decision_version": decision.version, "amount": str(result.amount),
                             "rule_set_id": rule_set.id})
    return decision


async def recompute(session: AsyncSession, decision: Decision) -> calculation.CalculationResult:
    """Recompute a stored decision from its stored inputs and its own rule-set version."""
    if decision.reason_code == "REJECTED" or decision.kind == "judgment":
        return calculation.CalculationResult(decision.amount, decision.reason_code)
    rule_set = await rules.get(session, decision.rule_set_id)
    return calculation.compute(calculation.CalculationInput.from_json(decision.inputs),
                               rules.content_of(rule_set).calculation_rules())


async def notify_decision(session: AsyncSession, application: Application, received_on: date) -> None:
    decision = await current_decision(session, application)
    decision.received_on = received_on
    if decision.amount == 0:
        complete(application, "rejected", received_on)
    disaster = await disasters.get(session, application.disaster_id)
    _, content = await rule_set_for(session, disaster)
    term = max(deadlines.appeal_term_end(received_on, content.appeal_months),
               deadlines.term_end(received_on, content.rectification_months))
    await enqueue(session, FINALITY_TASK,
                  {"application_id": str(application.id), "decision_version": decision.version},
                  run_at=start_of_day(deadlines.day_after(term)),
                  dedupe_key=f"{FINALITY_TASK}:{application.id}:{decision.version}")


async def finalise_after_term(session: AsyncSession, payload: dict, clock: Clock) -> None:
    """The scheduled job: 1 month after receipt without appeal or rectification -> final."""
    application = await session.scalar(select(Application).where(
        Application.id == uuid.UUID(payload["application_id"])).with_for_update())
    if (application is None or application.state != A.decision_notified
            or application.decision_version != payload["decision_version"]):
        return
    await change_state(session, application, A.final, actor=SYSTEM_ACTOR, at=clock.now(),
                       reason="no_appeal_within_term")
