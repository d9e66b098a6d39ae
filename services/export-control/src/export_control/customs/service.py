"""The customs ledger: availability, debits, re-credits and manual write-offs.

No overdraft, by construction: a debit is one conditional UPDATE
(`remaining >= requested` in the WHERE clause, re-checked by PostgreSQL on the locked row),
backed by a CHECK (remaining >= 0) on the table. Concurrent debits on one line serialise on
its row lock; a debit that does not fit changes nothing and is refused with 409.
A debit is unique on (MRN, item number, licence line): replaying it returns the original
entry. Corrections never edit an entry: a reversal entry gives the amounts back.
"""

import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import and_, func, or_, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from dkbuza_kit.audit import record_audit
from dkbuza_kit.problems import ProblemError
from export_control.compliance.models import ReportObligation
from export_control.customs.models import LedgerEntry
from export_control.licences.models import Licence, LicenceLine
from export_control.licences.service import change_state
from export_control.licences.workflow import EXHAUSTED, refusal_reason
from export_control.settings import ExportControlSettings

DEBIT, WRITE_OFF, REVERSAL = "debit", "write_off", "reversal"


async def find_line(session: AsyncSession, licence_number: str, line_no: int,
                    holder_org: str | None = None) -> tuple[Licence, LicenceLine]:
    stmt = (select(Licence, LicenceLine).join(LicenceLine, LicenceLine.licence_id == Licence.id)
            .where(Licence.number == licence_number, LicenceLine.line_no == line_no))
    if holder_org is not None:
        stmt = stmt.where(Licence.holder_org == holder_org)
    row = (await session.execute(stmt)).first()
    if row is None:
        raise ProblemError(404, "LICENCE_LINE_NOT_FOUND",
                           f"no line {line_no} on licence {licence_number}")
    return row[0], row[1]


def _refuse_if_invalid(licence: Licence, today: date) -> None:
    code = refusal_reason(licence.status, licence.valid_from, licence.valid_until, today)
    if code is not None:
        raise ProblemError(409, code, f"licence {licence.number}: {code.lower()}",
                           licence_status=licence.status)


async def _existing_debit(session: AsyncSession, mrn: str, item_number: int,
                          line_id: uuid.UUID) -> LedgerEntry | None:
    return await session.scalar(
        select(LedgerEntry).where(LedgerEntry.kind == DEBIT, LedgerEntry.mrn == mrn,
                                  LedgerEntry.item_number == item_number,
                                  LedgerEntry.licence_line_id == line_id))


async def _consume(session: AsyncSession, licence: Licence, line: LicenceLine,
                   quantity: Decimal, value: Decimal) -> None:
    """Take the amounts off the line in one conditional UPDATE, or refuse with 409."""
    taken = await session.execute(
        update(LicenceLine)
        .where(LicenceLine.id == line.id,
               or_(LicenceLine.remaining_quantity.is_(None),
                   LicenceLine.remaining_quantity >= quantity),
               or_(LicenceLine.remaining_value.is_(None), LicenceLine.remaining_value >= value))
        .values(remaining_quantity=LicenceLine.remaining_quantity - quantity,
                remaining_value=LicenceLine.remaining_value - value)
        .returning(LicenceLine.remaining_quantity, LicenceLine.remaining_value)
        .execution_options(synchronize_session=False))
    row = taken.first()
    if row is None:
        current = (await session.execute(
            select(LicenceLine.remaining_quantity, LicenceLine.remaining_value)
            .where(LicenceLine.id == line.id))).one()
        exceeded = "quantity" if current[0] is not None and current[0] < quantity else "value"
        raise ProblemError(409, "LICENCE_QUANTITY_EXCEEDED",
                           f"the {exceeded} asked exceeds what remains on the licence line",
                           exceeded=exceeded,
                           remaining_quantity=None if current[0] is None else str(current[0]),
                           remaining_value=None if current[1] is None else f"{current[1]:.2f}")
    if (row[0] is not None and row[0] == 0) or (row[1] is not None and row[1] == 0):
        await _exhaust_if_used_up(session, licence)


async def _lock_licence(session: AsyncSession, licence: Licence) -> Licence | None:
    """The licence row locked and re-read (its version may have moved since it was loaded)."""
    return await session.scalar(select(Licence).where(Licence.id == licence.id)
                                .with_for_update().execution_options(populate_existing=True))


async def _exhaust_if_used_up(session: AsyncSession, licence: Licence) -> None:
    """When no line of the licence can be used any more, the licence is exhausted."""
    usable = await session.scalar(
        select(func.count()).select_from(LicenceLine).where(
            LicenceLine.licence_id == licence.id,
            or_(LicenceLine.control_mode == "open",
                and_(or_(LicenceLine.remaining_quantity.is_(None),
                         LicenceLine.remaining_quantity > 0),
                     or_(LicenceLine.remaining_value.is_(None),
                         LicenceLine.remaining_value > 0)))))
    if usable == 0:
        locked = await _lock_licence(session, licence)
        if locked is not None and locked.status == "issued":
            await change_state(session, locked, "exhaust", reason="all lines used up")


async def debit(session: AsyncSession, *, licence_number: str, line_no: int, mrn: str,
                item_number: int, quantity: Decimal, value: Decimal, actor: str,
                settings: ExportControlSettings, today: date,
                now: datetime) -> tuple[LedgerEntry, bool]:
    """(entry, replayed): a debit already recorded under the same key is returned as is."""
    licence, line = await find_line(session, licence_number, line_no)
    original = await _existing_debit(session, mrn, item_number, line.id)
    if original is not None:
        return original, True
    _refuse_if_invalid(licence, today)
    entry_id = uuid.uuid4()
    # Insert first: a concurrent debit with the same key waits here for the other transaction
    # and then finds its row instead of debiting twice.
    inserted = await session.scalar(
        insert(LedgerEntry)
        .values(id=entry_id, licence_id=licence.id, licence_line_id=line.id, kind=DEBIT,
                mrn=mrn, item_number=item_number, quantity=quantity, value=value, actor=actor,
                created_at=now)
        .on_conflict_do_nothing(index_elements=["mrn", "item_number", "licence_line_id"],
                                index_where=text("kind = 'debit'"))
        .returning(LedgerEntry.id))
    if inserted is None:
        original = await _existing_debit(session, mrn, item_number, line.id)
        assert original is not None
        return original, True
    await _consume(session, licence, line, quantity, value)
    due_on = today + timedelta(days=settings.transaction_report_term_days)
    session.add(ReportObligation(
        ledger_entry_id=entry_id, licence_id=licence.id, holder_org=licence.holder_org,
        due_on=due_on, escalate_on=due_on + timedelta(days=settings.transaction_report_grace_days),
        status="open"))
    entry = await session.get(LedgerEntry, entry_id)
    assert entry is not None
    return entry, False


async def write_off(session: AsyncSession, *, licence_number: str, line_no: int,
                    quantity: Decimal, value: Decimal, reason: str, actor: str, today: date,
                    now: datetime) -> LedgerEntry:
    licence, line = await find_line(session, licence_number, line_no)
    _refuse_if_invalid(licence, today)
    await _consume(session, licence, line, quantity, value)
    entry = LedgerEntry(id=uuid.uuid4(), licence_id=licence.id, licence_line_id=line.id,
                        kind=WRITE_OFF, quantity=quantity, value=value, reason=reason,
                        actor=actor, created_at=now)
    session.add(entry)
    await session.flush()
    await record_audit(session, entity_type="licence", entity_id=licence.id, action="write_off",
                       reason=reason, data={"line_no": line_no, "quantity": str(quantity),
                                            "value": f"{value:.2f}"})
    return entry


async def re_credit(session: AsyncSession, *, licence_number: str, line_no: int, mrn: str,
                    item_number: int, quantity: Decimal | None, value: Decimal | None,
                    reason: str, actor: str, now: datetime) -> LedgerEntry:
    licence, line = await find_line(session, licence_number, line_no)
    original = await session.scalar(
        select(LedgerEntry).where(LedgerEntry.kind == DEBIT, LedgerEntry.mrn == mrn,
                                  LedgerEntry.item_number == item_number,
                                  LedgerEntry.licence_line_id == line.id).with_for_update())
    if original is None:
        raise ProblemError(404, "DECLARATION_NOT_FOUND",
                           f"no debit for declaration {mrn} item {item_number} on this line")
    reversed_q, reversed_v = (await session.execute(
        select(func.coalesce(func.sum(LedgerEntry.quantity), 0),
               func.coalesce(func.sum(LedgerEntry.value), 0))
        .where(LedgerEntry.reverses_entry_id == original.id))).one()
    open_q = (original.quantity or Decimal(0)) + reversed_q
    open_v = (original.value or Decimal(0)) + reversed_v
    if open_q <= 0 and open_v <= 0:
        raise ProblemError(409, "ALREADY_RECREDITED", "this debit was re-credited in full")
    give_q = open_q if quantity is None else quantity
    give_v = open_v if value is None else value
    if give_q > open_q or give_v > open_v:
        raise ProblemError(409, "RECREDIT_EXCEEDS_DEBIT",
                           "a re-credit cannot exceed what the debit still holds",
                           open_quantity=str(open_q), open_value=f"{open_v:.2f}")
    await session.execute(
        update(LicenceLine).where(LicenceLine.id == line.id)
        .values(remaining_quantity=LicenceLine.remaining_quantity + give_q,
                remaining_value=LicenceLine.remaining_value + give_v)
        .execution_options(synchronize_session=False))
    entry = LedgerEntry(id=uuid.uuid4(), licence_id=licence.id, licence_line_id=line.id,
                        kind=REVERSAL, mrn=mrn, item_number=item_number, quantity=-give_q,
                        value=-give_v, reverses_entry_id=original.id, reason=reason, actor=actor,
                        created_at=now)
    session.add(entry)
    if give_q == open_q and give_v == open_v:  # nothing left to report for this declaration
        await session.execute(
            update(ReportObligation)
            .where(ReportObligation.ledger_entry_id == original.id,
                   ReportObligation.status.in_(("open", "overdue")))
            .values(status="cancelled"))
    await session.flush()
    locked = await _lock_licence(session, licence)
    if locked is not None and locked.status == EXHAUSTED:
        await change_state(session, locked, "replenish", reason="re-credit")
    await record_audit(session, entity_type="licence", entity_id=licence.id, action="re_credit",
                       reason=reason, data={"mrn": mrn, "item_number": item_number,
                                            "quantity": str(give_q), "value": f"{give_v:.2f}"})
    return entry


async def availability(session: AsyncSession, licence_number: str, line_no: int,
                       today: date) -> dict:
    licence, line = await find_line(session, licence_number, line_no)
    await session.refresh(line)
    code = refusal_reason(licence.status, licence.valid_from, licence.valid_until, today)
    if code is None and licence.status == EXHAUSTED:
        code = "LICENCE_EXHAUSTED"
    return {"licence_number": licence.number, "line_no": line.line_no,
            "licence_status": licence.status, "valid": code is None, "reason": code,
            "valid_from": licence.valid_from, "valid_until": licence.valid_until,
            "control_mode": line.control_mode, "unit": line.unit,
            "control_entry": line.control_entry, "remaining_quantity": line.remaining_quantity,
            "remaining_value": line.remaining_value}
