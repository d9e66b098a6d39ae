"""The planning app: `uvicorn --factory planning.main:create_app`."""

from pathlib import Path

from fastapi import FastAPI

from dkbuza_kit.app import create_app as build_app
from planning.amendments.router import router as amendments_router
from planning.audits.router import router as audits_router
from planning.events import EVENT_READERS
from planning.events import EVENT_TYPES
from planning.exports.router import router as exports_router
from planning.feedback.router import router as feedback_router
from planning.indicators.router import router as indicators_router
from planning.kpis import compute_kpis
from planning.plans.router import router as plans_router
from planning.reporting.router import router as reporting_router
from planning.resources.router import router as resources_router
from planning.reviews.router import router as reviews_router
from planning.roles import MANAGER
from planning.roles import READER
from planning.roles import REPORTER
from planning.settings import PlanningSettings

ALEMBIC_INI = Path(__file__).resolve().parents[2] / "alembic.ini"


def create_app(settings: PlanningSettings | None = None) -> FastAPI:
    return build_app(
        settings or PlanningSettings(),
        title="Planning (ondernemingsplan)",
        description="The department's business plan: goals, initiatives, status reports, KPIs.",
        routers=[plans_router, amendments_router, reporting_router, feedback_router,
                 indicators_router, audits_router, reviews_router, exports_router,
                 resources_router],
        kpi_provider=compute_kpis,
        kpi_reader_roles=(READER, REPORTER, MANAGER),
        webhook_events=EVENT_TYPES,
        webhook_roles=(MANAGER,),
        webhook_event_roles=EVENT_READERS,
        alembic_ini=ALEMBIC_INI,
    )
