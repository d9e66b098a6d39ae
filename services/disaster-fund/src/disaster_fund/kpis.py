"""KPIs of the disaster-fund service, computed in SQL."""

from sqlalchemy.ext.asyncio import AsyncSession

from dkbuza_kit.clock import Clock
from dkbuza_kit.kpis import Kpi


async def compute_kpis(session: AsyncSession, clock: Clock) -> list[Kpi]:
    return []
