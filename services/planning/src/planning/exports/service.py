"""The status overview rows (same filters and counts as `GET /v1/initiatives`)."""

from collections.abc import AsyncIterator
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from planning.plans.filters import InitiativeFilters
from planning.plans.filters import initiatives_query
from planning.plans.models import Initiative

HEADER = ["code", "title", "kind", "operational_goal", "strategic_goal", "policy_field",
          "owner_team", "status", "explanation", "corrective_action", "reported_at"]


def _row(mapping) -> list[Any]:
    initiative: Initiative = mapping[Initiative]
    return [initiative.code, initiative.title, initiative.kind, mapping["od_code"],
            mapping["sd_code"], mapping["pf_number"], initiative.owner_team,
            mapping["status"], mapping["explanation"], mapping["corrective_action"],
            mapping["reported_at"]]


async def status_overview_rows(session: AsyncSession, filters: InitiativeFilters,
                               today: date) -> AsyncIterator[list[Any]]:
    """Rows streamed from a server-side cursor in chunks, so memory stays flat."""
    result = await session.stream(initiatives_query(filters, today)
                                  .execution_options(yield_per=500))
    async for mapping in result.mappings():
        yield _row(mapping)
