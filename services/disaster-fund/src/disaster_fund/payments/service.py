"""Payments (one per decision version and payment type) and recoveries."""

import uuid
from decimal import Decimal

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from disaster_fund.applications import service as applications
from disaster_fund.applications.journal import log_event
from disaster_fund.errors import Errors
from disaster_fund.payments import four_eyes
from disaster_fund.payments.models import Payment
from disaster_fund.payments.models import Recovery
from disaster_fund.payments.schemas import InterestBasis
from disaster_fund.payments.schemas import PaymentIn
from disaster_fund.payments.schemas import RecoveryIn
from disaster_fund.payments.schemas import RecoveryState
from disaster_fund.payments.schemas import RecoveryTransitionIn
from disaster_fund.workflow import ApplicationState
from dkbuza_kit.audit import add_audited
from dkbuza_kit.audit import emit_event
from dkbuza_kit.audit import record_audit
from dkbuza_kit.auth import Principal
from dkbuza_kit.calendar import brussels_date
from dkbuza_kit.clock import Clock
from dkbuza_kit.db import one_or_404
from dkbuza_kit.errors import KitErrors
from dkbuza_kit.problems import ProblemError
from dkbuza_kit.statemachine import illegal_transition
from dkbuza_kit.timeline import check_timeline

A = ApplicationState


async def order(session: AsyncSession, application_id: uuid.UUID, payment_type: str,
                principal: Principal, clock: Clock) -> Payment:
    # The row lock on the dossier serialises concurrent attempts; the unique constraint on
    # (decision_id, payment_type) is the last line of defence.
    application = await applications.get(session, application_id, principal, for_update=True)
    if application.decision_version is None:
        raise Errors.NO_DECISION("the dossier has no decision yet")
    decision = await applications.current_decision(session, application)
    existing = await session.scalar(select(Payment).where(
        Payment.decision_id == decision.id, Payment.payment_type == payment_type,
        Payment.state != "cancelled"))
    if existing is not None:
        raise Errors.PAYMENT_EXISTS("this decision version already has a payment of this type",
                           payment_id=str(existing.id))
    if await applications.open_appeal(session, application.id) is not None:
        raise Errors.APPEAL_PENDING("an appeal blocks payment")
    if application.state != A.final:
        raise Errors.DECISION_NOT_FINAL(f"only final decisions are paid (dossier is {application.state})")
    if decision.amount <= 0:
        raise Errors.NOTHING_TO_PAY("the decision grants no amount")
    now = clock.now()
    payment = Payment(application_id=application.id, decision_id=decision.id,
                      payment_type=payment_type, amount=decision.amount, state="ordered",
                      ordered_at=now, ordered_by=principal.sub,
                      **await four_eyes.order_fields(session, application, decision.amount))
    session.add(payment)
    await session.flush()
    await applications.change_state(session, application, A.payment_ordered, actor=principal.sub,
                                    at=now, data={"payment_id": str(payment.id)})
    return payment


async def order_interest(session: AsyncSession, body: PaymentIn, principal: Principal,
                         clock: Clock) -> Payment:
    """Interest is its own kind of payment, due after a judgment or a late payment: it has its
    own amount and never moves the dossier, so the compensation is ordered and paid as usual."""
    application = await applications.get(session, body.application_id, principal, for_update=True)
    if body.amount is None or body.interest_basis is None:
        raise Errors.INTEREST_AMOUNT_REQUIRED("interest states its amount and interest_basis")
    if application.state not in (A.final, A.payment_ordered, A.paid):
        raise Errors.DECISION_NOT_FINAL(
            f"interest follows a final decision (dossier is {application.state})")
    if await applications.open_appeal(session, application.id) is not None:
        raise Errors.APPEAL_PENDING("an appeal blocks payment")
    decision = await applications.current_decision(session, application)
    await _ensure_interest_due(session, application.id, decision, body.interest_basis)
    existing = await session.scalar(select(Payment).where(
        Payment.decision_id == decision.id, Payment.payment_type == "interest",
        Payment.state != "cancelled"))
    if existing is not None:
        raise Errors.PAYMENT_EXISTS("this decision version already has an interest payment",
                                    payment_id=str(existing.id))
    now = clock.now()
    payment = Payment(application_id=application.id, decision_id=decision.id,
                      payment_type="interest", amount=body.amount, state="ordered",
                      ordered_at=now, ordered_by=principal.sub,
                      interest_basis=body.interest_basis.value,
                      **await four_eyes.order_fields(session, application, body.amount))
    session.add(payment)
    await session.flush()
    application.version += 1
    await log_event(session, application, "interest_ordered", application.state,
                    application.state, principal.sub, now, body.interest_basis.value,
                    {"payment_id": str(payment.id), "amount": str(body.amount)})
    return payment


async def _ensure_interest_due(session: AsyncSession, application_id: uuid.UUID, decision,
                               basis: InterestBasis) -> None:
    if basis is InterestBasis.judgment and decision.kind != "judgment":
        raise Errors.INTEREST_NOT_DUE("the current decision is not a court judgment")
    if basis is InterestBasis.late_payment:
        compensation = await session.scalar(select(Payment.id).where(
            Payment.application_id == application_id, Payment.payment_type == "compensation",
            Payment.state != "cancelled").limit(1))
        if compensation is None:
            raise Errors.INTEREST_NOT_DUE("late-payment interest follows an ordered compensation")


async def bulk_order(session: AsyncSession, ids: list[uuid.UUID], payment_type: str,
                     principal: Principal, clock: Clock) -> list[dict]:
    results = []
    await applications.lock_in_order(session, ids)
    for application_id in dict.fromkeys(ids):
        try:
            async with session.begin_nested():
                payment = await order(session, application_id, payment_type, principal, clock)
        except ProblemError as problem:
            results.append({"application_id": application_id, "ok": False, "code": problem.code,
                            "detail": problem.detail})
        else:
            results.append({"application_id": application_id, "ok": True,
                            "payment_id": payment.id})
    return results


async def get(session: AsyncSession, payment_id: uuid.UUID, *, for_update: bool = False) -> Payment:
    stmt = select(Payment).where(Payment.id == payment_id)
    return await one_or_404(session, stmt, what="payment",
                            for_update=for_update)


async def execute(session: AsyncSession, payment: Payment, executed_on, principal: Principal,
                  clock: Clock) -> Payment:
    application = await applications.get(session, payment.application_id, None, for_update=True)
    if payment.state != "ordered":
        raise Errors.PAYMENT_NOT_ORDERED(f"the payment is {payment.state}")
    if await applications.open_appeal(session, application.id) is not None:
        raise Errors.APPEAL_PENDING("an appeal blocks payment")
    four_eyes.ensure_approved(payment)
    now = clock.now()
    if payment.payment_type == "interest":
        return await _execute_interest(session, application, payment, executed_on, principal, now)
    check_timeline("executed_on", executed_on, now=now, follows=[("ordered_at", payment.ordered_at)])
    day = executed_on or brussels_date(now)
    payment.state = "executed"
    payment.executed_on = day
    application.paid_amount += payment.amount
    application.first_paid_on = application.first_paid_on or day
    applications.complete(application, "paid", day)
    await applications.change_state(session, application, A.paid, actor=principal.sub, at=now,
                                    data={"payment_id": str(payment.id),
                                          "amount": str(payment.amount)})
    await emit_event(session, "payment.executed", subject=payment.id,
                     data={"application_id": str(application.id), "amount": str(payment.amount)},
                     org=application.applicant_org)
    return payment


async def _execute_interest(session: AsyncSession, application, payment: Payment, executed_on,
                            principal: Principal, now) -> Payment:
    check_timeline("executed_on", executed_on, now=now, follows=[("ordered_at", payment.ordered_at)])
    payment.state = "executed"
    payment.executed_on = executed_on or brussels_date(now)
    await log_event(session, application, "interest_paid", application.state, application.state,
                    principal.sub, now, None, {"payment_id": str(payment.id),
                                               "amount": str(payment.amount)})
    await emit_event(session, "payment.executed", subject=payment.id,
                     data={"application_id": str(application.id), "amount": str(payment.amount),
                           "payment_type": "interest"}, org=application.applicant_org)
    return payment


async def create_recovery(session: AsyncSession, body: RecoveryIn, principal: Principal,
                          clock: Clock) -> Recovery:
    application = await applications.get(session, body.application_id, None, for_update=True)
    if application.paid_amount <= 0:
        raise Errors.NOTHING_PAID("only paid dossiers can be recovered from")
    claimed = await session.scalar(select(func.coalesce(func.sum(Recovery.amount), 0)).where(
        Recovery.application_id == application.id,
        Recovery.state.in_([RecoveryState.open.value, RecoveryState.settled.value])))
    if Decimal(claimed) + body.amount > application.paid_amount:
        raise Errors.RECOVERY_EXCEEDS_PAID(
            f"recoveries would exceed the paid amount {application.paid_amount}")
    recovery = Recovery(application_id=application.id, amount=body.amount, reason=body.reason,
                        state=RecoveryState.open.value, created_at=clock.now(),
                        created_by=principal.sub)
    await add_audited(session, recovery, entity_type="recovery", action="opened", to_state="open",
                      reason=body.reason,
                      data={"application_id": str(application.id), "amount": str(body.amount)})
    return recovery


async def get_recovery(session: AsyncSession, recovery_id: uuid.UUID) -> Recovery:
    recovery = await session.scalar(select(Recovery).where(Recovery.id == recovery_id)
                                    .with_for_update())
    if recovery is None:
        raise KitErrors.NOT_FOUND("recovery not found")
    return recovery


async def transition_recovery(session: AsyncSession, recovery: Recovery,
                              body: RecoveryTransitionIn, clock: Clock) -> Recovery:
    if recovery.state != RecoveryState.open or body.to_state is RecoveryState.open:
        allowed = ["settled", "written_off"] if recovery.state == "open" else []
        raise illegal_transition("recovery", recovery.state, body.to_state, allowed)
    application = await applications.get(session, recovery.application_id, None, for_update=True)
    previous = recovery.state
    recovery.state = body.to_state.value
    check_timeline("on", body.on, now=clock.now(), follows=[("created_at", recovery.created_at)])
    recovery.closed_on = body.on or brussels_date(clock.now())
    if body.to_state is RecoveryState.settled:
        # Reduces the net paid amount; the dossier stays completed (completion is never undone).
        application.recovered_amount += recovery.amount
        application.version += 1
    await record_audit(session, entity_type="recovery", entity_id=recovery.id,
                       action="transition", from_state=previous, to_state=recovery.state)
    return recovery
