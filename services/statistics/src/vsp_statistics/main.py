"""The statistics app: `uvicorn --factory vsp_statistics.main:create_app`."""

from pathlib import Path

from fastapi import FastAPI

from dkbuza_kit.app import create_app as build_app
from vsp_statistics.kpis import compute_kpis
from vsp_statistics.settings import VspStatisticsSettings

ALEMBIC_INI = Path(__file__).resolve().parents[2] / "alembic.ini"


def create_app(settings: VspStatisticsSettings | None = None) -> FastAPI:
    return build_app(
        settings or VspStatisticsSettings(),
        title="Statistics (Vlaams Statistisch Programma)",
        routers=[],
        kpi_provider=compute_kpis,
        kpi_reader_roles=('vsa.staff',),
        alembic_ini=ALEMBIC_INI,
    )
