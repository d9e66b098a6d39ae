"""Damage reports: within the report window, one per reporter per disaster."""

import uuid
from datetime import datetime

from sqlalchemy import Select
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from disaster_fund import deadlines
from disaster_fund import roles
from disaster_fund.disasters import service as disasters
from disaster_fund.errors import Errors
from disaster_fund.municipalities import canonical_nis
from disaster_fund.municipalities import canonical_one
from disaster_fund.numbering import next_number
from disaster_fund.reports.models import DamageReport
from disaster_fund.reports.schemas import DamageReportIn
from disaster_fund.workflow import DisasterState
from dkbuza_kit.audit import record_audit
from dkbuza_kit.auth import Principal
from dkbuza_kit.calendar import brussels_date
from dkbuza_kit.calendar import end_of_day
from dkbuza_kit.clock import Clock
from dkbuza_kit.errors import KitErrors
from dkbuza_kit.timeline import check_timeline


def _reporter(principal: Principal, body: DamageReportIn, municipality: str) -> tuple[str, str, bool]:
    """(reporter_key, reporter_sub, public_domain) for the caller's role."""
    if principal.has_any(*roles.STAFF):
        if not body.reporter_id:
            raise Errors.REPORTER_REQUIRED(
                "a handler registers a report for a reporter: reporter_id is required")
        return f"sub:{body.reporter_id}", body.reporter_id, False
    if body.reporter_id:
        raise Errors.REPORTER_NOT_ALLOWED("reporter_id is for handlers only")
    if principal.has_any(roles.MUNICIPALITY) and not principal.has_any(roles.CITIZEN):
        if canonical_nis(principal.org) != municipality:
            raise Errors.NOT_OWN_MUNICIPALITY("a municipality reports damage to its own public domain only")
        return f"org:{municipality}", principal.sub, True
    return f"sub:{principal.sub}", principal.sub, False


def _received(principal: Principal, body: DamageReportIn, disaster, now: datetime) -> datetime:
    """When the report reached the fund: now, or (paper intake by a handler) the end of the day
    of receipt. Neither may precede the event or lie in the future."""
    if body.received_on is not None and not principal.has_any(*roles.STAFF):
        raise Errors.PAPER_FIELDS_NOT_ALLOWED("received_on is for paper reports (handlers)")
    check_timeline("received_on", body.received_on, now=now,
                   origin=("event_start", disaster.event_start))
    check_timeline("filed_at", now, now=now, origin=("event_start", disaster.event_start))
    if body.received_on is None:
        return now
    return min(now, end_of_day(body.received_on))


async def file(session: AsyncSession, body: DamageReportIn, principal: Principal,
               clock: Clock) -> DamageReport:
    disaster = await disasters.get(session, body.disaster_id)
    if disaster.state in (DisasterState.not_recognised, DisasterState.closed):
        raise Errors.DISASTER_CLOSED("this disaster no longer accepts damage reports")
    now = clock.now()
    received = _received(principal, body, disaster, now)
    deadlines.check_report_filing(received, disaster.event_end,
                                  await disasters.windows_for(session, disaster))
    municipality = canonical_one(body.municipality_nis)
    key, reporter_sub, public_domain = _reporter(principal, body, municipality)
    existing = await _existing(session, disaster.id, key)
    if existing is None:
        try:
            async with session.begin_nested():  # a concurrent duplicate rolls back to here
                report = DamageReport(
                    number=await next_number(session, "RM", brussels_date(now).year),
                    disaster_id=disaster.id, reporter_key=key, reporter_sub=reporter_sub,
                    reporter_org=principal.org or None, municipality_nis=municipality,
                    public_domain=public_domain, description=body.description,
                    estimated_amount=body.estimated_amount, filed_at=now, filed_by=principal.sub,
                    channel="paper" if body.received_on else "online",
                    received_on=body.received_on)
                session.add(report)
                await session.flush()
        except IntegrityError:
            existing = await _existing(session, disaster.id, key)
        else:
            await record_audit(session, entity_type="damage_report", entity_id=report.id,
                               action="registered_from_paper" if body.received_on else "filed",
                               data={"number": report.number,
                                     "received_on": body.received_on and body.received_on.isoformat()})
            return report
    raise Errors.DUPLICATE_DAMAGE_REPORT(
        f"this reporter already filed report {existing.number} for this disaster",
                       existing_report_number=existing.number,
                       existing_report_id=str(existing.id))


async def _existing(session: AsyncSession, disaster_id: uuid.UUID, key: str) -> DamageReport | None:
    return await session.scalar(select(DamageReport).where(
        DamageReport.disaster_id == disaster_id, DamageReport.reporter_key == key))


def visible(stmt: Select, principal: Principal) -> Select:
    """Object rules: staff see all; a municipality its territory; a citizen their own."""
    if principal.has_any(*roles.STAFF):
        return stmt
    if principal.has_any(roles.MUNICIPALITY):
        return stmt.where(DamageReport.municipality_nis == principal.org)
    return stmt.where(DamageReport.reporter_sub == principal.sub)


async def get(session: AsyncSession, report_id: uuid.UUID, principal: Principal) -> DamageReport:
    report = await session.scalar(visible(select(DamageReport), principal)
                                  .where(DamageReport.id == report_id))
    if report is None:
        raise KitErrors.NOT_FOUND("damage report not found")
    return report
