"""Recording the past: historic applications and decisions, all or nothing, behind csg.head,
dates through the timeline rule; the turnaround figures cover them."""

from sqlalchemy import func
from sqlalchemy import select

from dkbuza_kit.models import AuditEvent
from export_control.applications.models import Application
from export_control.applications.models import TurnaroundFigure

from .conftest import COMPANY
from .conftest import application_body


def historic(reference="CSG/2025/000017", **overrides):
    return application_body(applicant_org=COMPANY, reference=reference,
                            submitted_at="2025-03-03T09:00:00Z",
                            decided_at="2025-03-17T15:00:00Z", outcome="granted",
                            authority="delegated", track="standard") | overrides


async def _count(flow, model):
    async with flow.h.sessionmaker() as session:
        return await session.scalar(select(func.count()).select_from(model))


async def test_history_import_records_decided_cases_with_their_turnaround(flow):
    url = "/v1/applications/history"
    batch = {"applications": [historic(), historic("CSG/2025/000018", outcome="refused",
                                                   refusal_criteria=[1])]}
    assert (await flow.c.post(url, headers=flow.officer, json=batch)).status_code == 403
    r = await flow.c.post(url, headers=flow.head, json=batch)
    assert r.status_code == 201, r.text
    assert [a["status"] for a in r.json()] == ["decided", "decided"]
    async with flow.h.sessionmaker() as session:
        days = (await session.scalars(select(TurnaroundFigure.working_days))).all()
        audit = await session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "history_imported"))
    assert days == [10, 10]  # 3..17 March 2025: ten working days after the day of submission
    assert audit == 3  # one per application and one for the batch
    r = await flow.c.post(url, headers=flow.head, json=batch)
    assert (r.status_code, r.json()["code"]) == (422, "HISTORY_INVALID")


async def test_history_import_is_all_or_nothing_and_checks_dates(flow):
    url = "/v1/applications/history"
    for bad, code in [
        (historic("CSG/2025/000019", decided_at="2025-03-01T09:00:00Z"),
         "DATE_BEFORE_PREDECESSOR"),
        (historic("CSG/2025/000019", decided_at="2027-01-01T09:00:00Z"), "DATE_IN_FUTURE"),
        (historic("CSG/2026/000001"), "HISTORY_INVALID"),  # this year's counter
        (historic("CSG/2025/000019", outcome="refused"), "REFUSAL_CRITERIA_REQUIRED"),
        (historic("CSG/2025/000019", submitted_at="1850-01-01T00:00:00Z"), "VALIDATION_ERROR"),
    ]:
        r = await flow.c.post(url, headers=flow.head,
                              json={"applications": [historic(), bad]})
        assert (r.status_code, r.json()["code"]) == (422, code), r.text
    assert await _count(flow, Application) == 0
