"""The one place where a dossier's state changes (`change_state`), keeping the event
table, the audit trail, the turnaround columns and the completion facts in step."""

import uuid
from datetime import date
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from disaster_fund import turnaround
from disaster_fund.applications.journal import log_event
from disaster_fund.applications.models import Application
from disaster_fund.applications.pauses import close_open_pause
from disaster_fund.applications.pauses import open_pause
from disaster_fund.stats.models import PhaseDurationStats
from disaster_fund.workflow import PHASE_OF_STATE
from disaster_fund.workflow import TERMINAL_APPLICATION_STATES
from disaster_fund.workflow import ApplicationState
from disaster_fund.workflow import ensure_application_transition
from dkbuza_kit.audit import emit_event
from dkbuza_kit.calendar import brussels_date

A = ApplicationState


# States in which the applicant is the one who must act: the clock pauses automatically.
AUTO_PAUSES = {A.waiting_for_documents: turnaround.PauseReason.waiting_for_documents,
               A.report_sent: turnaround.PauseReason.report_with_applicant}


async def change_state(session: AsyncSession, application: Application, target: ApplicationState,
                       *, actor: str, at: datetime, reason: str | None = None,
                       data: dict | None = None) -> None:
    current = ApplicationState(application.state)
    ensure_application_transition(current, target)
    if current in AUTO_PAUSES or target in TERMINAL_APPLICATION_STATES:
        await close_open_pause(session, application, at)
    application.state = target.value
    application.state_changed_at = at
    application.version += 1
    phase = PHASE_OF_STATE[target]
    new_phase = phase.value if phase else None
    if new_phase != application.phase:
        await record_phase_exit(session, application, at)
        application.phase = new_phase
        application.phase_entered_at = at if new_phase else None
        application.phase_paused_days = 0
    if target in AUTO_PAUSES:
        await close_open_pause(session, application, at)  # an explicit pause gives way
        await open_pause(session, application, AUTO_PAUSES[target].value, at, actor)
    await log_event(session, application, "transition", current.value, target.value, actor, at,
               reason, data)
    await emit_event(session, f"application.{target.value}", subject=application.id,
                     data={"from_state": current.value}, org=application.applicant_org)


async def record_phase_exit(session: AsyncSession, application: Application, at: datetime) -> None:
    """Add the phase just left to the per-phase lead-time sums (gross and net of pauses)."""
    if application.phase is None or application.phase_entered_at is None:
        return
    entered = brussels_date(application.phase_entered_at)
    left = brussels_date(at)
    gross = max(0, (left - entered).days)
    open_days = 0
    if application.open_pause_started_at is not None:
        open_days = max(0, (left - max(entered, brussels_date(application.open_pause_started_at))).days)
    net = gross - application.phase_paused_days - open_days
    stmt = pg_insert(PhaseDurationStats).values(
        disaster_id=application.disaster_id, phase=application.phase, spans=1,
        gross_days_sum=gross, net_days_sum=net)
    await session.execute(stmt.on_conflict_do_update(
        index_elements=[PhaseDurationStats.disaster_id, PhaseDurationStats.phase],
        set_={"spans": PhaseDurationStats.spans + 1,
              "gross_days_sum": PhaseDurationStats.gross_days_sum + gross,
              "net_days_sum": PhaseDurationStats.net_days_sum + net}))


def complete(application: Application, kind: str, on: date) -> None:
    """Record the KPI's completion once; later appeals or recoveries never un-complete."""
    if application.completed_on is not None:
        return
    application.completed_on = on
    application.completion_kind = kind
    application.completed_on_time = on <= application.one_year_mark
    gross = (on - application.received_on).days
    open_days = 0
    if application.open_pause_started_at is not None:
        open_days = max(0, (on - brussels_date(application.open_pause_started_at)).days)
    application.lead_gross_days = gross
    application.lead_net_days = gross - application.paused_days - open_days


async def lock_in_order(session: AsyncSession, ids: list[uuid.UUID]) -> None:
    """Lock many dossiers in id order before changing them (no deadlock with single changes,
    which lock one dossier and then its disaster's stats row)."""
    await session.execute(select(Application.id).where(Application.id.in_(ids))
                          .order_by(Application.id).with_for_update())
