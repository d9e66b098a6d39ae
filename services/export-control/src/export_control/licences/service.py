"""Issuing licences on a grant, their state changes (pushed to customs as outbox events in the
same transaction) and the nightly expiry."""

import uuid
from datetime import date
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Select
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dkbuza_kit.audit import emit_event
from dkbuza_kit.audit import record_audit
from dkbuza_kit.auth import Principal
from dkbuza_kit.db import one_or_404
from dkbuza_kit.statemachine import illegal_transition
from dkbuza_kit.timeline import check_period
from export_control.applications.models import Application
from export_control.applications.models import Decision
from export_control.embargoes import service as embargoes
from export_control.errors import Errors
from export_control.licences.models import Licence
from export_control.licences.models import LicenceLine
from export_control.licences.validity import ValidityRule
from export_control.licences.validity import last_allowed_day
from export_control.licences.workflow import EXPIRED
from export_control.licences.workflow import ISSUED
from export_control.licences.workflow import LIVE
from export_control.licences.workflow import next_state
from export_control.roles import scoped_select


def remaining_for(mode: str, quantity: Decimal | None,
                  value: Decimal | None) -> tuple[Decimal | None, Decimal | None]:
    """What the ledger tracks for a line: the controlled measures only."""
    return (quantity if mode in ("quantity", "both") else None,
            value if mode in ("value", "both") else None)


async def _next_number(session: AsyncSession, app: Application) -> str:
    count = await session.scalar(
        select(func.count()).select_from(Licence).where(Licence.application_id == app.id))
    return f"{app.reference}/L{int(count or 0) + 1}"


async def issue_licence(session: AsyncSession, app: Application, decision: Decision, *,
                        valid_from: date, valid_until: date, conditions: str | None,
                        control_modes: dict[int, str], now: datetime) -> Licence:
    if valid_until < valid_from:
        raise Errors.INVALID_VALIDITY("valid_until is before valid_from")
    unknown = set(control_modes) - {line.line_no for line in app.lines}
    if unknown:
        raise Errors.UNKNOWN_LINE(f"no goods line {sorted(unknown)}")
    regime = "military" if app.application_type.startswith("military") else "dual_use"
    licence = Licence(id=uuid.uuid4(), number=await _next_number(session, app),
                      application_id=app.id, decision_id=decision.id,
                      licence_type=app.application_type, regime=regime,
                      holder_org=app.applicant_org, holder_name=app.applicant_name,
                      destination_country=app.destination_country, valid_from=valid_from,
                      valid_until=valid_until, conditions=conditions, status=ISSUED,
                      issued_at=now)
    lines = []
    for line in app.lines:
        mode = control_modes.get(line.line_no, "both")
        remaining_quantity, remaining_value = remaining_for(mode, line.quantity, line.value_eur)
        lines.append(LicenceLine(line_no=line.line_no, description=line.description,
                                 control_entry=line.control_entry, category=line.category,
                                 unit=line.unit, control_mode=mode,
                                 licensed_quantity=line.quantity, licensed_value=line.value_eur,
                                 remaining_quantity=remaining_quantity,
                                 remaining_value=remaining_value))
    licence.lines = lines
    previous = await _live_licence(session, app.id)
    if previous is not None:
        _carry_over_use(previous, lines)
        licence.replaces_licence_id = previous.id
    session.add(licence)
    await session.flush()
    if previous is not None:
        await change_state(session, previous, "supersede",
                           reason=f"superseded by {licence.number} (new decision)")
    await _announce(session, licence, "issued", None, ISSUED,
                    reason=f"replaces {previous.number}" if previous else None)
    return licence


async def _live_licence(session: AsyncSession, app_id: uuid.UUID) -> Licence | None:
    """The application's current licence, locked (debits hold it FOR SHARE until they commit)."""
    return await session.scalar(
        select(Licence).where(Licence.application_id == app_id, Licence.status.in_(LIVE))
        .order_by(Licence.issued_at.desc()).limit(1).with_for_update()
        .execution_options(populate_existing=True))


def _carry_over_use(previous: Licence, lines: list[LicenceLine]) -> None:
    """What customs already wrote off under the old licence stays used under the new one."""
    old = {line.line_no: line for line in previous.lines}
    for line in lines:
        before = old.get(line.line_no)
        if before is None:
            continue
        if line.remaining_quantity is not None and before.remaining_quantity is not None:
            used = before.licensed_quantity - before.remaining_quantity
            line.remaining_quantity = max(line.remaining_quantity - used, Decimal(0))
        if line.remaining_value is not None and before.remaining_value is not None:
            used = before.licensed_value - before.remaining_value
            line.remaining_value = max(line.remaining_value - used, Decimal(0))


async def suspend_on_reopen(session: AsyncSession, app_id: uuid.UUID) -> Licence | None:
    """A reopened case cannot keep a usable licence: suspended at once, customs told."""
    live = await _live_licence(session, app_id)
    if live is not None and live.status != "suspended":
        await change_state(session, live, "suspend", reason="the case was reopened")
    return live


async def _within_legal_maximum(session: AsyncSession, old: Licence, valid_until: date,
                                rules: dict[str, ValidityRule]) -> None:
    """A reissue does not extend the decision's licence beyond the legal maximum, counted
    from the first licence under the same decision."""
    first_day = await session.scalar(select(func.min(Licence.valid_from))
                                     .where(Licence.decision_id == old.decision_id))
    rule = rules[old.licence_type]
    longest = last_allowed_day(first_day, rule)
    if valid_until > longest:
        raise Errors.INVALID_VALIDITY(
            f"a {old.licence_type} licence is valid for at most {rule.max_months} months "
            f"from {first_day.isoformat()} (until {longest.isoformat()})",
            max_months=rule.max_months, last_allowed_day=longest.isoformat(),
            source=rule.source, working_value=rule.working_value)


async def reissue(session: AsyncSession, old: Licence, *, reason: str,
                  valid_until: date | None, conditions: str | None, now: datetime,
                  today: date, validity: dict[str, ValidityRule]) -> Licence:
    """A replacement licence under the same decision (not a new grant): the old one is
    surrendered and the new one carries the remaining quantities and values over."""
    if old.status not in LIVE:
        raise illegal_transition("licence", old.status, "reissued", (),
                                 f"a {old.status} licence cannot be reissued")
    app = await session.get(Application, old.application_id)
    assert app is not None
    if app.status != "decided":
        raise illegal_transition("licence", old.status, "reissued", (),
                                 f"the case is {app.status}: a reopened case is decided anew")
    await embargoes.check_grant_allowed(session, app, today)  # a reissue is a usable licence too
    new = Licence(id=uuid.uuid4(), number=await _next_number(session, app),
                  application_id=old.application_id, decision_id=old.decision_id,
                  replaces_licence_id=old.id, licence_type=old.licence_type, regime=old.regime,
                  holder_org=old.holder_org, holder_name=old.holder_name,
                  destination_country=old.destination_country, valid_from=max(today, old.valid_from),
                  valid_until=valid_until or old.valid_until,
                  conditions=conditions if conditions is not None else old.conditions,
                  status=ISSUED, issued_at=now)
    check_period("valid_from", new.valid_from, "valid_until", new.valid_until)
    await _within_legal_maximum(session, old, new.valid_until, validity)
    new.lines = [
        LicenceLine(
            line_no=line.line_no, description=line.description,
            control_entry=line.control_entry, category=line.category, unit=line.unit,
            control_mode=line.control_mode,
            licensed_quantity=line.remaining_quantity if line.remaining_quantity is not None
            else line.licensed_quantity,
            licensed_value=line.remaining_value if line.remaining_value is not None
            else line.licensed_value,
            remaining_quantity=line.remaining_quantity, remaining_value=line.remaining_value)
        for line in old.lines
    ]
    session.add(new)
    await change_state(session, old, "surrender", reason=f"reissued as {new.number}: {reason}")
    await session.flush()
    await _announce(session, new, "issued", None, ISSUED, reason=f"replaces {old.number}")
    return new


async def change_state(session: AsyncSession, licence: Licence, action: str, *,
                       reason: str | None) -> Licence:
    before = licence.status
    licence.status = next_state(before, action)
    await session.flush()
    await _announce(session, licence, action, before, licence.status, reason=reason)
    return licence


async def _announce(session: AsyncSession, licence: Licence, action: str, before: str | None,
                    after: str, *, reason: str | None) -> None:
    """Audit row plus the outbox event customs (CERTEX) consumes, in the same transaction."""
    await record_audit(session, entity_type="licence", entity_id=licence.id, action=action,
                       from_state=before, to_state=after, reason=reason)
    await emit_event(session, f"licence.{after}", subject=licence.number, org=licence.holder_org,
                     data={"licence_id": str(licence.id), "licence_number": licence.number,
                           "status": after, "previous_status": before, "reason": reason,
                           "valid_until": licence.valid_until.isoformat()})


def visible_licences(principal: Principal) -> Select:
    return scoped_select(Licence, Licence.holder_org, principal)


async def get_licence(session: AsyncSession, licence_id: uuid.UUID, principal: Principal, *,
                      for_update: bool = False) -> Licence:
    return await one_or_404(session, visible_licences(principal).where(Licence.id == licence_id),
                            what="licence", for_update=for_update)


async def expire_licences(session: AsyncSession, today: date) -> int:
    """Licences whose end date has passed (the day after it, Brussels) become expired."""
    due = (await session.scalars(
        select(Licence).where(Licence.valid_until < today,
                              Licence.status.in_(("issued", "suspended", "exhausted")))
        .order_by(Licence.id).with_for_update(skip_locked=True))).all()
    for licence in due:
        await change_state(session, licence, "expire",
                           reason=f"end date {licence.valid_until.isoformat()} passed")
    return len(due)


__all__ = ["EXPIRED", "change_state", "expire_licences", "get_licence",
           "issue_licence", "reissue", "remaining_for", "visible_licences"]
