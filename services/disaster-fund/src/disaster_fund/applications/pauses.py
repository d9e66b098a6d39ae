"""Pauses of the turnaround clock: only waits on the applicant stop it."""

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from disaster_fund import turnaround
from disaster_fund.applications.journal import log_event
from disaster_fund.applications.models import Application
from disaster_fund.applications.models import Pause
from disaster_fund.applications.queries import pauses_of
from disaster_fund.applications.queries import state_entries
from disaster_fund.applications.schemas import PauseIn
from disaster_fund.errors import Errors
from disaster_fund.stats.models import PhaseDurationStats
from disaster_fund.workflow import ApplicationState
from dkbuza_kit.calendar import brussels_date
from dkbuza_kit.clock import Clock
from dkbuza_kit.errors import KitErrors
from dkbuza_kit.timeline import check_timeline

A = ApplicationState


async def open_pause(session: AsyncSession, application: Application, reason: str,
                      at: datetime, actor: str, note: str | None = None) -> Pause:
    pause = Pause(application_id=application.id, reason=reason, started_at=at, note=note,
                  created_by=actor)
    session.add(pause)
    application.open_pause_started_at = at
    await session.flush()
    return pause


def count_closed_pause(application: Application, start: datetime, end: datetime) -> None:
    days = (brussels_date(end) - brussels_date(start)).days
    application.paused_days += max(0, days)
    if application.phase_entered_at is not None:
        from_day = max(brussels_date(start), brussels_date(application.phase_entered_at))
        application.phase_paused_days += max(0, (brussels_date(end) - from_day).days)


async def close_open_pause(session: AsyncSession, application: Application, at: datetime) -> None:
    pause = await session.scalar(select(Pause).where(Pause.application_id == application.id,
                                                     Pause.ended_at.is_(None)))
    if pause is None:
        return
    pause.ended_at = max(at, pause.started_at)
    application.open_pause_started_at = None
    count_closed_pause(application, pause.started_at, pause.ended_at)


async def discount_exited_phases(session: AsyncSession, application: Application,
                                 start: datetime, end: datetime | None, now: datetime) -> None:
    """A pause recorded after the fact may cover phases the dossier already left: their summed
    net days (the per-phase KPI and dashboard) lose the overlap, as the turnaround does."""
    if brussels_date(start) >= brussels_date(application.phase_entered_at or now):
        return  # only the current phase is touched: counted in phase_paused_days
    spans = turnaround.phase_spans(await state_entries(session, application), [], now)
    pause = [turnaround.PauseSpan(start, end)]
    for span in spans:
        if span.left_on is None:
            continue
        overlap = turnaround.paused_days(span.entered_on, span.left_on, pause, span.left_on)
        if overlap:
            await session.execute(update(PhaseDurationStats).where(
                PhaseDurationStats.disaster_id == application.disaster_id,
                PhaseDurationStats.phase == span.phase,
            ).values(net_days_sum=PhaseDurationStats.net_days_sum - overlap))


async def add_pause(session: AsyncSession, application: Application, body: PauseIn, actor: str,
                    clock: Clock) -> Pause:
    turnaround.check_pause_reason(body.reason)
    if ApplicationState(application.state) in (A.paid, A.inadmissible, A.withdrawn):
        raise Errors.APPLICATION_CLOSED("the dossier is closed")
    now = clock.now()
    start = body.started_at or now
    check_timeline("started_at", start, now=now,
                   origin=("received_at", application.received_at))
    check_timeline("ended_at", body.ended_at, now=now,
                   follows=[("started_at", start)])
    existing = [turnaround.PauseSpan(p.started_at, p.ended_at)
                for p in await pauses_of(session, application.id)]
    turnaround.check_no_overlap(existing, turnaround.PauseSpan(start, body.ended_at), now)
    pause = await open_pause(session, application, body.reason, start, actor, body.note)
    await discount_exited_phases(session, application, start, body.ended_at, now)
    if body.ended_at is not None:
        pause.ended_at = body.ended_at
        application.open_pause_started_at = None
        count_closed_pause(application, start, body.ended_at)
    application.version += 1
    await log_event(session, application, "pause_started", application.state, application.state,
                    actor, now, body.reason, {"pause_id": str(pause.id)})
    return pause


async def end_pause(session: AsyncSession, application: Application, pause_id: uuid.UUID,
                    ended_at: datetime | None, actor: str, clock: Clock) -> Pause:
    pause = await session.scalar(select(Pause).where(Pause.id == pause_id,
                                                     Pause.application_id == application.id))
    if pause is None:
        raise KitErrors.NOT_FOUND("pause not found")
    if pause.ended_at is not None:
        raise Errors.PAUSE_ALREADY_ENDED("this pause has ended")
    now = clock.now()
    end = ended_at or now
    check_timeline("ended_at", end, now=now,
                   follows=[("started_at", pause.started_at)])
    if end <= pause.started_at:
        raise Errors.INVALID_PAUSE("a pause ends after it starts")
    pause.ended_at = end
    application.open_pause_started_at = None
    count_closed_pause(application, pause.started_at, end)
    application.version += 1
    await log_event(session, application, "pause_ended", application.state, application.state,
                    actor, now, pause.reason, {"pause_id": str(pause.id)})
    return pause
