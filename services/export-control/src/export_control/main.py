"""The export-control app: `uvicorn --factory export_control.main:create_app`."""

from pathlib import Path

from fastapi import FastAPI

from dkbuza_kit.app import create_app as build_app
from export_control.kpis import compute_kpis
from export_control.settings import ExportControlSettings

ALEMBIC_INI = Path(__file__).resolve().parents[2] / "alembic.ini"


def create_app(settings: ExportControlSettings | None = None) -> FastAPI:
    return build_app(
        settings or ExportControlSettings(),
        title="Export Control (strategic goods)",
        routers=[],
        kpi_provider=compute_kpis,
        kpi_reader_roles=('csg.officer', 'csg.head', 'csg.minister'),
        alembic_ini=ALEMBIC_INI,
    )
