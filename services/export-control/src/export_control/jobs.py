"""Scheduled jobs of the export-control worker (registered on `worker.registry`)."""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from dkbuza_kit.clock import Clock, today_brussels
from dkbuza_kit.jobs import TaskRegistry
from export_control.compliance.service import mark_overdue_reports
from export_control.licences.service import expire_licences

registry = TaskRegistry()


@registry.every("licence-expiry", 3600)
async def licence_expiry(session: AsyncSession, payload: dict[str, Any], clock: Clock) -> None:
    """Licences past their end date (Europe/Brussels) become expired; customs is told."""
    await expire_licences(session, today_brussels(clock))


@registry.every("overdue-transaction-reports", 3600)
async def overdue_transaction_reports(session: AsyncSession, payload: dict[str, Any],
                                      clock: Clock) -> None:
    """Missing transaction reports become overdue, then infringement cases after the grace."""
    await mark_overdue_reports(session, today_brussels(clock), clock.now())
