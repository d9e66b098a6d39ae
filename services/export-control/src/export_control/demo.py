"""Demo data: `python -m export_control.demo` (idempotent: a second run changes nothing).

Loads the sample sanctions list, one denial notice, and three applications of the demo
company (KBO 0123456789): a draft, a case under assessment, and a granted case whose licence
has one customs debit.
"""

import asyncio
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from decimal import Decimal
from importlib import resources

from sqlalchemy import select

from dkbuza_kit.auth import Principal
from dkbuza_kit.clock import today_brussels
from dkbuza_kit.dates import add_months
from dkbuza_kit.db import create_engine
from dkbuza_kit.db import create_sessionmaker
from dkbuza_kit.documents.service import store_document
from dkbuza_kit.documents.storage import DocumentStorage
from dkbuza_kit.documents.storage import storage_from_settings
from dkbuza_kit.letters import Letter
from dkbuza_kit.letters import render_pdf
from export_control.applications import decision as decisions
from export_control.applications import service as applications
from export_control.applications.models import Application
from export_control.applications.schemas import AdviceIn
from export_control.applications.schemas import ApplicationIn
from export_control.applications.schemas import DecisionIn
from export_control.customs import service as customs
from export_control.documents.checklist import evaluate_application
from export_control.documents.kinds import APPLICATION_KINDS
from export_control.documents.models import Document
from export_control.roles import APPLICANT
from export_control.roles import HEAD
from export_control.roles import OFFICER
from export_control.routing.service import active_rule_set
from export_control.screening.models import DenialNotice
from export_control.screening.models import SanctionsImport
from export_control.screening.service import activate_sanctions_list
from export_control.screening.service import import_sanctions_list
from export_control.settings import ExportControlSettings

DEMO_ORG = "0123456789"
OFFICE = Principal(sub="demo-loader", org="dkbuza",
                   roles=frozenset({OFFICER, HEAD, APPLICANT}))


class _Clock:
    def now(self) -> datetime:
        return datetime.now(UTC)


def _body(name: str, country: str, entry: str, value: str) -> ApplicationIn:
    return ApplicationIn.model_validate({
        "application_type": "military_export", "applicant_name": "Demo Defence NV",
        "applicant_org": DEMO_ORG, "destination_country": country, "end_use": name,
        "lines": [{"description": name, "control_entry": entry, "quantity": "100",
                   "unit": "pieces", "value_eur": value}],
        "parties": [{"role": "end_user", "name": f"{country} Ministry of Defence",
                     "address": "Capital", "country": country, "euc_issuer": "MoD",
                     "euc_date": "2026-01-05", "euc_signatory": "Director",
                     "euc_no_re_export_clause": True}],
    })


async def _provide_documents(session, storage: DocumentStorage, app: Application,
                             now: datetime) -> None:
    """A demo PDF for every document the application still needs (as its company would
    attach them), so that it can be submitted."""
    for kind in (await evaluate_application(session, app)).missing:
        content = render_pdf(Letter(APPLICATION_KINDS[kind].label_nl, f"DEMO-{kind}",
                                    now.date(), [app.applicant_name or "Demo Defence NV"],
                                    [f"Demo document for: {app.end_use}"]))

        async def chunks(content=content):
            yield content

        await store_document(session, storage, Document, owner_type="application",
                             owner_id=str(app.id), owner_org=app.applicant_org,
                             kind=APPLICATION_KINDS[kind], filename=f"{kind}.pdf",
                             declared_type="application/pdf", chunks=chunks(), actor=OFFICE)


async def _advance(session, settings: ExportControlSettings, app: Application, targets,
                   now: datetime) -> None:
    for target in targets:
        if target == "submitted":
            await _provide_documents(session, storage_from_settings(settings), app, now)
        await applications.transition(session, app, target, principal=OFFICE, reason=None,
                                      settings=settings, now=now)


# A spread of cases for the reports, queues and KPIs: (destination, entry, type, value).
SPREAD = [("NO", "ML5.a", "military_export", "80000.00"),
          ("CH", "5A002.a.1", "dual_use_individual_export", "9000.00"),
          ("US", "ML10.a", "military_export", "1500000.00"),
          ("SA", "ML4.a", "military_export", "400000.00"),
          ("JP", "1C350.1", "dual_use_global_export", "12000.00"),
          ("TR", "5A002.a.1", "dual_use_individual_export", "30000.00"),
          ("FR", "ML15.a", "military_transfer_individual", "60000.00"),
          ("SG", "2B001", "dual_use_brokering", "45000.00")]
# How far each demo case goes along the workflow (cycled).
STEPS = [(), ("submitted",), ("submitted", "completeness_check"),
         ("submitted", "completeness_check", "under_assessment"), ("withdrawn",)]


async def _many(session, settings: ExportControlSettings, now: datetime, count: int = 100):
    """`count` further applications across destinations, types, tracks and states."""
    for number in range(count):
        country, entry, kind, value = SPREAD[number % len(SPREAD)]
        body = _body(f"Demo case {number + 1}", country, entry, value)
        body = ApplicationIn.model_validate(body.model_dump(mode="json")
                                            | {"application_type": kind})
        app = await applications.create_draft(session, body, OFFICE, now)
        await _advance(session, settings, app, STEPS[number % len(STEPS)], now)


async def load(settings: ExportControlSettings) -> None:
    engine = create_engine(settings.database_url, pool_size=1, max_overflow=0)
    now = _Clock().now()
    today = today_brussels(_Clock())
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            await active_rule_set(session)
            if await session.scalar(select(SanctionsImport.id).limit(1)) is None:
                sample = resources.files("export_control").joinpath("data/sanctions-sample.xml")
                uploaded = await import_sanctions_list(session, sample.read_bytes(), actor="demo",
                                                       now=now)
                await activate_sanctions_list(session, uploaded.id, actor="demo-head",
                                              confirm_shrink=False, shrink_alert_pct=100, now=now)
            if await session.scalar(select(DenialNotice.id).limit(1)) is None:
                session.add(DenialNotice(
                    notifying_state="DE", notice_reference="DE-DEMO-0001",
                    denied_party_name="Bergen Optronics AS", party_country="NO",
                    control_entry="ML5.a", issued_on=add_months(today, -12),
                    description="Demo denial notice"))
            if await session.scalar(select(Application.id).where(
                    Application.applicant_org == DEMO_ORG).limit(1)) is not None:
                return  # already loaded
            await applications.create_draft(session, _body("Spare parts (draft)", "NO", "ml5a",
                                                           "12000.00"), OFFICE, now)
            assessed = await applications.create_draft(
                session, _body("Thermal sights", "CH", "ML5.a", "250000.00"), OFFICE, now)
            granted = await applications.create_draft(
                session, _body("Radar components", "NL", "ml11a", "90000.00"), OFFICE, now)
            for app in (assessed, granted):
                await _advance(session, settings, app,
                               ("submitted", "completeness_check", "under_assessment"), now)
            subjects = [("line", line.id) for line in granted.lines] + [
                ("party", party.id) for party in granted.parties]
            for kind, subject_id in subjects:
                await applications.add_advice(session, granted, AdviceIn(
                    subject_type=kind, subject_id=subject_id, recommendation="approve"),
                    actor=OFFICE.sub, now=now)
            await _advance(session, settings, granted, ("advice_given", "countersigned"), now)
            await _many(session, settings, now)
            _, licence = await decisions.decide(
                session, granted, DecisionIn(outcome="granted"), principal=OFFICE,
                settings=settings, now=now + timedelta(seconds=1))
            assert licence is not None
            await customs.debit(session, licence_number=licence.number, line_no=1,
                                mrn=f"{now:%y}BE00000000000001", item_number=1,
                                quantity=Decimal("10"), value=Decimal("9000.00"),
                                actor="demo-customs", settings=settings, today=today, now=now)
    finally:
        await engine.dispose()


if __name__ == "__main__":
    asyncio.run(load(ExportControlSettings()))
