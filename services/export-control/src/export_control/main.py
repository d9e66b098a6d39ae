"""The export-control app: `uvicorn --factory export_control.main:create_app`."""

from pathlib import Path

from fastapi import FastAPI

from dkbuza_kit.app import create_app as build_app
from export_control.applications.router import router as applications_router
from export_control.casework.router import router as casework_router
from export_control.compliance.router import router as compliance_router
from export_control.customs.router import router as customs_router
from export_control.documents.router import application_documents
from export_control.documents.router import licence_documents
from export_control.documents.router import router as documents_router
from export_control.embargoes.router import router as embargoes_router
from export_control.events import EVENT_READERS
from export_control.events import EVENT_TYPES
from export_control.kpis import compute_kpis
from export_control.licences.router import router as licences_router
from export_control.procedures.router import router as procedures_router
from export_control.reports.router import router as reports_router
from export_control.roles import APPLICANT
from export_control.roles import CUSTOMS
from export_control.roles import INTERNAL
from export_control.routing.router import router as routing_router
from export_control.screening.router import router as screening_router
from export_control.settings import ExportControlSettings

ALEMBIC_INI = Path(__file__).resolve().parents[2] / "alembic.ini"

ROUTERS = [documents_router, casework_router, applications_router, routing_router,
           screening_router, licences_router, customs_router, compliance_router, reports_router,
           embargoes_router, procedures_router, application_documents, licence_documents]


def create_app(settings: ExportControlSettings | None = None) -> FastAPI:
    return build_app(
        settings or ExportControlSettings(),
        title="Export Control (strategic goods)",
        description="Licensing of military goods and dual-use items (dCSG): applications, "
                    "screening, decisions, licences, the customs ledger, company reports, "
                    "enforcement and the mandatory reports.",
        routers=ROUTERS,
        kpi_provider=compute_kpis,
        kpi_reader_roles=INTERNAL,
        webhook_events=EVENT_TYPES,
        webhook_roles=(APPLICANT, *INTERNAL, CUSTOMS),
        # Customs must hear of every suspension and revocation, whoever holds the licence,
        # and of nothing else (EVENT_READERS).
        webhook_all_orgs_roles=(CUSTOMS,),
        webhook_event_roles=EVENT_READERS,
        alembic_ini=ALEMBIC_INI,
    )
