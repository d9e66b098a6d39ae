"""The customs ledger: availability, debits, re-credits and manual write-offs.

No overdraft, by construction: a debit is one conditional UPDATE
(`remaining >= requested` in the WHERE clause, re-checked by PostgreSQL on the locked row),
backed by a CHECK (remaining >= 0) on the table. Concurrent debits on one line serialise on
its row lock; a debit that does not fit changes nothing and is refused with 409.
A debit is unique on (MRN, item number, licence line): replaying it returns the original
entry. Corrections never edit an entry: a reversal entry gives the amounts back.
"""

import uuid
from datetime import date
from datetime import datetime
from datetime import timedelta
from decimal import ROUND_HALF_UP
from decimal import Decimal
from typing import Any

from sqlalchemy import and_
from sqlalchemy import bindparam
from sqlalchemy import func
from sqlalchemy import literal_column
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import lazyload

from dkbuza_kit.audit import record_audit
from dkbuza_kit.db import where_given
from export_control.compliance.models import ReportObligation
from export_control.customs.models import LedgerEntry
from export_control.errors import Errors
from export_control.licences.models import Licence
from export_control.licences.models import LicenceLine
from export_control.licences.service import change_state
from export_control.licences.workflow import EXHAUSTED
from export_control.licences.workflow import refusal_reason
from export_control.settings import ExportControlSettings

DEBIT, WRITE_OFF, REVERSAL = "debit", "write_off", "reversal"


async def find_line(session: AsyncSession, licence_number: str, line_no: int,
                    holder_org: str | None = None) -> tuple[Licence, LicenceLine]:
    # The line is loaded here already: no second query for the licence's other lines.
    stmt = (select(Licence, LicenceLine).join(LicenceLine, LicenceLine.licence_id == Licence.id)
            .where(Licence.number == licence_number, LicenceLine.line_no == line_no)
            .options(lazyload(Licence.lines)))
    stmt = where_given(stmt, (Licence.holder_org, holder_org))
    row = (await session.execute(stmt)).first()
    if row is None:
        raise Errors.LICENCE_LINE_NOT_FOUND(f"no line {line_no} on licence {licence_number}")
    return row[0], row[1]


def _refuse_if_invalid(licence, today: date) -> None:
    """`licence`: a Licence or a row with its number, status and validity dates."""
    code = refusal_reason(licence.status, licence.valid_from, licence.valid_until, today)
    if code is not None:
        raise getattr(Errors, code)(f"licence {licence.number}: {code.lower()}",
                           licence_status=licence.status)


# The debit path serves every customs declaration: its statements are built once, with bind
# parameters, rather than per request (building and cache-keying them costs more CPU than
# running them).
_LEDGER = LedgerEntry.__table__
_LICENCES = Licence.__table__
_LINES = LicenceLine.__table__
_OBLIGATIONS = ReportObligation.__table__


def _param(name: str, column):
    return bindparam(name, type_=column.type)


# `kind` inline, not a bound parameter: the planner can then use the partial unique index
# `uq_ledger_entries_debit_key` (WHERE kind = 'debit') even in a generic prepared plan.
def _debit_key(line_id):
    return and_(_LEDGER.c.kind == literal_column(f"'{DEBIT}'"),
                _LEDGER.c.mrn == _param("mrn", _LEDGER.c.mrn),
                _LEDGER.c.item_number == _param("item_number", _LEDGER.c.item_number),
                _LEDGER.c.licence_line_id == line_id)


# (mrn, item_number, line_id) -> the debit recorded under that key.
_EXISTING_DEBIT = select(_LEDGER).where(_debit_key(_param("line_id", _LEDGER.c.licence_line_id)))

# (licence_number, line_no, mrn, item_number) -> one row: the licence (what validation needs),
# the line, and the debit already recorded under the key (columns `entry_*`, NULL if none).
_LINE_AND_EARLIER_DEBIT = (
    select(_LICENCES.c.id, _LICENCES.c.number, _LICENCES.c.status, _LICENCES.c.holder_org,
           _LICENCES.c.valid_from, _LICENCES.c.valid_until, _LINES.c.id.label("line_id"),
           *[column.label(f"entry_{column.name}") for column in _LEDGER.c])
    .join_from(_LICENCES, _LINES, _LINES.c.licence_id == _LICENCES.c.id)
    .outerjoin(_LEDGER, _debit_key(_LINES.c.id))
    .where(_LICENCES.c.number == _param("licence_number", _LICENCES.c.number),
           _LINES.c.line_no == _param("line_no", _LINES.c.line_no))
    # FOR SHARE on the licence until the commit: a suspension, revocation or supersession
    # (FOR UPDATE) waits for the debits in flight, and a debit arriving after it sees the new
    # status. Debits among themselves share the lock (the line's row lock serialises them).
    .with_for_update(read=True, of=_LICENCES))


def _record_debit_statement():
    """One statement: the ledger entry (nothing if its key exists: ON CONFLICT, which waits
    for a concurrent transaction holding the same key) and its report obligation, returning
    the entry as stored. Parameters: the entry's columns, holder_org, due_on, escalate_on."""
    given = ("id", "licence_id", "licence_line_id", "mrn", "item_number", "quantity", "value",
             "actor", "created_at")
    inserted = (
        insert(_LEDGER)
        .values({name: _param(name, _LEDGER.c[name]) for name in given}
                | {"kind": literal_column(f"'{DEBIT}'")})
        .on_conflict_do_nothing(index_elements=["mrn", "item_number", "licence_line_id"],
                                index_where=text("kind = 'debit'"))
        .returning(*_LEDGER.c)
        .cte("entry"))
    obligation = (
        insert(_OBLIGATIONS)
        .from_select(
            ["ledger_entry_id", "licence_id", "holder_org", "due_on", "escalate_on", "status"],
            select(inserted.c.id, inserted.c.licence_id,
                   _param("holder_org", _OBLIGATIONS.c.holder_org),
                   _param("due_on", _OBLIGATIONS.c.due_on),
                   _param("escalate_on", _OBLIGATIONS.c.escalate_on),
                   literal_column("'open'")))
        .cte("obligation"))
    # A data-modifying WITH runs even though the main query does not read it.
    return select(inserted).add_cte(obligation)


_RECORD_DEBIT = _record_debit_statement()

# (line_id, quantity, value) -> the remaining amounts, or no row when they do not fit.
_TAKE_OFF_LINE = (
    update(_LINES)
    .where(_LINES.c.id == _param("line_id", _LINES.c.id),
           or_(_LINES.c.remaining_quantity.is_(None),
               _LINES.c.remaining_quantity >= _param("quantity", _LINES.c.remaining_quantity)),
           or_(_LINES.c.remaining_value.is_(None),
               _LINES.c.remaining_value >= _param("value", _LINES.c.remaining_value)))
    .values(remaining_quantity=_LINES.c.remaining_quantity
            - _param("quantity", _LINES.c.remaining_quantity),
            remaining_value=_LINES.c.remaining_value - _param("value", _LINES.c.remaining_value))
    .returning(_LINES.c.remaining_quantity, _LINES.c.remaining_value))


async def _existing_debit(session: AsyncSession, mrn: str, item_number: int,
                          line_id: uuid.UUID) -> dict[str, Any] | None:
    row = (await session.execute(
        _EXISTING_DEBIT, {"mrn": mrn, "item_number": item_number, "line_id": line_id})).first()
    return None if row is None else dict(row._mapping)


async def _consume(session: AsyncSession, licence_id: uuid.UUID, line_id: uuid.UUID,
                   quantity: Decimal, value: Decimal) -> None:
    """Take the amounts off the line in one conditional UPDATE, or refuse with 409.

    The UPDATE takes the line's row lock, which every other use of the line then waits for
    until this transaction ends: callers do all their other writes first and make this the
    last statement before the commit. A refusal raises, so the transaction rolls back and
    nothing written before it remains."""
    row = (await session.execute(
        _TAKE_OFF_LINE, {"line_id": line_id, "quantity": quantity, "value": value})).first()
    if row is None:
        current = (await session.execute(
            select(_LINES.c.remaining_quantity, _LINES.c.remaining_value)
            .where(_LINES.c.id == line_id))).one()
        exceeded = "quantity" if current[0] is not None and current[0] < quantity else "value"
        raise Errors.LICENCE_QUANTITY_EXCEEDED(
                           f"the {exceeded} asked exceeds what remains on the licence line",
                           exceeded=exceeded,
                           remaining_quantity=None if current[0] is None else str(current[0]),
                           remaining_value=None if current[1] is None else f"{current[1]:.2f}")
    if (row[0] is not None and row[0] == 0) or (row[1] is not None and row[1] == 0):
        await _exhaust_if_used_up(session, licence_id)


async def _lock_licence(session: AsyncSession, licence_id: uuid.UUID) -> Licence | None:
    """The licence row locked and re-read (its version may have moved since it was loaded)."""
    return await session.scalar(select(Licence).where(Licence.id == licence_id)
                                .with_for_update().execution_options(populate_existing=True))


async def _exhaust_if_used_up(session: AsyncSession, licence_id: uuid.UUID) -> None:
    """When no line of the licence can be used any more, the licence is exhausted."""
    usable = await session.scalar(
        select(func.count()).select_from(LicenceLine).where(
            LicenceLine.licence_id == licence_id,
            or_(LicenceLine.control_mode == "open",
                and_(or_(LicenceLine.remaining_quantity.is_(None),
                         LicenceLine.remaining_quantity > 0),
                     or_(LicenceLine.remaining_value.is_(None),
                         LicenceLine.remaining_value > 0)))))
    if usable == 0:
        locked = await _lock_licence(session, licence_id)
        if locked is not None and locked.status == "issued":
            await change_state(session, locked, "exhaust", reason="all lines used up")


def _same_debit(original: dict[str, Any], quantity: Decimal, value: Decimal) -> dict[str, Any]:
    """A replay returns the original entry only when it asks for the same amounts."""
    if original["quantity"] != quantity or original["value"] != value:
        raise Errors.DEBIT_KEY_REUSED(
            "this declaration item was already debited on the line with other amounts",
            original_entry={"id": str(original["id"]), "mrn": original["mrn"],
                            "item_number": original["item_number"],
                            "quantity": format(original["quantity"].normalize(), "f"),
                            "value": f"{original['value']:.2f}",
                            "created_at": original["created_at"].isoformat()})
    return original


async def debit(session: AsyncSession, *, licence_number: str, line_no: int, mrn: str,
                item_number: int, quantity: Decimal, value: Decimal, actor: str,
                settings: ExportControlSettings, today: date,
                now: datetime) -> tuple[dict[str, Any], bool]:
    """(entry, replayed): a debit already recorded under the same key is returned as is.

    Every customs declaration comes through here, so it is three statements: look up the
    licence line together with an earlier debit of the same key; insert the ledger entry and
    its report obligation; take the amounts off the line (the row lock, held until the
    commit that follows at once)."""
    found = (await session.execute(_LINE_AND_EARLIER_DEBIT, {
        "licence_number": licence_number, "line_no": line_no, "mrn": mrn,
        "item_number": item_number})).first()
    if found is None:
        raise Errors.LICENCE_LINE_NOT_FOUND(f"no line {line_no} on licence {licence_number}")
    if found.entry_id is not None:
        return _same_debit({column.name: found._mapping[f"entry_{column.name}"]
                            for column in _LEDGER.c}, quantity, value), True
    _refuse_if_invalid(found, today)
    due_on = today + timedelta(days=settings.transaction_report_term_days)
    recorded = (await session.execute(_RECORD_DEBIT, {
        "id": uuid.uuid4(), "licence_id": found.id, "licence_line_id": found.line_id,
        "mrn": mrn, "item_number": item_number, "quantity": quantity,
        "value": value, "actor": actor, "created_at": now, "holder_org": found.holder_org,
        "due_on": due_on,
        "escalate_on": due_on + timedelta(days=settings.transaction_report_grace_days)})).first()
    if recorded is None:  # a concurrent request recorded the same key first
        original = await _existing_debit(session, mrn, item_number, found.line_id)
        assert original is not None
        return _same_debit(original, quantity, value), True
    await _consume(session, found.id, found.line_id, quantity, value)
    return dict(recorded._mapping), False


async def write_off(session: AsyncSession, *, licence_number: str, line_no: int,
                    quantity: Decimal, value: Decimal, reason: str, actor: str, today: date,
                    now: datetime) -> LedgerEntry:
    licence, line = await find_line(session, licence_number, line_no)
    _refuse_if_invalid(licence, today)
    entry = LedgerEntry(id=uuid.uuid4(), licence_id=licence.id, licence_line_id=line.id,
                        kind=WRITE_OFF, quantity=quantity, value=value, reason=reason,
                        actor=actor, created_at=now)
    session.add(entry)
    await record_audit(session, entity_type="licence", entity_id=licence.id, action="write_off",
                       reason=reason, data={"line_no": line_no, "quantity": str(quantity),
                                            "value": f"{value:.2f}"})
    # Last, as in `debit`: the line's row lock is held only from here to the commit.
    await _consume(session, licence.id, line.id, quantity, value)
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
        raise Errors.DECLARATION_NOT_FOUND(f"no debit for declaration {mrn} item {item_number} on this line")
    reversed_q, reversed_v = (await session.execute(
        select(func.coalesce(func.sum(LedgerEntry.quantity), 0),
               func.coalesce(func.sum(LedgerEntry.value), 0))
        .where(LedgerEntry.reverses_entry_id == original.id))).one()
    open_q = (original.quantity or Decimal(0)) + reversed_q
    open_v = (original.value or Decimal(0)) + reversed_v
    if open_q <= 0 and open_v <= 0:
        raise Errors.ALREADY_RECREDITED("this debit was re-credited in full")
    give_q, give_v = recredit_amounts(open_q, open_v, quantity, value)
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
    locked = await _lock_licence(session, licence.id)
    if locked is not None and locked.status == EXHAUSTED:
        await change_state(session, locked, "replenish", reason="re-credit")
    await record_audit(session, entity_type="licence", entity_id=licence.id, action="re_credit",
                       reason=reason, data={"mrn": mrn, "item_number": item_number,
                                            "quantity": str(give_q), "value": f"{give_v:.2f}"})
    return entry


def recredit_amounts(open_q: Decimal, open_v: Decimal, quantity: Decimal | None,
                     value: Decimal | None) -> tuple[Decimal, Decimal]:
    """(quantity, value) a re-credit gives back: the value follows the quantity pro rata
    (rounded to the cent; the last part gives back exactly what remains), and a value given
    with a quantity must be that pro-rata value (within one cent)."""
    if quantity is None and value is None:
        return open_q, open_v
    if quantity is not None and (quantity > open_q or (value is not None and value > open_v)):
        raise _exceeds(open_q, open_v)
    if quantity is None:  # by value only: the quantity follows the value
        if value > open_v:
            raise _exceeds(open_q, open_v)
        share = value / open_v if open_v else Decimal(1)
        return _pro_rata(open_q, share, value == open_v, "0.001"), value
    share = quantity / open_q if open_q else Decimal(1)
    expected = _pro_rata(open_v, share, quantity == open_q, "0.01")
    if value is not None and abs(value - expected) > Decimal("0.01"):
        raise Errors.RECREDIT_VALUE_MISMATCH(
            f"{quantity} of {open_q} still debited gives back {expected:.2f}, not {value:.2f}",
            expected_value=f"{expected:.2f}")
    return quantity, expected if value is None else value


def _pro_rata(amount: Decimal, share: Decimal, whole: bool, step: str) -> Decimal:
    return amount if whole else (amount * share).quantize(Decimal(step), rounding=ROUND_HALF_UP)


def _exceeds(open_q: Decimal, open_v: Decimal):
    return Errors.RECREDIT_EXCEEDS_DEBIT("a re-credit cannot exceed what the debit still holds",
                                         open_quantity=str(open_q), open_value=f"{open_v:.2f}")


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
