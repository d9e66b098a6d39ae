"""The disaster-fund app: `uvicorn --factory disaster_fund.main:create_app`."""

from pathlib import Path

from fastapi import FastAPI

from dkbuza_kit.app import create_app as build_app
from disaster_fund.kpis import compute_kpis
from disaster_fund.settings import DisasterFundSettings

ALEMBIC_INI = Path(__file__).resolve().parents[2] / "alembic.ini"


def create_app(settings: DisasterFundSettings | None = None) -> FastAPI:
    return build_app(
        settings or DisasterFundSettings(),
        title="Disaster Fund (Vlaams Rampenfonds)",
        routers=[],
        kpi_provider=compute_kpis,
        kpi_reader_roles=('vrf.handler', 'vrf.manager'),
        alembic_ini=ALEMBIC_INI,
    )
