"""Scheduled tasks of the disaster fund (registered on the worker's registry)."""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from disaster_fund.applications import service as applications
from dkbuza_kit.clock import Clock
from dkbuza_kit.jobs import TaskRegistry


def register(registry: TaskRegistry) -> TaskRegistry:
    @registry.task(applications.DEEMED_ACCEPTANCE_TASK)
    async def deemed_acceptance(session: AsyncSession, payload: dict[str, Any], clock: Clock) -> None:
        """Expert report not reacted to within the term: accepted, actor `system`."""
        await applications.deem_report_accepted(session, payload, clock)

    @registry.task(applications.FINALITY_TASK)
    async def decision_finality(session: AsyncSession, payload: dict[str, Any], clock: Clock) -> None:
        """Decision received 1 month ago without appeal or rectification: final."""
        await applications.finalise_after_term(session, payload, clock)

    return registry
