"""The planning app: `uvicorn --factory planning.main:create_app`."""

from pathlib import Path

from fastapi import FastAPI

from dkbuza_kit.app import create_app as build_app
from planning.kpis import compute_kpis
from planning.settings import PlanningSettings

ALEMBIC_INI = Path(__file__).resolve().parents[2] / "alembic.ini"


def create_app(settings: PlanningSettings | None = None) -> FastAPI:
    return build_app(
        settings or PlanningSettings(),
        title="Planning (ondernemingsplan)",
        routers=[],
        kpi_provider=compute_kpis,
        kpi_reader_roles=('planning.reader', 'planning.reporter', 'planning.manager'),
        alembic_ini=ALEMBIC_INI,
    )
