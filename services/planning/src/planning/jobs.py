"""The planning worker's scheduled tasks, registered on one TaskRegistry.

`record-indicator-kpis` every 15 minutes: indicator measurements from other services' KPIs,
read through the gateway (`indicators/kpi_sync.py`).
`remind-unreported-teams` hourly: a `period.reminder` event per team that has not reported
within `reminder_days_before_deadline` days of a period's deadline (`reporting/reminders.py`).
"""

from collections.abc import Callable

import httpx

from dkbuza_kit.jobs import TaskRegistry
from planning.indicators.kpi_sync import gateway_fetcher
from planning.indicators.kpi_sync import record_kpi_measurements
from planning.reporting.reminders import send_reminders
from planning.settings import PlanningSettings

INDICATOR_KPIS_TASK = "record-indicator-kpis"
INDICATOR_KPIS_EVERY_S = 15 * 60
REMINDERS_TASK = "remind-unreported-teams"
REMINDERS_EVERY_S = 60 * 60


def build_registry(settings: Callable[[], PlanningSettings] = PlanningSettings,
                   transport: httpx.AsyncBaseTransport | None = None) -> TaskRegistry:
    """The worker's tasks; tests pass their own settings and a fake gateway transport."""
    tasks = TaskRegistry()

    @tasks.every(INDICATOR_KPIS_TASK, INDICATOR_KPIS_EVERY_S)
    async def record_indicator_kpis(session, payload, clock) -> None:
        await record_kpi_measurements(session, clock, gateway_fetcher(settings(), transport))

    @tasks.every(REMINDERS_TASK, REMINDERS_EVERY_S)
    async def remind_unreported_teams(session, payload, clock) -> None:
        await send_reminders(session, clock, settings().reminder_days_before_deadline)

    return tasks
