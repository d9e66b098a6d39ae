"""Corrections of a dossier's facts after submission (PATCH with If-Match, audited).

An insurer's payout that arrives later changes the compensation: when the dossier already has a
decision, a new decision version (kind `correction`) is computed with the SAME rule-set version
as the decision it replaces, which is marked superseded. Once a payment is ordered or made, an
amount is corrected through a recovery instead.
"""

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from disaster_fund import calculation
from disaster_fund.applications.decisions import add_decision
from disaster_fund.applications.decisions import calculation_input
from disaster_fund.applications.journal import log_event
from disaster_fund.applications.models import Application
from disaster_fund.applications.models import Decision
from disaster_fund.applications.queries import current_decision
from disaster_fund.applications.schemas import ApplicationCorrectionIn
from disaster_fund.applications.schemas import PayeeKind
from disaster_fund.disasters import service as disasters
from disaster_fund.errors import Errors
from disaster_fund.rules import service as rules
from disaster_fund.workflow import ApplicationState
from dkbuza_kit.auth import Principal
from dkbuza_kit.clock import Clock
from dkbuza_kit.concurrency import bump_version
from dkbuza_kit.timeline import check_timeline

A = ApplicationState
AMOUNT_FIELDS = ("insured", "insurance_compensation")
CLOSED = (A.inadmissible, A.withdrawn)
PAID_OR_ORDERED = (A.payment_ordered, A.paid)


def check_correction(application: Application, changes: dict, body: ApplicationCorrectionIn,
                     now: datetime) -> None:
    """The corrected facts agree with each other, with time and with the dossier's state."""
    if ApplicationState(application.state) in CLOSED:
        raise Errors.APPLICATION_CLOSED("the dossier is closed")
    insured = changes.get("insured", application.insured)
    compensation = changes.get("insurance_compensation", application.insurance_compensation)
    if not insured and compensation > 0:
        raise Errors.INSURANCE_INCONSISTENT(
            "insurance compensation is given but the goods are declared not insured")
    check_timeline("insurer_attest_received_on", body.insurer_attest_received_on, now=now,
                   follows=[("damage_date", application.damage_date)])
    if body.payee is not None and body.payee.kind is PayeeKind.insurer and not insured:
        raise Errors.PAYEE_INCONSISTENT("an insurer is paid only for its insured")
    amounts_change = any(k in changes and changes[k] != getattr(application, k)
                         for k in AMOUNT_FIELDS)
    if amounts_change and ApplicationState(application.state) in PAID_OR_ORDERED:
        raise Errors.CORRECTION_NOT_ALLOWED(
            "a payment is ordered or made: correct the amount with a recovery")


async def correct(session: AsyncSession, application: Application,
                  body: ApplicationCorrectionIn, principal: Principal, clock: Clock) -> None:
    # Typed values (changes() would serialise money as text).
    changes = {field: getattr(body, field) for field in body.model_fields_set}
    now = clock.now()
    check_correction(application, changes, body, now)
    amounts_change = any(k in changes and changes[k] != getattr(application, k)
                         for k in AMOUNT_FIELDS)
    payee = changes.pop("payee", None)
    for field, value in changes.items():
        setattr(application, field, value)
    if payee is not None:
        application.payee_kind = body.payee.kind.value  # type: ignore[union-attr]
        application.payee_name = body.payee.name  # type: ignore[union-attr]
        application.payee_iban = body.payee.iban  # type: ignore[union-attr]
    bump_version(application)
    data: dict = {"fields": sorted([*changes, *(["payee"] if payee is not None else [])])}
    if amounts_change and application.decision_version is not None:
        decision = await _new_version(session, application, principal, now)
        if decision is not None:
            data |= {"decision_version": decision.version, "amount": str(decision.amount)}
    await log_event(session, application, "corrected", application.state, application.state,
                    principal.sub, now, None, data)


async def _new_version(session: AsyncSession, application: Application, principal: Principal,
                       now: datetime) -> Decision | None:
    """The decision recomputed with the corrected facts and the replaced version's rule set."""
    previous = await current_decision(session, application)
    if previous.kind == "judgment":
        raise Errors.CORRECTION_NOT_ALLOWED("the amount was fixed by a court judgment")
    if previous.reason_code == "REJECTED":
        return None  # a rejection does not depend on the insurance facts
    disaster = await disasters.get(session, application.disaster_id)
    rule_set = await rules.get(session, previous.rule_set_id)
    inputs = calculation_input(application, disaster)
    result = calculation.compute(inputs, rules.content_of(rule_set).calculation_rules())
    return await add_decision(
        session, application, kind="correction", rule_set_id=rule_set.id, amount=result.amount,
        reason_code=result.reason_code, inputs=inputs.to_json(), breakdown=result.breakdown(),
        actor=principal.sub, at=now)
