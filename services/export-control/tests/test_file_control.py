"""The file under control: edits after assessment void the advice, advice on every line and
party, regimes per application type, control lists and countries checked against reference
data, licence validity within the law, denial notices that can be true, rule sets that mean
what they say. Each refusal changes nothing."""

from datetime import UTC
from datetime import datetime

import pytest
from sqlalchemy import func
from sqlalchemy import select

from dkbuza_kit.models import AuditEvent
from export_control.applications.models import Advice
from export_control.applications.models import Application
from export_control.licences.models import Licence
from export_control.screening.models import DenialNotice

from .conftest import application_body

TWO_LINES = [
    {"description": "Thermal sights", "control_entry": "ML5.a", "quantity": "100",
     "unit": "pieces", "value_eur": "250000.00"},
    {"description": "Spare parts", "control_entry": "ML5.d", "quantity": "10",
     "unit": "pieces", "value_eur": "1000.00"},
]


async def _count(flow, model, *where) -> int:
    async with flow.h.sessionmaker() as session:
        return await session.scalar(select(func.count()).select_from(model).where(*where))


async def _assessed(flow, **overrides) -> dict:
    app = await flow.submitted(**overrides)
    await flow.move(app["id"], "completeness_check", flow.officer)
    await flow.move(app["id"], "under_assessment", flow.officer)
    return app


async def test_advice_given_needs_advice_on_every_line_and_party(flow):
    app = await _assessed(flow, lines=TWO_LINES)
    r = await flow.c.post(f"/v1/applications/{app['id']}/advice", headers=flow.officer, json={
        "subject_type": "line", "subject_id": app["lines"][0]["id"], "recommendation": "approve"})
    assert r.status_code == 201
    r = await flow.c.post(f"/v1/applications/{app['id']}/transitions", headers=flow.officer,
                          json={"to": "advice_given"})
    assert (r.status_code, r.json()["code"]) == (409, "ADVICE_MISSING")
    assert r.json()["lines_without_advice"] == [2]
    assert r.json()["parties_without_advice"] == [app["parties"][0]["id"]]
    status = (await flow.c.get(f"/v1/applications/{app['id']}", headers=flow.officer)).json()
    assert status["status"] == "under_assessment"
    await flow.advise_all(app)
    await flow.move(app["id"], "advice_given", flow.officer)


async def test_an_edit_after_assessment_voids_advice_and_sends_the_case_back(flow):
    app = await _assessed(flow)
    r = await flow.c.post(f"/v1/applications/{app['id']}/information-requests",
                          headers=flow.officer, json={"question": "Update", "allows_edit": True})
    assert r.status_code == 201
    await flow.advise_all(app)
    await flow.move(app["id"], "advice_given", flow.officer)
    await flow.move(app["id"], "countersigned", flow.head)
    current = await flow.c.get(f"/v1/applications/{app['id']}", headers=flow.applicant)
    edit = application_body(lines=[{"description": "Rifles", "control_entry": "ML1.a",
                                    "quantity": "5000", "unit": "pieces",
                                    "value_eur": "900000.00"}])
    r = await flow.c.put(f"/v1/applications/{app['id']}", json=edit,
                         headers={**flow.applicant, "If-Match": current.headers["etag"]})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "under_assessment"
    advice = (await flow.c.get(f"/v1/applications/{app['id']}/advice",
                               headers=flow.officer)).json()
    assert advice and all(a["invalidated_at"] for a in advice)
    async with flow.h.sessionmaker() as session:
        audit = (await session.scalars(select(AuditEvent).where(
            AuditEvent.entity_id == app["id"],
            AuditEvent.action == "assessment_invalidated"))).one()
    assert (audit.from_state, audit.to_state) == ("countersigned", "under_assessment")
    assert audit.data["countersignature_voided"] is True
    r = await flow.c.post(f"/v1/applications/{app['id']}/transitions", headers=flow.officer,
                          json={"to": "advice_given"})
    assert r.json()["code"] == "ADVICE_MISSING"


@pytest.mark.parametrize(("application_type", "entry"), [
    ("military_export", "5a002a1"), ("dual_use_individual_export", "ML1.a"),
])
async def test_line_regime_must_match_the_application_type(flow, application_type, entry):
    before = await _count(flow, Application)
    r = await flow.c.post("/v1/applications", headers=flow.applicant, json=application_body(
        application_type=application_type, lines=[
            {"description": "x", "control_entry": entry, "quantity": "1", "unit": "pieces",
             "value_eur": "10.00"}]))
    assert (r.status_code, r.json()["code"]) == (422, "REGIME_MISMATCH")
    assert await _count(flow, Application) == before


@pytest.mark.parametrize(("entry", "accepted"), [
    ("1C350.1", True), ("1C350.43", True), ("ML3.a", True), ("ML22.b", True),
    ("9E999", False), ("ML22.z", False), ("ML16.a", False), ("1C350.90", False),
])
async def test_control_list_entries_checked_against_the_lists(flow, entry, accepted):
    regime = "military_export" if entry.startswith("ML") else "dual_use_individual_export"
    r = await flow.c.post("/v1/applications", headers=flow.applicant, json=application_body(
        application_type=regime, lines=[{"description": "x", "control_entry": entry,
                                         "quantity": "1", "unit": "kg", "value_eur": "1.00"}]))
    if accepted:
        assert r.status_code == 201, r.text
    else:
        assert (r.status_code, r.json()["code"]) == (422, "INVALID_CONTROL_LIST_ENTRY")


@pytest.mark.parametrize("change", [
    {"destination_country": "XX"}, {"destination_country": "ZZ"},
    {"parties": [{"role": "end_user", "name": "A", "address": "B", "country": "QQ"}]},
])
async def test_countries_are_iso_3166(flow, change):
    before = await _count(flow, Application)
    r = await flow.c.post("/v1/applications", headers=flow.applicant,
                          json=application_body(**change))
    assert (r.status_code, r.json()["code"]) == (422, "VALIDATION_ERROR")
    assert await _count(flow, Application) == before


async def test_euc_date_in_the_future_is_refused(flow):
    body = application_body()
    body["parties"][0]["euc_date"] = "2026-12-31"
    r = await flow.c.post("/v1/applications", headers=flow.applicant, json=body)
    assert (r.status_code, r.json()["code"]) == (422, "DATE_IN_FUTURE")
    assert r.json()["field"] == "parties[0].euc_date"


@pytest.mark.parametrize(("validity", "code"), [
    ({"valid_from": "2020-01-01", "valid_until": "2020-12-31"}, "DATE_BEFORE_ORIGIN"),
    ({"valid_until": "2099-12-31"}, "INVALID_VALIDITY"),
    ({"valid_until": "2026-03-01"}, "PERIOD_INVERTED"),
    ({"valid_until": "2199-01-01"}, "VALIDATION_ERROR"),
])
async def test_licence_validity_starts_at_the_decision_within_the_legal_maximum(
        flow, validity, code):
    app = await flow.to_countersigned(await flow.submitted())
    r = await flow.c.post(f"/v1/applications/{app['id']}/decision", headers=flow.head,
                          json={"outcome": "granted"} | validity)
    assert (r.status_code, r.json()["code"]) == (422, code)
    if code == "INVALID_VALIDITY":
        assert r.json()["max_months"] == 36 and r.json()["source"].startswith("working value")
    assert await _count(flow, Licence) == 0
    assert (await flow.c.get(f"/v1/applications/{app['id']}",
                             headers=flow.officer)).json()["status"] == "countersigned"
    licence = await flow.decide(app["id"], flow.head)  # the default fits
    r = await flow.c.get(f"/v1/licences/{licence['licence_id']}", headers=flow.officer)
    assert (r.json()["valid_from"], r.json()["valid_until"]) == ("2026-03-02", "2028-03-01")


DENIAL = {"notifying_state": "DE", "notice_reference": "DE-2026-001",
          "denied_party_name": "Bad Actor Ltd", "party_country": "NO", "issued_on": "2026-01-10"}


@pytest.mark.parametrize(("change", "code"), [
    ({"issued_on": "2099-01-01"}, "DATE_IN_FUTURE"),
    ({"issued_on": "2026-03-03"}, "DATE_IN_FUTURE"),
    ({"notifying_state": "BE"}, "DENIAL_NOTICE_OWN_STATE"),
    ({"notifying_state": "US"}, "DENIAL_NOTICE_OWN_STATE"),
    ({"notifying_state": "XX"}, "VALIDATION_ERROR"),
    ({"party_country": "QQ"}, "VALIDATION_ERROR"),
])
async def test_denial_notices_that_cannot_be_true_are_refused(flow, change, code):
    r = await flow.c.post("/v1/denial-notices", headers=flow.officer, json=DENIAL | change)
    assert (r.status_code, r.json()["code"]) == (422, code)
    assert await _count(flow, DenialNotice) == 0


async def test_denial_notice_unique_per_state_and_revoked_after_issue(flow):
    r = await flow.c.post("/v1/denial-notices", headers=flow.officer, json=DENIAL)
    assert r.status_code == 201
    notice_id = r.json()["id"]
    r = await flow.c.post("/v1/denial-notices", headers=flow.officer, json=DENIAL)
    assert (r.status_code, r.json()["code"]) == (409, "DENIAL_NOTICE_DUPLICATE")
    r = await flow.c.post("/v1/denial-notices", headers=flow.officer,
                          json=DENIAL | {"notifying_state": "FR"})
    assert r.status_code == 201  # the same reference from another state is another notice
    url = f"/v1/denial-notices/{notice_id}/revoke"
    r = await flow.c.post(url, headers=flow.officer, json={"revoked_on": "2026-01-09"})
    assert (r.status_code, r.json()["code"]) == (422, "DATE_BEFORE_ORIGIN")
    r = await flow.c.post(url, headers=flow.officer, json={"revoked_on": "2026-04-01"})
    assert (r.status_code, r.json()["code"]) == (422, "DATE_IN_FUTURE")
    assert await _count(flow, DenialNotice, DenialNotice.revoked_on.is_not(None)) == 0
    r = await flow.c.post(url, headers=flow.officer, json={"revoked_on": "2026-03-01"})
    assert r.status_code == 200


@pytest.mark.parametrize("change", [
    {"sensitive_military_categories": ["ml 8"]}, {"sensitive_military_categories": ["ML99"]},
    {"risk_countries": ["XX"]}, {"embargo_countries": ["Switzerland"]},
])
async def test_rule_sets_refuse_entries_that_match_nothing(flow, change):
    sets = (await flow.c.get("/v1/routing-rule-sets", headers=flow.officer)).json()
    content = dict(sets[0]["content"], version="2026.9") | change
    r = await flow.c.post("/v1/routing-rule-sets", headers=flow.head, json=content)
    assert (r.status_code, r.json()["code"]) == (422, "VALIDATION_ERROR")
    assert len((await flow.c.get("/v1/routing-rule-sets", headers=flow.officer)).json()) == 1


async def test_advice_rows_are_kept_when_voided(flow):
    """Voided advice stays on file (history), it only stops counting."""
    flow.at(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    app = await _assessed(flow)
    await flow.c.post(f"/v1/applications/{app['id']}/information-requests",
                      headers=flow.officer, json={"question": "Q", "allows_edit": True})
    await flow.advise_all(app)
    current = await flow.c.get(f"/v1/applications/{app['id']}", headers=flow.applicant)
    r = await flow.c.put(f"/v1/applications/{app['id']}", json=application_body(),
                         headers={**flow.applicant, "If-Match": current.headers["etag"]})
    assert r.status_code == 200
    assert await _count(flow, Advice) == 2
    assert await _count(flow, Advice, Advice.invalidated_at.is_(None)) == 0
