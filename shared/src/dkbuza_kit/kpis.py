"""The KPI contract shared by every service (`GET /v1/kpis`) and the status rule."""

from collections.abc import Awaitable, Callable
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from dkbuza_kit.auth import Principal, require_roles
from dkbuza_kit.clock import Clock, get_clock
from dkbuza_kit.db import DbSession


class Direction(StrEnum):
    """Which way is good. Values (Dutch label): higher_is_better (hoger is beter),
    lower_is_better (lager is beter)."""

    higher_is_better = "higher_is_better"
    lower_is_better = "lower_is_better"


class KpiStatus(StrEnum):
    """Against the target. Values (Dutch label): met (gehaald), at_risk (in gevaar),
    missed (niet gehaald), no_data (geen gegevens)."""

    met = "met"
    at_risk = "at_risk"
    missed = "missed"
    no_data = "no_data"


class Kpi(BaseModel):
    id: str
    title_nl: str
    title_en: str
    unit: str
    value: float | None
    target: float | None
    direction: Direction
    status: KpiStatus
    period: str
    computed_at: datetime
    breakdown: list[dict[str, Any]] | None = None


def kpi_status(value: float | Decimal | None, target: float | Decimal | None,
               direction: Direction, *, at_risk_margin: float = 0.1) -> KpiStatus:
    """met when the target is reached; at_risk within `at_risk_margin` (relative) of it; else missed.

    Without a target there is nothing to miss: a value is `met`, no value is `no_data`.
    """
    if value is None:
        return KpiStatus.no_data
    if target is None:
        return KpiStatus.met
    value, target = float(value), float(target)
    margin = abs(target) * at_risk_margin
    if direction is Direction.higher_is_better:
        if value >= target:
            return KpiStatus.met
        return KpiStatus.at_risk if value >= target - margin else KpiStatus.missed
    if value <= target:
        return KpiStatus.met
    return KpiStatus.at_risk if value <= target + margin else KpiStatus.missed


def kpi(*, id: str, title_nl: str, title_en: str, unit: str, value: Any, target: Any,
        direction: Direction, period: str, computed_at: datetime,
        breakdown: list[dict[str, Any]] | None = None, at_risk_margin: float = 0.1) -> Kpi:
    """Build a KPI with its status derived from value, target and direction."""
    number = None if value is None else float(value)
    goal = None if target is None else float(target)
    return Kpi(id=id, title_nl=title_nl, title_en=title_en, unit=unit, value=number, target=goal,
               direction=direction,
               status=kpi_status(number, goal, direction, at_risk_margin=at_risk_margin),
               period=period, computed_at=computed_at, breakdown=breakdown)


KpiProvider = Callable[[Any, Clock], Awaitable[list[Kpi]]]


def kpi_router(provider: KpiProvider, *, reader_roles: tuple[str, ...]) -> APIRouter:
    """`GET /v1/kpis` for a service: its provider computes the figures in SQL."""
    router = APIRouter(tags=["kpis"])
    allowed = require_roles("kpi.reader", *reader_roles)

    @router.get("/v1/kpis", response_model=list[Kpi], name="list-kpis")
    async def list_kpis(
        session: DbSession,
        clock: Annotated[Clock, Depends(get_clock)],
        _: Annotated[Principal, Depends(allowed)],
    ) -> list[Kpi]:
        from dkbuza_kit.metrics import publish_kpis

        figures = await provider(session, clock)
        publish_kpis(figures)
        return figures

    return router
