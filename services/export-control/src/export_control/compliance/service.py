"""Transaction reports (with discrepancy detection against the ledger), overdue reports and
the infringement cases they lead to."""

import uuid
from datetime import date
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Select
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from dkbuza_kit.audit import add_audited
from dkbuza_kit.audit import emit_event
from dkbuza_kit.audit import record_audit
from dkbuza_kit.auth import Principal
from dkbuza_kit.db import one_or_404
from dkbuza_kit.errors import KitErrors
from dkbuza_kit.models import AuditEvent
from dkbuza_kit.timeline import check_timeline
from export_control.compliance import workflow
from export_control.compliance.models import InfringementCase
from export_control.compliance.models import ReportObligation
from export_control.compliance.models import TransactionReport
from export_control.compliance.models import TransactionReportLine
from export_control.compliance.schemas import TransactionReportIn
from export_control.customs.models import LedgerEntry
from export_control.errors import Errors
from export_control.licences.models import Licence
from export_control.roles import scoped_select

CASE_ENTITY = "infringement_case"  # the audit trail's entity type, also the case history


async def _ledger_use(session: AsyncSession, line_id: uuid.UUID, mrn: str,
                      item_number: int) -> tuple[uuid.UUID | None, Decimal | None, Decimal | None]:
    """(debit entry id, net quantity, net value) for one declaration item on a line."""
    debit = await session.scalar(
        select(LedgerEntry).where(LedgerEntry.kind == "debit", LedgerEntry.mrn == mrn,
                                  LedgerEntry.item_number == item_number,
                                  LedgerEntry.licence_line_id == line_id))
    if debit is None:
        return None, None, None
    quantity, value = (await session.execute(
        select(func.coalesce(func.sum(LedgerEntry.quantity), 0),
               func.coalesce(func.sum(LedgerEntry.value), 0))
        .where((LedgerEntry.id == debit.id) | (LedgerEntry.reverses_entry_id == debit.id))
    )).one()
    return debit.id, quantity, value


async def _check_report_lines(session: AsyncSession, licence: Licence,
                              body: TransactionReportIn, now: datetime) -> None:
    """Shipped within the licence's life and not in the future; each debit line once."""
    keys = set()
    for index, item in enumerate(body.lines):
        check_timeline(f"lines[{index}].shipped_on", item.shipped_on, now=now,
                       origin=("licence valid_from", licence.valid_from))
        if item.shipped_on > licence.valid_until:
            raise KitErrors.DATE_OUT_OF_WINDOW(
                f"lines[{index}].shipped_on {item.shipped_on.isoformat()} lies after the "
                f"licence's last day {licence.valid_until.isoformat()}",
                field=f"lines[{index}].shipped_on", bound="licence valid_until",
                bound_value=licence.valid_until.isoformat())
        key = (item.line_no, item.mrn, item.item_number)
        if key in keys:
            raise Errors.REPORT_LINE_DUPLICATE(f"lines[{index}] repeats {key} in this report")
        keys.add(key)
    line_ids = {line.line_no: line.id for line in licence.lines}
    wanted = [(line_ids[n], mrn, item) for n, mrn, item in keys if n in line_ids]
    if wanted:
        already = (await session.execute(
            select(TransactionReportLine.mrn, TransactionReportLine.item_number,
                   TransactionReportLine.report_id)
            .where(tuple_(TransactionReportLine.licence_line_id, TransactionReportLine.mrn,
                          TransactionReportLine.item_number).in_(wanted)).limit(1))).first()
        if already is not None:
            raise Errors.REPORT_LINE_DUPLICATE(
                f"declaration {already.mrn} item {already.item_number} is already reported",
                report_id=str(already.report_id))


async def submit_report(session: AsyncSession, licence: Licence, body: TransactionReportIn, *,
                        actor: str, now: datetime) -> TransactionReport:
    lines_by_no = {line.line_no: line for line in licence.lines}
    await _check_report_lines(session, licence, body, now)
    report = TransactionReport(id=uuid.uuid4(), licence_id=licence.id,
                               holder_org=licence.holder_org, submitted_by=actor,
                               submitted_at=now, has_discrepancy=False)
    session.add(report)
    await session.flush()  # the obligations below point at it
    rows = []
    for position, item in enumerate(body.lines, start=1):
        line = lines_by_no.get(item.line_no)
        if line is None:
            raise Errors.UNKNOWN_LINE(f"licence has no line {item.line_no}")
        debit_id, ledger_q, ledger_v = await _ledger_use(session, line.id, item.mrn,
                                                         item.item_number)
        discrepancy = debit_id is None or ledger_q != item.quantity or ledger_v != item.value
        rows.append(TransactionReportLine(
            report_id=report.id, position=position, licence_line_id=line.id, mrn=item.mrn,
            item_number=item.item_number, shipped_on=item.shipped_on, quantity=item.quantity,
            value=item.value, ledger_quantity=ledger_q, ledger_value=ledger_v,
            discrepancy=discrepancy))
        report.has_discrepancy |= discrepancy
        if debit_id is not None:
            obligation = await session.get(ReportObligation, debit_id, with_for_update=True)
            if obligation is not None and obligation.status in ("open", "overdue"):
                obligation.status, obligation.report_id = "reported", report.id
    session.add_all(rows)
    await session.flush()
    await session.refresh(report, attribute_names=["lines", "overdue"])
    await record_audit(session, entity_type="transaction_report", entity_id=report.id,
                       action="submitted", to_state="submitted",
                       data={"licence_id": str(licence.id),
                             "has_discrepancy": report.has_discrepancy})
    if report.has_discrepancy:
        await emit_event(session, "transaction_report.discrepancy", subject=report.id,
                         org=licence.holder_org, data={"licence_number": licence.number})
    return report


def visible_reports(principal: Principal) -> Select:
    """Transaction reports the caller may see: a company only its own."""
    return _scoped(TransactionReport, principal)


def visible_cases(principal: Principal) -> Select:
    """Infringement cases the caller may see: a company only those against itself."""
    return _scoped(InfringementCase, principal)


def visible_obligations(principal: Principal) -> Select:
    return _scoped(ReportObligation, principal)


def _scoped(model: type[TransactionReport] | type[InfringementCase] | type[ReportObligation],
            principal: Principal) -> Select:
    return scoped_select(model, model.holder_org, principal)


async def get_report(session: AsyncSession, report_id: uuid.UUID,
                     principal: Principal) -> TransactionReport:
    return await one_or_404(session, visible_reports(principal)
                            .where(TransactionReport.id == report_id), what="transaction report")


async def get_case(session: AsyncSession, case_id: uuid.UUID,
                   principal: Principal) -> InfringementCase:
    return await one_or_404(session, visible_cases(principal).where(InfringementCase.id == case_id),
                            what="infringement case")


async def case_history(session: AsyncSession, case_id: uuid.UUID) -> list[AuditEvent]:
    """The case's state changes from the append-only audit trail, oldest first."""
    return list((await session.scalars(
        select(AuditEvent).where(AuditEvent.entity_type == CASE_ENTITY,
                                 AuditEvent.entity_id == str(case_id))
        .order_by(AuditEvent.id))).all())


async def open_case(session: AsyncSession, licence: Licence, *, description: str,
                    obligation: ReportObligation | None, now: datetime) -> InfringementCase:
    basis, follow_up = workflow.legal_basis(licence.regime)
    case = InfringementCase(id=uuid.uuid4(), licence_id=licence.id,
                            holder_org=licence.holder_org,
                            obligation_ledger_entry_id=obligation.ledger_entry_id
                            if obligation else None,
                            legal_basis=basis, follow_up=follow_up, status="opened",
                            description=description, opened_at=now)
    await add_audited(session, case, entity_type=CASE_ENTITY, action="opened", to_state="opened",
                      data={"legal_basis": basis})
    await emit_event(session, "infringement.opened", subject=case.id, org=licence.holder_org,
                     data={"legal_basis": basis, "follow_up": follow_up})
    return case


async def move_case(session: AsyncSession, case: InfringementCase, target: str,
                    outcome: str | None, now: datetime) -> InfringementCase:
    workflow.check_transition(case.status, target)
    before = case.status
    case.status = target
    if outcome:
        case.outcome = outcome
    if target in workflow.CLOSED:
        case.closed_at = now
    await record_audit(session, entity_type=CASE_ENTITY, entity_id=case.id,
                       action="transition", from_state=before, to_state=target, reason=outcome)
    return case


async def mark_overdue_reports(session: AsyncSession, today: date, now: datetime) -> tuple[int, int]:
    """Open obligations past their term become overdue; overdue ones past the grace period
    open an infringement case. Returns (newly overdue, escalated)."""
    overdue = (await session.scalars(
        select(ReportObligation).where(ReportObligation.status == "open",
                                       ReportObligation.due_on < today)
        .order_by(ReportObligation.ledger_entry_id).with_for_update(skip_locked=True))).all()
    for obligation in overdue:
        obligation.status = "overdue"
        await record_audit(session, entity_type="report_obligation",
                           entity_id=obligation.ledger_entry_id, action="overdue",
                           from_state="open", to_state="overdue")
    to_escalate = (await session.scalars(
        select(ReportObligation).where(ReportObligation.status == "overdue",
                                       ReportObligation.escalate_on < today)
        .order_by(ReportObligation.ledger_entry_id).with_for_update(skip_locked=True))).all()
    for obligation in to_escalate:
        licence = await session.get(Licence, obligation.licence_id)
        assert licence is not None
        obligation.status = "escalated"
        await open_case(session, licence, now=now, obligation=obligation,
                        description="transaction report missing after the grace period "
                                    f"(due {obligation.due_on.isoformat()})")
    return len(overdue), len(to_escalate)


