"""The disaster-fund app: `uvicorn --factory disaster_fund.main:create_app`."""

from pathlib import Path

from fastapi import FastAPI

from disaster_fund.applications.router import router as applications_router
from disaster_fund.disasters.router import router as disasters_router
from disaster_fund.documents.router import application_documents
from disaster_fund.documents.router import letters
from disaster_fund.documents.router import report_documents
from disaster_fund.events import EVENT_READERS
from disaster_fund.events import EVENT_TYPES
from disaster_fund.exports.router import router as exports_router
from disaster_fund.kpis import compute_kpis
from disaster_fund.payments.router import recoveries_router
from disaster_fund.payments.router import router as payments_router
from disaster_fund.reports.router import router as reports_router
from disaster_fund.roles import HANDLER
from disaster_fund.roles import MANAGER
from disaster_fund.roles import MUNICIPALITY
from disaster_fund.rules.router import router as rules_router
from disaster_fund.settings import DisasterFundSettings
from dkbuza_kit.app import create_app as build_app

ALEMBIC_INI = Path(__file__).resolve().parents[2] / "alembic.ini"


def create_app(settings: DisasterFundSettings | None = None) -> FastAPI:
    return build_app(
        settings or DisasterFundSettings(),
        title="Disaster Fund (Vlaams Rampenfonds)",
        routers=[rules_router, disasters_router, reports_router, applications_router,
                 payments_router, recoveries_router, exports_router, application_documents,
                 report_documents, letters],
        kpi_provider=compute_kpis,
        kpi_reader_roles=(HANDLER, MANAGER),
        # Municipalities hear of their own dossiers and reports; the department of all.
        webhook_events=EVENT_TYPES,
        webhook_roles=(MUNICIPALITY, HANDLER, MANAGER),
        webhook_all_orgs_roles=(HANDLER, MANAGER),
        webhook_event_roles=EVENT_READERS,
        alembic_ini=ALEMBIC_INI,
    )
