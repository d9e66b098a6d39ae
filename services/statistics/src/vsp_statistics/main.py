"""The statistics app: `uvicorn --factory vsp_statistics.main:create_app`."""

from pathlib import Path

from fastapi import FastAPI

from dkbuza_kit.app import create_app as build_app
from vsp_statistics.collaborations.router import router as collaborations_router
from vsp_statistics.consultations.router import router as consultations_router
from vsp_statistics.events import EVENT_READERS
from vsp_statistics.events import EVENT_TYPES
from vsp_statistics.kpis import compute_kpis
from vsp_statistics.network.router import router as network_router
from vsp_statistics.official_statistics.public_router import router as public_statistics_router
from vsp_statistics.official_statistics.router import router as statistics_router
from vsp_statistics.quality.router import router as quality_router
from vsp_statistics.release_calendar.router import router as calendar_router
from vsp_statistics.releases.public_router import router as public_releases_router
from vsp_statistics.releases.router import router as releases_router
from vsp_statistics.roles import ENTITY
from vsp_statistics.roles import STAFF
from vsp_statistics.settings import VspStatisticsSettings
from vsp_statistics.work_programmes.router import router as work_programmes_router

ALEMBIC_INI = Path(__file__).resolve().parents[2] / "alembic.ini"

DESCRIPTION = """Vlaams Statistisch Programma 2025-2029: the VSP list of official statistics,
objectives, work programmes, the public release calendar with punctuality, Code of Practice
self-assessments, RVOS consultations and collaboration projects.

Public (no token; official statistics are public open data): the release calendar
(`/v1/calendar`), the VSP list with its datasets and list changes (`/v1/official-statistics`),
the releases with their approved reschedules and change log (`/v1/releases`). Only public
fields: user ids, pre-release access lists and pending change requests stay behind a token.
Everything else needs a bearer token with `vsa.staff`, `sv.entity` (org = network entity
code) or `kpi.reader`."""


def create_app(settings: VspStatisticsSettings | None = None) -> FastAPI:
    return build_app(
        settings or VspStatisticsSettings(),
        title="Statistics (Vlaams Statistisch Programma)",
        description=DESCRIPTION,
        routers=[network_router, statistics_router, work_programmes_router, releases_router,
                 quality_router, consultations_router, collaborations_router],
        public_routers=[calendar_router, public_statistics_router, public_releases_router],
        kpi_provider=compute_kpis,
        kpi_reader_roles=(STAFF,),
        webhook_events=EVENT_TYPES,
        webhook_roles=(STAFF, ENTITY),
        webhook_event_roles=EVENT_READERS,
        alembic_ini=ALEMBIC_INI,
    )
