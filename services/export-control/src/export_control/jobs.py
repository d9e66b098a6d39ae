"""Scheduled jobs of the export-control worker (registered on `worker.registry`)."""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from dkbuza_kit.clock import Clock
from dkbuza_kit.clock import today_brussels
from dkbuza_kit.jobs import TaskRegistry
from export_control.applications.figures import recompute_open_turnarounds
from export_control.compliance.service import mark_overdue_reports
from export_control.licences.service import expire_licences

registry = TaskRegistry()

# Enqueue this task name (`dkbuza_kit.jobs.enqueue`) to recompute on demand.
OPEN_TURNAROUND_TASK = "open-turnaround"


@registry.every("licence-expiry", 3600)
async def licence_expiry(session: AsyncSession, payload: dict[str, Any], clock: Clock) -> None:
    """Licences past their end date (Europe/Brussels) become expired; customs is told."""
    await expire_licences(session, today_brussels(clock))


@registry.every("overdue-transaction-reports", 3600)
async def overdue_transaction_reports(session: AsyncSession, payload: dict[str, Any],
                                      clock: Clock) -> None:
    """Missing transaction reports become overdue, then infringement cases after the grace."""
    await mark_overdue_reports(session, today_brussels(clock), clock.now())


@registry.every(OPEN_TURNAROUND_TASK, 24 * 3600)
async def open_turnaround(session: AsyncSession, payload: dict[str, Any], clock: Clock) -> None:
    """Daily: the working days each open application has run as of today (Europe/Brussels),
    against its track's indicative maximum (`open_turnaround_figures`, read by the KPI
    `open_past_indicative_max`)."""
    await recompute_open_turnarounds(session, today_brussels(clock))
