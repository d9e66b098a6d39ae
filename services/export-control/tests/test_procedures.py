"""The procedures beside licences: each lifecycle, its audit and events, and its line in the
Parliament report; dates through the timeline rule."""

import pytest
from sqlalchemy import select

from dkbuza_kit.models import AuditEvent
from dkbuza_kit.models import OutboxEvent

from .conftest import COMPANY

CLOSE = {
    "preliminary_opinion": "positive", "written_confirmation": "no_licence_needed",
    "exemption": "granted",
}


async def _create(flow, **body):
    r = await flow.c.post("/v1/procedures", headers=flow.officer, json={
        "company_org": COMPANY, "subject": "Night-vision goggles, end user NO MoD",
        "requested_on": "2026-02-20"} | body)
    assert r.status_code == 201, r.text
    return r.json()


async def _move(flow, procedure, to, expect=200, **body):
    r = await flow.c.post(f"/v1/procedures/{procedure['id']}/transitions", headers=flow.officer,
                          json={"to": to, "on": "2026-03-01"} | body)
    assert r.status_code == expect, r.text
    return r.json()


@pytest.mark.parametrize("kind", sorted(CLOSE))
async def test_reviewed_procedures_close_with_an_outcome_and_count_in_parliament(flow, kind):
    row = await _create(flow, kind=kind)
    await _move(flow, row, "under_review")
    r = await _move(flow, row, "closed", expect=422)
    assert r["code"] == "PROCEDURE_INVALID"
    closed = await _move(flow, row, "closed", outcome=CLOSE[kind])
    assert (closed["status"], closed["outcome"], closed["closed_on"]) == (
        "closed", CLOSE[kind], "2026-03-01")
    r = await _move(flow, row, "under_review", expect=409)
    assert r["code"] == "ILLEGAL_TRANSITION" and r["entity"] == kind
    async with flow.h.sessionmaker() as session:
        steps = (await session.scalars(select(AuditEvent.to_state).where(
            AuditEvent.entity_type == "procedure", AuditEvent.entity_id == row["id"])
            .order_by(AuditEvent.id))).all()
        events = (await session.scalars(select(OutboxEvent.type).where(
            OutboxEvent.subject == row["id"]))).all()
    assert steps == ["requested", "under_review", "closed"]
    assert sorted(events) == ["procedure.closed", "procedure.requested",
                              "procedure.under_review"]
    report = await flow.report("parliament", period="2026-03")
    assert report["procedures"] == [{"kind": kind, "outcome": CLOSE[kind], "count": 1}]
    assert (await flow.report("parliament", period="2026-02"))["procedures"] == []


async def test_compliance_visit_planned_held_follow_up_closed(flow):
    visit = await _create(flow, kind="compliance_visit", due_on="2026-04-15")  # planned later
    r = await _move(flow, visit, "held", expect=422)
    assert r["code"] == "PROCEDURE_INVALID"  # findings required
    held = await _move(flow, visit, "held", findings="Stock records incomplete")
    assert (held["held_on"], held["findings"]) == ("2026-03-01", "Stock records incomplete")
    await _move(flow, visit, "follow_up", follow_up="Second visit in June", on="2026-02-28",
                expect=422)  # before the visit was held
    await _move(flow, visit, "follow_up", follow_up="Second visit in June")
    done = await _move(flow, visit, "closed", outcome="findings_remedied")
    assert done["status"] == "closed"


async def test_verification_request_with_reply_target(flow):
    row = await _create(flow, kind="verification_request", due_on="2026-03-20")
    assert row["due_on"] == "2026-03-20"
    await _move(flow, row, "closed", outcome="confirmed")


@pytest.mark.parametrize(("body", "code"), [
    ({"requested_on": "2026-03-05"}, "DATE_IN_FUTURE"),
    ({"due_on": "2026-02-01"}, "DATE_BEFORE_ORIGIN"),
    ({"requested_on": "1800-01-01"}, "VALIDATION_ERROR"),
    ({"kind": "licence_extension"}, "PROCEDURE_INVALID"),
])
async def test_procedure_dates_and_requirements(flow, body, code):
    r = await flow.c.post("/v1/procedures", headers=flow.officer, json={
        "kind": "exemption", "company_org": COMPANY, "subject": "x",
        "requested_on": "2026-02-20"} | body)
    assert (r.status_code, r.json()["code"]) == (422, code)
    assert (await flow.c.get("/v1/procedures", headers=flow.officer)).json()["total"] == 0


async def test_licence_extension_moves_the_end_date_within_the_maximum(flow):
    licence = await flow.granted_licence()
    row = await _create(flow, kind="licence_extension", licence_id=licence["id"],
                        requested_on="2026-03-02", due_on="2099-01-01")
    await _move(flow, row, "under_review", on="2026-03-02")
    r = await _move(flow, row, "closed", outcome="granted", on="2026-03-02", expect=422)
    assert r["code"] == "INVALID_VALIDITY"
    row = await _create(flow, kind="licence_extension", licence_id=licence["id"],
                        requested_on="2026-03-02", due_on="2029-01-31")
    await _move(flow, row, "under_review", on="2026-03-02")
    await _move(flow, row, "closed", outcome="granted", on="2026-03-02")
    r = await flow.c.get(f"/v1/licences/{licence['id']}", headers=flow.officer)
    assert r.json()["valid_until"] == "2029-01-31"
    # The company sees its own procedures only.
    other = flow.h.headers("csg.applicant", org="0987654321", sub="other")
    assert (await flow.c.get("/v1/procedures", headers=other)).json()["total"] == 0
    assert (await flow.c.get("/v1/procedures", headers=flow.applicant)).json()["total"] == 2
