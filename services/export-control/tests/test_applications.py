"""Applications over HTTP: references, the transition table, drafts, information requests,
decisions, reopening, and who sees what."""

import asyncio
from datetime import UTC
from datetime import datetime

from sqlalchemy import select

from dkbuza_kit.models import AuditEvent

from .conftest import application_body


async def test_fifty_concurrent_submissions_get_consecutive_references(flow):
    drafts = [await flow.draft() for _ in range(50)]
    for d in drafts:
        await flow.provide_documents(d["id"])
    responses = await asyncio.gather(*[
        flow.c.post(f"/v1/applications/{d['id']}/transitions", json={"to": "submitted"},
                    headers=flow.applicant) for d in drafts])
    assert all(r.status_code == 200 for r in responses), [r.text for r in responses][:3]
    references = sorted(r.json()["reference"] for r in responses)
    assert references == [f"CSG/2026/{n:06d}" for n in range(1, 51)]


async def test_references_restart_each_year(flow):
    flow.at(datetime(2026, 12, 31, 22, 30, tzinfo=UTC))  # 23:30 in Brussels: still 2026
    assert (await flow.submitted())["reference"] == "CSG/2026/000001"
    flow.at(datetime(2026, 12, 31, 23, 30, tzinfo=UTC))  # 00:30 on 1 January in Brussels
    assert (await flow.submitted())["reference"] == "CSG/2027/000001"


async def test_illegal_transition_is_409_and_nothing_changes(flow):
    app = await flow.submitted()
    r = await flow.c.post(f"/v1/applications/{app['id']}/transitions",
                          json={"to": "countersigned"}, headers=flow.head)
    assert (r.status_code, r.json()["code"]) == (409, "ILLEGAL_TRANSITION")
    r = await flow.c.post(f"/v1/applications/{app['id']}/transitions",
                          json={"to": "decided"}, headers=flow.head)
    assert r.json()["code"] == "ILLEGAL_TRANSITION"
    r = await flow.c.get(f"/v1/applications/{app['id']}", headers=flow.officer)
    assert r.json()["status"] == "submitted"
    # The applicant can neither skip steps nor act as the officer.
    r = await flow.c.post(f"/v1/applications/{app['id']}/transitions",
                          json={"to": "completeness_check"}, headers=flow.applicant)
    assert r.status_code == 403
    # advice_given needs advice first
    await flow.move(app["id"], "completeness_check", flow.officer)
    await flow.move(app["id"], "under_assessment", flow.officer)
    r = await flow.c.post(f"/v1/applications/{app['id']}/transitions",
                          json={"to": "advice_given"}, headers=flow.officer)
    assert (r.status_code, r.json()["code"]) == (409, "ADVICE_MISSING")


async def test_draft_edit_needs_if_match_and_only_in_draft(flow):
    app = await flow.draft()
    url = f"/v1/applications/{app['id']}"
    from_server = await flow.c.get(url, headers=flow.applicant)
    etag = from_server.headers["etag"]
    body = from_server.json()
    new_body = {"application_type": "dual_use_individual_export", "applicant_name": "Renamed NV",
                "destination_country": "CH", "end_use": body["end_use"],
                "lines": [{"description": "x", "control_entry": "5a002a1", "quantity": "2.5",
                           "unit": "kg", "value_eur": "10.50"}],
                "parties": [{"role": "end_user", "name": "Swiss Telecom AG",
                             "address": "Bern", "country": "CH"}]}
    r = await flow.c.put(url, json=new_body, headers=flow.applicant)
    assert (r.status_code, r.json()["code"]) == (428, "PRECONDITION_REQUIRED")
    r = await flow.c.put(url, json=new_body, headers={**flow.applicant, "If-Match": '"999"'})
    assert r.status_code == 412
    r = await flow.c.put(url, json=new_body, headers={**flow.applicant, "If-Match": etag})
    assert r.status_code == 200, r.text
    assert r.json()["lines"][0]["control_entry"] == "5A002.a.1"
    assert r.json()["lines"][0]["quantity"] == "2.5"
    bad = dict(new_body, lines=[dict(new_body["lines"][0], control_entry="ML99")])
    r = await flow.c.put(url, json=bad, headers={**flow.applicant, "If-Match": r.headers["etag"]})
    assert (r.status_code, r.json()["code"]) == (422, "INVALID_CONTROL_LIST_ENTRY")
    assert await flow.provide_documents(app["id"]) == ["end_user_certificate"]
    await flow.move(app["id"], "submitted", flow.applicant)
    current = await flow.c.get(url, headers=flow.applicant)
    r = await flow.c.put(url, json=new_body,
                         headers={**flow.applicant, "If-Match": current.headers["etag"]})
    assert (r.status_code, r.json()["code"]) == (409, "APPLICATION_NOT_EDITABLE")
    # Server-owned fields cannot be set.
    r = await flow.c.post("/v1/applications", headers=flow.applicant,
                          json=dict(new_body, status="decided"))
    assert (r.status_code, r.json()["code"]) == (422, "VALIDATION_ERROR")


async def test_information_request_pauses_the_clock_and_allows_editing(flow):
    flow.at(datetime(2026, 3, 2, 8, 0, tzinfo=UTC))  # Monday 09:00 Brussels
    app = await flow.submitted()
    await flow.move(app["id"], "completeness_check", flow.officer)
    flow.at(datetime(2026, 3, 3, 10, 0, tzinfo=UTC))  # Tuesday
    r = await flow.c.post(f"/v1/applications/{app['id']}/information-requests",
                          headers=flow.officer,
                          json={"question": "Send the end-user certificate", "allows_edit": True})
    assert r.status_code == 201, r.text
    request_id = r.json()["id"]
    current = await flow.c.get(f"/v1/applications/{app['id']}", headers=flow.applicant)
    body = current.json()
    edit = {"application_type": body["application_type"], "applicant_name": "Vlaamse Precisie NV",
            "destination_country": "NO", "end_use": "updated",
            "lines": [{"description": "Thermal sights", "control_entry": "ML5.a",
                       "quantity": "90", "unit": "pieces", "value_eur": "200000.00"}],
            "parties": [{"role": "end_user", "name": "Norwegian Defence Materiel Agency",
                         "address": "Kjeller", "country": "NO"}]}
    r = await flow.c.put(f"/v1/applications/{app['id']}", json=edit,
                         headers={**flow.applicant, "If-Match": current.headers["etag"]})
    assert r.status_code == 200, r.text
    flow.at(datetime(2026, 3, 6, 14, 0, tzinfo=UTC))  # Friday
    r = await flow.c.post(
        f"/v1/applications/{app['id']}/information-requests/{request_id}/answer",
        headers=flow.applicant, json={"answer": "attached"})
    assert r.status_code == 200, r.text
    r = await flow.c.post(
        f"/v1/applications/{app['id']}/information-requests/{request_id}/answer",
        headers=flow.applicant, json={"answer": "again"})
    assert r.json()["code"] == "INFORMATION_REQUEST_CLOSED"
    flow.at(datetime(2026, 3, 11, 9, 0, tzinfo=UTC))  # Wednesday next week
    r = await flow.c.get(f"/v1/applications/{app['id']}/turnaround", headers=flow.officer)
    # Tue 3 .. Wed 11 = 7 working days, of which Wed 4, Thu 5, Fri 6 paused -> 4.
    assert (r.json()["working_days"], r.json()["paused_working_days"]) == (4, 3)
    again = await flow.c.get(f"/v1/applications/{app['id']}/turnaround", headers=flow.officer)
    assert again.json() == r.json()


async def test_delegated_grant_issues_a_licence_and_records_turnaround(flow, harness):
    flow.at(datetime(2026, 3, 2, 8, 0, tzinfo=UTC))
    app = await flow.submitted()
    app = await flow.to_countersigned(app)
    flow.at(datetime(2026, 3, 4, 8, 0, tzinfo=UTC))
    r = await flow.c.post(f"/v1/applications/{app['id']}/decision", headers=flow.head,
                          json={"outcome": "refused"})
    assert (r.status_code, r.json()["code"]) == (422, "REFUSAL_CRITERIA_REQUIRED")
    r = await flow.c.post(f"/v1/applications/{app['id']}/decision", headers=flow.minister,
                          json={"outcome": "granted"})
    assert r.status_code == 403  # the case is not with the minister
    decision = await flow.decide(app["id"], flow.head)
    assert (decision["authority"], decision["licence_number"]) == (
        "delegated", "CSG/2026/000001/L1")
    r = await flow.c.get(f"/v1/applications/{app['id']}/turnaround", headers=flow.officer)
    assert (r.json()["working_days"], r.json()["running"]) == (2, False)
    async with harness.sessionmaker() as session:
        actions = (await session.scalars(select(AuditEvent.action).where(
            AuditEvent.entity_id == app["id"]))).all()
    assert {"created", "transition", "routed", "screened", "advice", "decided"} <= set(actions)


async def test_ministerial_case_and_reopen_with_dedicated_permission(flow):
    app = await flow.submitted(lines=[{"description": "Rifles", "control_entry": "ML1.a",
                                       "quantity": "10", "unit": "pieces",
                                       "value_eur": "20000.00"}])
    assert app["decision_authority"] == "minister"
    app = await flow.to_countersigned(app)
    r = await flow.c.post(f"/v1/applications/{app['id']}/decision", headers=flow.head,
                          json={"outcome": "granted"})
    assert (r.status_code, r.json()["code"]) == (409, "MINISTERIAL_DECISION_REQUIRED")
    await flow.move(app["id"], "with_minister", flow.head)
    decision = await flow.decide(app["id"], flow.minister, outcome="refused",
                                 refusal_criteria=[2, 7])
    assert (decision["authority"], decision["licence_id"]) == ("minister", None)
    # Reopening: csg.head alone may not; the dedicated permission may, with a reason.
    await flow.move(app["id"], "under_assessment", flow.head, expect=403)
    reopen = flow.h.headers("csg.head", "csg.reopen", sub="head-2")
    r = await flow.c.post(f"/v1/applications/{app['id']}/transitions",
                          json={"to": "under_assessment"}, headers=reopen)
    assert (r.status_code, r.json()["code"]) == (422, "REASON_REQUIRED")
    reopened = await flow.move(app["id"], "under_assessment", reopen, reason="new facts")
    assert (reopened["status"], reopened["outcome"]) == ("under_assessment", None)


async def test_withdrawal_by_the_applicant_only_before_decision(flow):
    app = await flow.submitted()
    await flow.move(app["id"], "withdrawn", flow.officer, expect=403)
    withdrawn = await flow.move(app["id"], "withdrawn", flow.applicant)
    assert withdrawn["status"] == "withdrawn"
    await flow.move(app["id"], "submitted", flow.applicant, expect=409)


async def test_a_company_sees_only_its_own_applications_and_licences(flow):
    licence = await flow.granted_licence()
    other = flow.h.headers("csg.applicant", org="0987654321", sub="other-company")
    app_id = licence["application_id"]
    for url in (f"/v1/applications/{app_id}", f"/v1/licences/{licence['id']}",
                f"/v1/applications/{app_id}/turnaround",
                f"/v1/applications/{app_id}/information-requests"):
        r = await flow.c.get(url, headers=other)
        assert (r.status_code, r.json()["code"]) == (404, "NOT_FOUND"), url
        assert (await flow.c.get(url, headers=flow.applicant)).status_code == 200, url
    r = await flow.c.post(f"/v1/applications/{app_id}/transitions", json={"to": "withdrawn"},
                          headers=other)
    assert r.status_code == 404
    assert (await flow.c.get("/v1/applications", headers=other)).json()["total"] == 0
    assert (await flow.c.get("/v1/licences", headers=other)).json()["total"] == 0
    assert (await flow.c.get("/v1/ledger-entries", headers=other)).json()["total"] == 0
    # A company cannot file for another company.
    r = await flow.c.post("/v1/applications", headers=other,
                          json=application_body(applicant_org="0123456789"))
    assert (r.status_code, r.json()["code"]) == (422, "APPLICANT_ORG_MISMATCH")


async def test_customs_can_only_use_the_customs_endpoints(flow):
    licence = await flow.granted_licence()
    for method, url in [("GET", "/v1/applications"), ("GET", f"/v1/licences/{licence['id']}"),
                        ("GET", "/v1/ledger-entries"), ("GET", "/v1/reports/annual?year=2026"),
                        ("GET", "/v1/kpis"), ("GET", "/v1/denial-notices"),
                        ("POST", "/v1/ledger-entries"), ("GET", "/v1/transaction-reports"),
                        ("GET", "/v1/infringements"), ("GET", "/v1/routing-rule-sets")]:
        r = await flow.c.request(method, url, headers=flow.customs, json={})
        assert (r.status_code, r.json()["code"]) == (403, "FORBIDDEN"), url
    r = await flow.c.get("/v1/customs/availability", headers=flow.customs,
                         params={"licence_number": licence["number"], "line_no": 1})
    assert r.status_code == 200 and r.json()["valid"] is True
    # ... and nobody else writes debits.
    r = await flow.c.post("/v1/customs/debits", headers=flow.officer, json={
        "licence_number": licence["number"], "line_no": 1, "mrn": "26BE00000000000001",
        "item_number": 1, "quantity": "1", "value": "1.00"})
    assert r.status_code == 403
