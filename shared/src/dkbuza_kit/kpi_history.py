"""KPI endpoints and their history: `GET /v1/kpis`, `GET /v1/kpis/history`, the daily snapshot
job that writes the history, and the Prometheus collector that computes gauges at scrape time.
"""

from collections.abc import Callable
from datetime import date
from datetime import datetime
from datetime import timedelta
from typing import Annotated
from typing import Any

import structlog
from fastapi import APIRouter
from fastapi import Depends
from fastapi import Query
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from pydantic import BaseModel
from sqlalchemy import Date
from sqlalchemy import DateTime
from sqlalchemy import Float
from sqlalchemy import String
from sqlalchemy import UniqueConstraint
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from dkbuza_kit.auth import Principal
from dkbuza_kit.auth import require_roles
from dkbuza_kit.clock import Clock
from dkbuza_kit.clock import get_clock
from dkbuza_kit.clock import today_brussels
from dkbuza_kit.db import DbSession
from dkbuza_kit.db import KitBase
from dkbuza_kit.errors import KitErrors
from dkbuza_kit.errors import responses
from dkbuza_kit.jobs import TaskRegistry
from dkbuza_kit.kpis import Kpi
from dkbuza_kit.kpis import KpiPeriod
from dkbuza_kit.kpis import KpiProvider
from dkbuza_kit.kpis import KpiStatus
from dkbuza_kit.kpis import KpiUnit
from dkbuza_kit.timeline import check_period
from dkbuza_kit.types import BoundedDate

log = structlog.get_logger("dkbuza.kpis")
SNAPSHOT_TASK = "kpis-daily-snapshot"
SNAPSHOT_EVERY_SECONDS = 24 * 3600
HISTORY_MAX_DAYS = 3660


class KpiSnapshot(KitBase):
    """One KPI as computed on one day (Brussels); the last run of the day wins."""

    __tablename__ = "kpi_snapshots"
    __table_args__ = (UniqueConstraint("kpi_id", "taken_on"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    kpi_id: Mapped[str] = mapped_column(String(200), nullable=False)
    taken_on: Mapped[date] = mapped_column(Date, nullable=False)
    value: Mapped[float | None] = mapped_column(Float)
    target: Mapped[float | None] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(20), nullable=False)
    unit: Mapped[str] = mapped_column(String(20), nullable=False)
    period: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class KpiSnapshotOut(BaseModel):
    kpi_id: str
    taken_on: date
    value: float | None
    target: float | None
    status: KpiStatus
    unit: KpiUnit
    period: KpiPeriod
    computed_at: datetime


async def take_snapshot(session: AsyncSession, provider: KpiProvider, clock: Clock) -> int:
    """Write today's figures (one row per KPI, replacing an earlier run of the same day)."""
    figures = await provider(session, clock)
    taken_on = today_brussels(clock)
    for figure in figures:
        values = {"kpi_id": figure.id, "taken_on": taken_on, "value": figure.value,
                  "target": figure.target, "status": figure.status.value,
                  "unit": figure.unit.value, "period": figure.period.model_dump(mode="json"),
                  "computed_at": figure.computed_at}
        stmt = insert(KpiSnapshot).values(**values)
        await session.execute(stmt.on_conflict_do_update(
            index_elements=["kpi_id", "taken_on"],
            set_={key: stmt.excluded[key] for key in values if key not in ("kpi_id", "taken_on")}))
    return len(figures)


def register_kpi_snapshot_task(registry: TaskRegistry, provider: KpiProvider) -> None:
    @registry.every(SNAPSHOT_TASK, SNAPSHOT_EVERY_SECONDS)
    async def snapshot_kpis(session: AsyncSession, payload: dict[str, Any], clock: Clock) -> None:
        count = await take_snapshot(session, provider, clock)
        log.info("kpi_snapshot_taken", kpis=count)


def kpi_router(provider: KpiProvider, *, reader_roles: tuple[str, ...]) -> APIRouter:
    """`GET /v1/kpis` (computed now, in SQL) and `GET /v1/kpis/history` (daily snapshots)."""
    router = APIRouter(tags=["kpis"])
    allowed = require_roles("kpi.reader", *reader_roles)

    @router.get("/v1/kpis", response_model=list[Kpi], name="list-kpis",
                responses=responses(KitErrors.UNAUTHENTICATED, KitErrors.FORBIDDEN))
    async def list_kpis(
        session: DbSession,
        clock: Annotated[Clock, Depends(get_clock)],
        _: Annotated[Principal, Depends(allowed)],
    ) -> list[Kpi]:
        return await provider(session, clock)

    @router.get("/v1/kpis/history", response_model=list[KpiSnapshotOut], name="kpi-history",
                responses=responses(KitErrors.UNAUTHENTICATED, KitErrors.FORBIDDEN,
                                    KitErrors.VALIDATION_ERROR, KitErrors.PERIOD_INVERTED,
                                    KitErrors.VALUE_OUT_OF_RANGE))
    async def kpi_history(
        session: DbSession,
        clock: Annotated[Clock, Depends(get_clock)],
        _: Annotated[Principal, Depends(allowed)],
        id: Annotated[str | None, Query(max_length=200, description="one KPI id")] = None,
        from_: Annotated[BoundedDate | None, Query(alias="from")] = None,
        to: Annotated[BoundedDate | None, Query()] = None,
    ) -> list[KpiSnapshotOut]:
        """Daily snapshots, oldest first; `to` defaults to today, `from` to a year before it."""
        end = to or today_brussels(clock)
        start = from_ or end - timedelta(days=365)
        check_period("from", start, "to", end)
        if (end - start).days > HISTORY_MAX_DAYS:
            raise KitErrors.VALUE_OUT_OF_RANGE(
                f"at most {HISTORY_MAX_DAYS} days of history per request", field="from")
        stmt = (select(KpiSnapshot).where(KpiSnapshot.taken_on.between(start, end))
                .order_by(KpiSnapshot.taken_on, KpiSnapshot.kpi_id))
        if id is not None:
            stmt = stmt.where(KpiSnapshot.kpi_id == id)
        rows = (await session.scalars(stmt)).all()
        return [KpiSnapshotOut(kpi_id=r.kpi_id, taken_on=r.taken_on, value=r.value,
                               target=r.target, status=r.status, unit=r.unit,
                               period=KpiPeriod.model_validate(r.period),
                               computed_at=r.computed_at) for r in rows]

    return router


class KpiCollector(Collector):
    """Prometheus gauges `kpi_value{kpi}` computed when scraped, from a cache refreshed at most
    every `max_age` seconds (the scrape never waits on more than one computation)."""

    def __init__(self, service: str, provider: KpiProvider,
                 sessionmaker: async_sessionmaker[AsyncSession], clock: Callable[[], Clock],
                 max_age: float = 60.0) -> None:
        self.service = service
        self.provider = provider
        self.sessionmaker = sessionmaker
        self.clock = clock  # read at each refresh: tests replace the app's clock
        self.max_age = max_age
        self.figures: list[Kpi] = []
        self.refreshed_at: datetime | None = None

    async def refresh(self) -> None:
        clock = self.clock()
        now = clock.now()
        if self.refreshed_at and (now - self.refreshed_at).total_seconds() < self.max_age:
            return
        try:
            async with self.sessionmaker() as session:
                self.figures = await self.provider(session, clock)
            self.refreshed_at = now
        except Exception as exc:  # a scrape shows the last figures rather than failing
            log.warning("kpi_collector_refresh_failed", error_type=type(exc).__name__)

    def collect(self):
        gauge = GaugeMetricFamily("kpi_value", "KPI value (computed at scrape time, cached)",
                                  labels=["service", "kpi", "unit"])
        for figure in self.figures:
            if figure.value is not None:
                gauge.add_metric([self.service, figure.id, figure.unit.value], figure.value)
        yield gauge
