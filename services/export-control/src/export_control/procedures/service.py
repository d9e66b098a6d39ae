"""Use cases of the procedures beside licences: request, move along the kind's table (audited,
with an event), the licence extension's effect, and the counts for the Parliament report."""

import uuid
from datetime import date
from datetime import datetime

from sqlalchemy import Select
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dkbuza_kit.audit import emit_event
from dkbuza_kit.audit import record_audit
from dkbuza_kit.auth import Principal
from dkbuza_kit.db import one_or_404
from dkbuza_kit.timeline import check_timeline
from export_control.errors import Errors
from export_control.licences.models import Licence
from export_control.licences.validity import ValidityRule
from export_control.licences.validity import last_allowed_day
from export_control.licences.workflow import LIVE
from export_control.procedures.models import Procedure
from export_control.procedures.schemas import ProcedureIn
from export_control.procedures.schemas import ProcedureTransitionIn
from export_control.procedures.workflow import FINAL
from export_control.procedures.workflow import FLOWS
from export_control.procedures.workflow import OUTCOMES
from export_control.procedures.workflow import Kind
from export_control.roles import scoped_select


def visible(principal: Principal) -> Select:
    return scoped_select(Procedure, Procedure.company_org, principal)


async def get(session: AsyncSession, procedure_id: uuid.UUID, principal: Principal, *,
              for_update: bool = False) -> Procedure:
    return await one_or_404(session, visible(principal).where(Procedure.id == procedure_id),
                            what="procedure", for_update=for_update)


async def create(session: AsyncSession, body: ProcedureIn, *, actor: str,
                 now: datetime) -> Procedure:
    check_timeline("requested_on", body.requested_on, now=now)
    check_timeline("due_on", body.due_on, now=now, allow_future=True,
                   origin=("requested_on", body.requested_on))
    if body.kind == Kind.licence_extension:
        licence = body.licence_id and await session.get(Licence, body.licence_id)
        if not licence or licence.holder_org != body.company_org or body.due_on is None:
            raise Errors.PROCEDURE_INVALID(
                "an extension names a licence of the company and its new end date (due_on)")
    row = Procedure(id=uuid.uuid4(), kind=body.kind.value, company_org=body.company_org,
                    subject=body.subject, licence_id=body.licence_id, status="requested",
                    requested_on=body.requested_on, due_on=body.due_on, created_by=actor)
    session.add(row)
    await session.flush()
    await _record(session, row, None, "requested", reason=None)
    return row


async def move(session: AsyncSession, row: Procedure, body: ProcedureTransitionIn, *,
               now: datetime, validity: dict[str, ValidityRule]) -> Procedure:
    FLOWS[row.kind].check(row.status, body.to)
    check_timeline("on", body.on, now=now, follows=[("held_on", row.held_on)],
                   origin=("requested_on", row.requested_on))
    if body.to == "closed" and body.outcome not in OUTCOMES[row.kind]:
        raise Errors.PROCEDURE_INVALID(
            f"a {row.kind} closes with one of {sorted(OUTCOMES[row.kind])}",
            allowed_outcomes=sorted(OUTCOMES[row.kind]))
    if body.to == "held":
        if not body.findings:
            raise Errors.PROCEDURE_INVALID("a held visit records its findings")
        row.held_on, row.findings = body.on, body.findings
    if body.to == "follow_up":
        row.follow_up = body.follow_up
    if body.to in FINAL:
        row.closed_on, row.outcome = body.on, body.outcome if body.to == "closed" else None
    if row.kind == Kind.licence_extension and body.outcome == "granted":
        await _extend(session, row, validity)
    before, row.status = row.status, body.to
    row.version += 1
    await session.flush()
    await _record(session, row, before, body.to, reason=body.outcome)
    return row


async def _extend(session: AsyncSession, row: Procedure,
                  validity: dict[str, ValidityRule]) -> None:
    """The granted extension moves the licence's end date, within the legal maximum."""
    licence = await session.get(Licence, row.licence_id, with_for_update=True)
    if licence is None or licence.status not in LIVE:
        raise Errors.PROCEDURE_INVALID("the licence can no longer be extended")
    first_day = await session.scalar(select(func.min(Licence.valid_from))
                                     .where(Licence.decision_id == licence.decision_id))
    rule = validity[licence.licence_type]
    if row.due_on > last_allowed_day(first_day, rule):
        raise Errors.INVALID_VALIDITY(
            f"at most {rule.max_months} months from {first_day.isoformat()}",
            max_months=rule.max_months, source=rule.source, working_value=rule.working_value)
    before = licence.valid_until
    licence.valid_until = row.due_on
    await record_audit(session, entity_type="licence", entity_id=licence.id, action="extended",
                       data={"from": before.isoformat(), "to": row.due_on.isoformat(),
                             "procedure_id": str(row.id)})
    await emit_event(session, "licence.extended", subject=licence.number, org=licence.holder_org,
                     data={"licence_number": licence.number,
                           "valid_until": row.due_on.isoformat()})


async def _record(session: AsyncSession, row: Procedure, before: str | None, after: str, *,
                  reason: str | None) -> None:
    await record_audit(session, entity_type="procedure", entity_id=row.id, action=after,
                       from_state=before, to_state=after, reason=reason,
                       data={"kind": row.kind})
    await emit_event(session, f"procedure.{after}", subject=row.id, org=row.company_org,
                     data={"kind": row.kind, "outcome": row.outcome})


async def counts(session: AsyncSession, first: date, last: date) -> list[dict]:
    """Procedures closed in the period per kind and outcome (the Parliament report's lines)."""
    rows = await session.execute(
        select(Procedure.kind, Procedure.outcome, func.count().label("count"))
        .where(Procedure.status == "closed", Procedure.closed_on >= first,
               Procedure.closed_on <= last)
        .group_by(Procedure.kind, Procedure.outcome).order_by(Procedure.kind, Procedure.outcome))
    return [dict(r._mapping) for r in rows]
