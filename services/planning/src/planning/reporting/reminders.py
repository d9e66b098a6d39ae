"""Reminders before a period's reporting deadline: each team with unreported initiatives gets
one `period.reminder` event per period (`period_reminders` keeps who was reminded)."""

from datetime import date
from datetime import timedelta

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from dkbuza_kit.audit import emit_event
from dkbuza_kit.clock import Clock
from dkbuza_kit.clock import today_brussels
from planning.plans.models import Initiative
from planning.reporting.models import PeriodReminder
from planning.reporting.models import ReportingPeriod
from planning.reporting.models import StatusReport

UNASSIGNED = ""  # initiatives without an owner team: the reminder goes to the coordinators


def in_reminder_window(deadline: date, today: date, days_before: int) -> bool:
    """From `days_before` days before the deadline up to the deadline itself (pure)."""
    return deadline - timedelta(days=days_before) <= today <= deadline


async def _unreported_by_team(session: AsyncSession, period: ReportingPeriod
                              ) -> dict[str, list[str]]:
    reported = select(StatusReport.id).where(StatusReport.initiative_id == Initiative.id,
                                             StatusReport.period_id == period.id)
    rows = (await session.execute(
        select(func.coalesce(Initiative.owner_team, UNASSIGNED), Initiative.code)
        .where(Initiative.plan_id == period.plan_id, Initiative.archived.is_(False),
               ~reported.exists())
        .order_by(Initiative.owner_team, Initiative.code))).all()
    teams: dict[str, list[str]] = {}
    for team, code in rows:
        teams.setdefault(team, []).append(code)
    return teams


async def send_reminders(session: AsyncSession, clock: Clock, days_before: int) -> int:
    """Remind every team not yet reminded for an open period in its window; how many sent."""
    today = today_brussels(clock)
    periods = (await session.scalars(select(ReportingPeriod).where(
        ReportingPeriod.closed.is_(False)).order_by(ReportingPeriod.id))).all()
    sent = 0
    for period in periods:
        if not in_reminder_window(period.report_deadline, today, days_before):
            continue
        for team, codes in (await _unreported_by_team(session, period)).items():
            claimed = await session.scalar(
                insert(PeriodReminder).values(period_id=period.id, team=team,
                                              initiatives=len(codes), sent_at=clock.now())
                .on_conflict_do_nothing(index_elements=["period_id", "team"])
                .returning(PeriodReminder.id))
            if claimed is None:
                continue  # this team was reminded for this period already
            await emit_event(session, "period.reminder", subject=period.id, data={
                "period": period.code, "report_deadline": period.report_deadline.isoformat(),
                "team": team or None, "initiatives": codes})
            sent += 1
    return sent
