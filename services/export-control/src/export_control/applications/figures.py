"""The turnaround figures of applications, derived from the append-only clock events: the
figure of each decided case and the running clock of open ones (recomputation is idempotent)."""

import uuid
from collections import defaultdict
from datetime import date
from datetime import datetime

from sqlalchemy import delete
from sqlalchemy import select
from sqlalchemy import tuple_
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from dkbuza_kit.calendar import brussels_date
from export_control.applications import workflow
from export_control.applications.models import Application
from export_control.applications.models import ApplicationEvent
from export_control.applications.models import Decision
from export_control.applications.models import OpenTurnaroundFigure
from export_control.applications.models import TurnaroundFigure
from export_control.applications.turnaround import ClockEvent
from export_control.applications.turnaround import Turnaround
from export_control.applications.turnaround import compute_turnaround


async def add_clock_event(session: AsyncSession, app: Application, kind: str, at: datetime,
                 key: str | None = None) -> None:
    session.add(ApplicationEvent(application_id=app.id, kind=kind, occurred_at=at, key=key))


# ---------------------------------------------------------------- turnaround

async def clock_events(session: AsyncSession, app_id: uuid.UUID) -> list[ClockEvent]:
    rows = (await session.execute(
        select(ApplicationEvent.kind, ApplicationEvent.occurred_at, ApplicationEvent.key)
        .where(ApplicationEvent.application_id == app_id)
        .order_by(ApplicationEvent.occurred_at, ApplicationEvent.id))).all()
    return [ClockEvent(kind, at, key) for kind, at, key in rows]


async def turnaround_of(session: AsyncSession, app_id: uuid.UUID, as_of: date) -> Turnaround:
    return compute_turnaround(await clock_events(session, app_id), as_of)


async def record_turnaround(session: AsyncSession, app: Application, *,
                            decision_at: datetime) -> TurnaroundFigure:
    """Upsert the derived figure from the events (same events -> same row: idempotent)."""
    figure = await turnaround_of(session, app.id, brussels_date(decision_at))
    max_days = app.indicative_max_working_days or 0
    values = {"track": app.track or "standard", "authority": app.decision_authority or "delegated",
              "indicative_max_working_days": max_days, "working_days": figure.working_days,
              "within_max": figure.working_days <= max_days, "decided_at": decision_at,
              "computed_at": decision_at}
    last_decision = await session.scalar(
        select(Decision).where(Decision.application_id == app.id)
        .order_by(Decision.decided_at.desc()).limit(1))
    if last_decision is not None:
        values["authority"] = last_decision.authority
        values["decided_at"] = last_decision.decided_at
    await session.execute(
        insert(TurnaroundFigure).values(application_id=app.id, **values)
        .on_conflict_do_update(index_elements=[TurnaroundFigure.application_id], set_=values))
    return await session.get(TurnaroundFigure, app.id, populate_existing=True)


async def recompute_all_turnarounds(session: AsyncSession) -> int:
    """Recompute every decided application's figure from its events (idempotent)."""
    apps = (await session.scalars(
        select(Application).where(Application.decided_at.is_not(None))
        .order_by(Application.id))).all()
    for app in apps:
        await record_turnaround(session, app, decision_at=app.decided_at)
    return len(apps)


# ---------------------------------------------------------------- running clock of open cases

OPEN_STATUSES = sorted(state.value for state in workflow.OPEN_STATES)
# Rows per INSERT: 7 parameters each stays far below asyncpg's 32767-parameter limit.
UPSERT_CHUNK = 1000


def _open_and_routed():
    # Routing runs at submission, so every open case has a track; the guard only keeps a
    # hypothetical unrouted one out of the NOT NULL columns.
    return (Application.status.in_(OPEN_STATUSES), Application.track.is_not(None),
            Application.indicative_max_working_days.is_not(None))


async def forget_open_turnaround(session: AsyncSession, app_id: uuid.UUID) -> None:
    """A decided or withdrawn case stops counting as open at once (not at the next run)."""
    await session.execute(delete(OpenTurnaroundFigure)
                          .where(OpenTurnaroundFigure.application_id == app_id))


async def recompute_open_turnarounds(session: AsyncSession, today: date) -> int:
    """Store the running working-day clock of every open application as of `today`
    (Europe/Brussels) from its events, and drop the rows of cases no longer open.

    Idempotent: the same events on the same day give the same rows, and an unchanged row is
    not even rewritten. The open applications are locked FOR SHARE for the run, so a decision
    or withdrawal cannot commit between reading the case as open and storing its row (it
    waits, then removes the row itself)."""
    apps = (await session.execute(
        select(Application.id, Application.track, Application.indicative_max_working_days)
        .where(*_open_and_routed()).order_by(Application.id)
        .with_for_update(read=True, of=Application))).all()
    await session.execute(delete(OpenTurnaroundFigure).where(
        OpenTurnaroundFigure.application_id.not_in(
            select(Application.id).where(*_open_and_routed()))))
    events: dict[uuid.UUID, list[ClockEvent]] = defaultdict(list)
    rows = await session.execute(
        select(ApplicationEvent.application_id, ApplicationEvent.kind,
               ApplicationEvent.occurred_at, ApplicationEvent.key)
        .join(Application, Application.id == ApplicationEvent.application_id)
        .where(*_open_and_routed())
        # The clock sorts stably by time: ties keep the order they were recorded in.
        .order_by(ApplicationEvent.application_id, ApplicationEvent.occurred_at,
                  ApplicationEvent.id))
    for app_id, kind, at, key in rows:
        events[app_id].append(ClockEvent(kind, at, key))
    figures = []
    for app_id, track, max_days in apps:
        clock = compute_turnaround(events[app_id], today)
        figures.append({"application_id": app_id, "track": track,
                        "indicative_max_working_days": max_days,
                        "working_days": clock.working_days,
                        "paused_working_days": clock.paused_working_days,
                        "past_max": clock.working_days > max_days, "as_of": today})
    for start in range(0, len(figures), UPSERT_CHUNK):
        await _upsert_open_figures(session, figures[start:start + UPSERT_CHUNK])
    return len(figures)


async def _upsert_open_figures(session: AsyncSession, figures: list[dict]) -> None:
    stmt = insert(OpenTurnaroundFigure).values(figures)
    columns = [name for name in figures[0] if name != "application_id"]
    table = OpenTurnaroundFigure.__table__
    await session.execute(stmt.on_conflict_do_update(
        index_elements=[OpenTurnaroundFigure.application_id],
        set_={name: stmt.excluded[name] for name in columns},
        where=tuple_(*(table.c[name] for name in columns)).is_distinct_from(
            tuple_(*(stmt.excluded[name] for name in columns)))))
