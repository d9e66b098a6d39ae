import uuid
from typing import Annotated

from fastapi import APIRouter
from fastapi import Depends
from fastapi import Query
from sqlalchemy import select

from disaster_fund import roles
from disaster_fund.applications.schemas import BulkItemResult
from disaster_fund.applications.schemas import BulkResult
from disaster_fund.errors import Errors
from disaster_fund.payments import four_eyes
from disaster_fund.payments import service
from disaster_fund.payments.models import Payment
from disaster_fund.payments.models import Recovery
from disaster_fund.payments.schemas import BulkPaymentIn
from disaster_fund.payments.schemas import ExecutionIn
from disaster_fund.payments.schemas import PaymentIn
from disaster_fund.payments.schemas import PaymentOut
from disaster_fund.payments.schemas import PaymentType
from disaster_fund.payments.schemas import RecoveryIn
from disaster_fund.payments.schemas import RecoveryOut
from disaster_fund.payments.schemas import RecoveryState
from disaster_fund.payments.schemas import RecoveryTransitionIn
from dkbuza_kit.auth import Principal
from dkbuza_kit.auth import require_roles
from dkbuza_kit.clock import ClockDep
from dkbuza_kit.db import DbSession
from dkbuza_kit.db import where_given
from dkbuza_kit.errors import AUTH_ERRORS
from dkbuza_kit.errors import KitErrors
from dkbuza_kit.errors import responses
from dkbuza_kit.idempotency import IdempotencyDep
from dkbuza_kit.pagination import Page
from dkbuza_kit.pagination import Pagination
from dkbuza_kit.pagination import page_of

router = APIRouter(prefix="/v1/payments", tags=["payments"])
recoveries_router = APIRouter(prefix="/v1/recoveries", tags=["recoveries"])
Staff = Annotated[Principal, Depends(require_roles(*roles.STAFF))]
Manager = Annotated[Principal, Depends(require_roles(roles.MANAGER))]


@router.post("", response_model=PaymentOut, status_code=201,
             responses=responses(Errors.NO_DECISION, Errors.PAYMENT_EXISTS, Errors.APPEAL_PENDING,
                                 Errors.DECISION_NOT_FINAL, Errors.NOTHING_TO_PAY,
                                 Errors.INTEREST_AMOUNT_REQUIRED, Errors.INTEREST_NOT_DUE,
                                 Errors.AMOUNT_NOT_ALLOWED, KitErrors.NOT_FOUND, *AUTH_ERRORS))
async def order_payment(body: PaymentIn, session: DbSession, idem: IdempotencyDep,
                        principal: Staff, clock: ClockDep):
    """Order the payment of a final decision: one per decision version and payment type."""
    if idem.replay is not None:
        return idem.replay
    if body.payment_type is PaymentType.interest:
        payment = await service.order_interest(session, body, principal, clock)
    else:
        if body.amount is not None or body.interest_basis is not None:
            raise Errors.AMOUNT_NOT_ALLOWED(
                "a compensation pays the decided amount: amount and interest_basis are for "
                "interest")
        payment = await service.order(session, body.application_id, body.payment_type.value,
                                      principal, clock)
    return await idem.respond(201, PaymentOut.model_validate(payment))


@router.post("/bulk", response_model=BulkResult)
async def order_payments_in_bulk(body: BulkPaymentIn, session: DbSession, principal: Staff,
                                 clock: ClockDep) -> BulkResult:
    results = await service.bulk_order(session, body.application_ids, body.payment_type.value,
                                       principal, clock)
    ok = sum(1 for r in results if r["ok"])
    return BulkResult(succeeded=ok, failed=len(results) - ok,
                      results=[BulkItemResult(**r) for r in results])


@router.get("", response_model=Page[PaymentOut])
async def list_payments(session: DbSession, page: Pagination, _: Staff,
                        application_id: Annotated[uuid.UUID | None, Query()] = None,
                        state: Annotated[str | None, Query(pattern="^(ordered|executed|cancelled)$")] = None,
                        ) -> Page[PaymentOut]:
    stmt = select(Payment).order_by(Payment.ordered_at, Payment.id)
    stmt = where_given(stmt, (Payment.application_id, application_id), (Payment.state, state))
    return await page_of(session, stmt, page, out=PaymentOut)


@router.get("/{payment_id}", response_model=PaymentOut)
async def get_payment(payment_id: uuid.UUID, session: DbSession, _: Staff) -> PaymentOut:
    return PaymentOut.model_validate(await service.get(session, payment_id))


@router.post("/{payment_id}/approval", response_model=PaymentOut,
             responses=responses(Errors.PAYMENT_APPROVAL_NOT_NEEDED, Errors.SECOND_PERSON_REQUIRED,
                                 KitErrors.NOT_FOUND, *AUTH_ERRORS))
async def approve_payment(payment_id: uuid.UUID, session: DbSession, principal: Staff,
                          clock: ClockDep) -> PaymentOut:
    """Four eyes: a second handler or a manager approves an order above the threshold."""
    payment = await service.get(session, payment_id, for_update=True)
    return PaymentOut.model_validate(await four_eyes.approve(session, payment, principal, clock))


@router.post("/{payment_id}/execution", response_model=PaymentOut,
             responses=responses(Errors.PAYMENT_NOT_ORDERED, Errors.PAYMENT_NOT_APPROVED,
                                 Errors.APPEAL_PENDING, KitErrors.NOT_FOUND, KitErrors.DATE_IN_FUTURE,
                                 KitErrors.DATE_BEFORE_PREDECESSOR, *AUTH_ERRORS))
async def execute_payment(payment_id: uuid.UUID, body: ExecutionIn, session: DbSession,
                          principal: Manager, clock: ClockDep) -> PaymentOut:
    """Record that the payment was executed: the dossier is paid (and completed)."""
    payment = await service.get(session, payment_id, for_update=True)
    return PaymentOut.model_validate(
        await service.execute(session, payment, body.executed_on, principal, clock))


@recoveries_router.post("", response_model=RecoveryOut, status_code=201)
async def create_recovery(body: RecoveryIn, session: DbSession, idem: IdempotencyDep,
                          principal: Manager, clock: ClockDep):
    if idem.replay is not None:
        return idem.replay
    recovery = await service.create_recovery(session, body, principal, clock)
    return await idem.respond(201, RecoveryOut.model_validate(recovery))


@recoveries_router.get("", response_model=Page[RecoveryOut])
async def list_recoveries(session: DbSession, page: Pagination, _: Staff,
                          application_id: Annotated[uuid.UUID | None, Query()] = None,
                          state: Annotated[RecoveryState | None, Query()] = None,
                          ) -> Page[RecoveryOut]:
    stmt = select(Recovery).order_by(Recovery.created_at, Recovery.id)
    stmt = where_given(stmt, (Recovery.application_id, application_id))
    if state is not None:
        stmt = stmt.where(Recovery.state == state.value)
    return await page_of(session, stmt, page, out=RecoveryOut)


@recoveries_router.post("/{recovery_id}/transitions", response_model=RecoveryOut)
async def transition_recovery(recovery_id: uuid.UUID, body: RecoveryTransitionIn,
                              session: DbSession, _: Manager, clock: ClockDep) -> RecoveryOut:
    recovery = await service.get_recovery(session, recovery_id)
    return RecoveryOut.model_validate(await service.transition_recovery(session, recovery, body,
                                                                        clock))
