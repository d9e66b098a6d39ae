"""Payments to the right person, checked by a second one.

A payment order snapshots the dossier's payee (name, validated IBAN). Orders of at least the rule
set's `payment_approval_threshold` (a working value) need the approval of a second person, a
handler or a manager other than the one who ordered it, before they can be executed.
"""

from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from disaster_fund.applications import service as applications
from disaster_fund.applications.models import Application
from disaster_fund.disasters import service as disasters
from disaster_fund.errors import Errors
from disaster_fund.payments.models import Payment
from dkbuza_kit.auth import Principal
from dkbuza_kit.clock import Clock


async def order_fields(session: AsyncSession, application: Application, amount: Decimal) -> dict:
    """The payee snapshot and whether the order needs a second person's approval."""
    disaster = await disasters.get(session, application.disaster_id)
    _, content = await applications.rule_set_for(session, disaster)
    threshold = content.payment_approval_threshold
    return {"payee_name": application.payee_name, "payee_iban": application.payee_iban,
            "needs_approval": threshold is not None and amount >= threshold}


def ensure_approved(payment: Payment) -> None:
    if payment.needs_approval and payment.approved_by is None:
        raise Errors.PAYMENT_NOT_APPROVED(
            "this payment order needs the approval of a second person before execution",
            payment_id=str(payment.id))


async def approve(session: AsyncSession, payment: Payment, principal: Principal,
                  clock: Clock) -> Payment:
    if not payment.needs_approval or payment.approved_by is not None or payment.state != "ordered":
        raise Errors.PAYMENT_APPROVAL_NOT_NEEDED("this payment order needs no (further) approval")
    if principal.sub == payment.ordered_by:
        raise Errors.SECOND_PERSON_REQUIRED("the approval comes from another person than the "
                                            "one who ordered the payment")
    application = await applications.get(session, payment.application_id, None, for_update=True)
    payment.approved_by = principal.sub
    payment.approved_at = clock.now()
    await applications.log_event(
        session, application, "payment_approved", application.state, application.state,
        principal.sub, clock.now(), None, {"payment_id": str(payment.id),
                                           "amount": str(payment.amount)})
    return payment
