"""RVOS advice and the network's response. Both dates are facts: not in the future, and the
response not before the advice (the kit's timeline rule)."""

import uuid
from datetime import date

from sqlalchemy import Select
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dkbuza_kit.audit import add_audited
from dkbuza_kit.audit import record_audit
from dkbuza_kit.auth import Principal
from dkbuza_kit.clock import Clock
from dkbuza_kit.concurrency import bump_version
from dkbuza_kit.db import one_or_404
from dkbuza_kit.timeline import check_timeline
from vsp_statistics.consultations.models import RvosAdvice
from vsp_statistics.consultations.schemas import AdviceIn
from vsp_statistics.consultations.schemas import AdvicePatch
from vsp_statistics.consultations.schemas import ResponseIn
from vsp_statistics.errors import Errors
from vsp_statistics.official_statistics.models import OfficialStatistic
from vsp_statistics.patching import apply_patch
from vsp_statistics.patching import audit_update


def advice_list(answered: bool | None) -> Select:
    stmt = select(RvosAdvice).order_by(RvosAdvice.advised_on.desc(), RvosAdvice.id)
    if answered is not None:
        stmt = stmt.where(RvosAdvice.responded_on.is_not(None) if answered
                          else RvosAdvice.responded_on.is_(None))
    return stmt


async def get_advice(session: AsyncSession, advice_id: uuid.UUID, *,
                     for_update: bool = False) -> RvosAdvice:
    stmt = select(RvosAdvice).where(RvosAdvice.id == advice_id)
    return await one_or_404(session, stmt, what="RVOS advice", error=Errors.ADVICE_NOT_FOUND,
                            for_update=for_update)


async def _check_statistic(session: AsyncSession, statistic_id: uuid.UUID | None) -> None:
    if statistic_id and await session.get(OfficialStatistic, statistic_id) is None:
        raise Errors.UNKNOWN_STATISTIC("no such official statistic")


def check_dates(advised_on: date, responded_on: date | None, clock: Clock) -> None:
    now = clock.now()
    check_timeline("advised_on", advised_on, now=now)
    check_timeline("responded_on", responded_on, now=now, follows=[("advised_on", advised_on)])


async def register(session: AsyncSession, principal: Principal, body: AdviceIn,
                   clock: Clock) -> RvosAdvice:
    await _check_statistic(session, body.statistic_id)
    check_dates(body.advised_on, None, clock)
    advice = RvosAdvice(**body.model_dump())
    await add_audited(session, advice, entity_type="rvos_advice", action="registered",
                      actor_org=principal.org)
    return advice


async def correct(session: AsyncSession, principal: Principal, advice: RvosAdvice,
                  body: AdvicePatch, clock: Clock) -> None:
    changes = body.changes()
    if advice.responded_on is None and changes.keys() & {"response", "responded_on"}:
        raise Errors.ADVICE_NOT_ANSWERED("record the response first with "
                                         "POST /v1/consultations/{id}/response")
    if "statistic_id" in changes:
        await _check_statistic(session, changes["statistic_id"])
    check_dates(changes.get("advised_on", advice.advised_on),
                changes.get("responded_on", advice.responded_on), clock)
    diff = apply_patch(advice, changes)
    await audit_update(session, entity_type="rvos_advice", entity_id=advice.id, diff=diff,
                       principal=principal)


async def respond(session: AsyncSession, principal: Principal, advice: RvosAdvice,
                  body: ResponseIn, clock: Clock) -> None:
    if advice.responded_on is not None:
        raise Errors.ADVICE_ALREADY_ANSWERED("this advice already has a response")
    check_dates(advice.advised_on, body.responded_on, clock)
    advice.response = body.response
    advice.responded_on = body.responded_on
    bump_version(advice)
    await record_audit(session, entity_type="rvos_advice", entity_id=advice.id,
                       action="answered", from_state="open", to_state="answered",
                       actor_org=principal.org)
