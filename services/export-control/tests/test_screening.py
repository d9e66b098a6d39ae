"""Screening fails closed: denial notices, the sanctions list, the Russia evidence rule."""

from datetime import UTC
from datetime import datetime

import pytest
from sqlalchemy import select

from export_control.screening.models import DenialGrantNotification

END_USER = {"role": "end_user", "name": "Oslo Optronics AS", "address": "Oslo",
            "country": "NO", "euc_issuer": "MoD", "euc_date": "2026-01-05",
            "euc_signatory": "A. B.", "euc_no_re_export_clause": True}


async def notice(flow, issued_on, revoked_on=None, name="Oslo Optronics", control_entry="ml5a",
                 reference=None):
    r = await flow.c.post("/v1/denial-notices", headers=flow.officer, json={
        "notifying_state": "DE", "notice_reference": reference or f"DE-{issued_on}",
        "denied_party_name": name, "party_country": "NO", "control_entry": control_entry,
        "issued_on": issued_on})
    assert r.status_code == 201, r.text
    if revoked_on:
        r = await flow.c.post(f"/v1/denial-notices/{r.json()['id']}/revoke",
                              headers=flow.officer, json={"revoked_on": revoked_on})
        assert r.status_code == 200
    return r.json()


async def test_recent_denial_notice_blocks_a_delegated_grant_until_consultation(flow):
    await notice(flow, "2024-03-02")  # two years before "now" (2026-03-02)
    app = await flow.submitted(parties=[END_USER])
    app = await flow.to_countersigned(app)
    assert app["decision_authority"] == "delegated"
    r = await flow.c.post(f"/v1/applications/{app['id']}/decision", headers=flow.head,
                          json={"outcome": "granted"})
    assert (r.status_code, r.json()["code"]) == (409, "DENIAL_CONSULTATION_REQUIRED")
    hits = (await flow.c.get(f"/v1/applications/{app['id']}/screening-hits",
                             headers=flow.officer)).json()
    assert [(h["source"], h["status"]) for h in hits] == [("denial_notice", "open")]
    r = await flow.c.post(f"/v1/applications/{app['id']}/screening-hits/{hits[0]['id']}/resolve",
                          headers=flow.officer, json={"reason": "DE consulted on 5 March"})
    assert r.json()["status"] == "consulted"
    decision = await flow.decide(app["id"], flow.head)
    assert decision["granted_despite_denial"] is True
    async with flow.h.sessionmaker() as session:
        notes = (await session.scalars(select(DenialGrantNotification))).all()
    assert [(n.notifying_state, str(n.decision_id)) for n in notes] == [("DE", decision["id"])]


async def test_old_or_revoked_denial_notices_do_not_block(flow):
    await notice(flow, "2023-03-02")  # exactly three years old: no longer blocks
    await notice(flow, "2025-06-01", revoked_on="2026-01-15")
    app = await flow.submitted(parties=[END_USER])
    app = await flow.to_countersigned(app)
    decision = await flow.decide(app["id"], flow.head)
    assert decision["granted_despite_denial"] is False


async def test_screening_unavailable_means_pending_and_no_decision(client, harness):
    from .conftest import Flow

    flow = Flow(harness)
    flow.at(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    app = await flow.submitted()  # no sanctions list imported: screening cannot run
    assert app["screening_status"] == "pending"
    app = await flow.to_countersigned(app)
    r = await flow.c.post(f"/v1/applications/{app['id']}/decision", headers=flow.head,
                          json={"outcome": "refused", "refusal_criteria": [1]})
    assert (r.status_code, r.json()["code"]) == (409, "SCREENING_PENDING")
    await flow.load_sanctions()
    r = await flow.c.post(f"/v1/applications/{app['id']}/screening", headers=flow.officer)
    assert r.json()["screening_status"] == "clear"
    await flow.decide(app["id"], flow.head)


async def test_sanctions_hit_sets_a_flag_only_the_head_clears(flow):
    party = dict(END_USER, name="VOLGA PRECISION INSTRUMENT LLC", country="NO")
    app = await flow.submitted(parties=[party], lines=[
        {"description": "Encryption modules", "control_entry": "5A002.a.1", "quantity": "5",
         "unit": "pieces", "value_eur": "5000.00"}], application_type="dual_use_individual_export")
    assert (app["screening_status"], app["track"], app["decision_authority"]) == (
        "flagged", "complex", "minister")
    hits = (await flow.c.get(f"/v1/applications/{app['id']}/screening-hits",
                             headers=flow.officer)).json()
    assert hits[0]["source"] == "sanctions" and float(hits[0]["score"]) >= 88
    url = f"/v1/applications/{app['id']}/screening-hits/{hits[0]['id']}/resolve"
    r = await flow.c.post(url, headers=flow.officer, json={"reason": "different company"})
    assert r.status_code == 403
    r = await flow.c.post(url, headers=flow.head, json={"reason": "different company, Oslo"})
    assert r.status_code == 200
    app = (await flow.c.get(f"/v1/applications/{app['id']}", headers=flow.officer)).json()
    assert (app["screening_status"], app["decision_authority"]) == ("clear", "delegated")
    r = await flow.c.post(url, headers=flow.head, json={"reason": "again"})
    assert r.json()["code"] == "SCREENING_HIT_RESOLVED"


async def test_flagged_application_cannot_be_decided(flow):
    party = dict(END_USER, name="Northern Star Trading FZE", country="AE")
    app = await flow.submitted(parties=[party], destination_country="AE")
    app = await flow.to_countersigned(app)
    await flow.move(app["id"], "with_minister", flow.head)
    r = await flow.c.post(f"/v1/applications/{app['id']}/decision", headers=flow.minister,
                          json={"outcome": "granted"})
    assert (r.status_code, r.json()["code"]) == (409, "SCREENING_FLAG_OPEN")


async def test_russia_no_re_export_evidence_before_a_licence(flow):
    lines = [{"description": "Machine tools", "control_entry": "2B001", "quantity": "2",
              "unit": "pieces", "value_eur": "80000.00", "common_high_priority": True}]
    party = dict(END_USER, name="Ankara Makina AS", country="TR", address="Ankara")
    app = await flow.submitted(application_type="dual_use_individual_export",
                               destination_country="TR", lines=lines, parties=[party])
    assert app["russia_circumvention_flag"] is True
    assert (app["track"], app["decision_authority"]) == ("complex", "minister")
    app = await flow.to_countersigned(app)
    await flow.move(app["id"], "with_minister", flow.head)
    r = await flow.c.post(f"/v1/applications/{app['id']}/decision", headers=flow.minister,
                          json={"outcome": "granted"})
    assert (r.status_code, r.json()["code"]) == (409, "NO_RE_EXPORT_EVIDENCE_REQUIRED")
    # A refusal needs no evidence.
    r = await flow.c.post(f"/v1/applications/{app['id']}/decision", headers=flow.minister,
                          json={"outcome": "refused", "refusal_criteria": [7]})
    assert r.status_code == 201


async def test_russia_evidence_present_allows_the_grant(flow):
    lines = [{"description": "Machine tools", "control_entry": "2B001", "quantity": "2",
              "unit": "pieces", "value_eur": "80000.00"}]
    party = dict(END_USER, name="Ankara Makina AS", country="TR", address="Ankara",
                 no_re_export_to_russia_evidence="Contract 2026/17, art. 9 (Art. 12g clause)")
    app = await flow.submitted(application_type="dual_use_individual_export",
                               destination_country="TR", lines=lines, parties=[party])
    app = await flow.to_countersigned(app)
    await flow.move(app["id"], "with_minister", flow.head)
    decision = await flow.decide(app["id"], flow.minister)
    assert decision["licence_number"]


async def test_sanctions_file_must_be_valid(flow):
    for content, code in [(b"<not-xml", "SANCTIONS_FILE_INVALID"),
                          (b"<other/>", "SANCTIONS_FILE_INVALID"),
                          (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><export/>',
                           "SANCTIONS_FILE_INVALID"),
                          (b"<export></export>", "SANCTIONS_FILE_INVALID")]:
        r = await flow.c.post("/v1/sanctions-list", content=content,
                              headers={**flow.officer, "Content-Type": "application/xml"})
        assert (r.status_code, r.json()["code"]) == (422, code)
    listed = (await flow.c.get("/v1/sanctions-list", headers=flow.officer)).json()
    assert [(i["entity_count"], i["active"]) for i in listed] == [(5, True)]


LAUGHS = ('<?xml version="1.0"?><!DOCTYPE export [<!ENTITY lol "lol">'
          + "".join(f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i > 1 else "")) * 10}">'
                    for i in range(1, 10))
          + ']><export><sanctionEntity logicalId="1"><nameAlias wholeName="&lol9;"/>'
          "</sanctionEntity></export>")
ENTITY_NAME = ('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE export [<!ENTITY n "Evil Corp">]>'
               '<export><sanctionEntity logicalId="1"><nameAlias wholeName="&n;"/>'
               "</sanctionEntity></export>")


@pytest.mark.parametrize(("case", "content"), [
    ("billion laughs", LAUGHS.encode()),
    ("billion laughs in UTF-16", LAUGHS.replace('version="1.0"', 'version="1.0" encoding="UTF-16"')
     .encode("utf-16")),
    ("external entity", b'<?xml version="1.0"?><!DOCTYPE export [<!ENTITY x SYSTEM '
     b'"file:///etc/passwd">]><export><sanctionEntity logicalId="1"><nameAlias wholeName="&x;"/>'
     b"</sanctionEntity></export>"),
    ("external DTD", b'<?xml version="1.0"?><!DOCTYPE export SYSTEM "http://127.0.0.1:9/x.dtd">'
     b'<export><sanctionEntity logicalId="1"><nameAlias wholeName="a"/></sanctionEntity>'
     b"</export>"),
    ("parameter entity", b'<?xml version="1.0"?><!DOCTYPE export [<!ENTITY % p SYSTEM '
     b'"file:///etc/passwd"> %p;]><export/>'),
    ("internal entity in UTF-16", ENTITY_NAME.encode("utf-16")),
])
async def test_sanctions_xml_with_entities_is_refused_unexpanded(flow, case, content):
    """defusedxml: nothing declared in a DTD is expanded or fetched, in any encoding."""
    r = await flow.c.post("/v1/sanctions-list", content=content,
                          headers={**flow.officer, "Content-Type": "application/xml"})
    assert (r.status_code, r.json()["code"]) == (422, "SANCTIONS_FILE_INVALID"), (case, r.text)
    assert "lollol" not in r.text and "root:" not in r.text and "Evil" not in r.text
    listed = (await flow.c.get("/v1/sanctions-list", headers=flow.officer)).json()
    assert [(i["entity_count"], i["active"]) for i in listed] == [(5, True)]  # the sample's


async def test_a_sanctions_upload_needs_a_heads_activation_and_a_confirmed_shrink(flow):
    """An officer alone cannot replace the active list; a much shorter list needs a confirmation."""
    from .conftest import sample_sanctions_file
    short = sample_sanctions_file()
    # Keep only the first sanctionEntity of the sample: 1 entity against 5 in force.
    head, _, rest = short.partition(b"<sanctionEntity")
    first, _, _ = rest.partition(b"</sanctionEntity>")
    short = head + b"<sanctionEntity" + first + b"</sanctionEntity></export>"
    r = await flow.c.post("/v1/sanctions-list", content=short,
                          headers={**flow.officer, "Content-Type": "application/xml"})
    assert r.status_code == 201, r.text
    upload = r.json()
    assert (upload["entity_count"], upload["active"]) == (1, False)
    listed = (await flow.c.get("/v1/sanctions-list", headers=flow.officer)).json()
    assert [i["entity_count"] for i in listed if i["active"]] == [5]  # still the old list
    url = f"/v1/sanctions-list/{upload['id']}/activate"
    assert (await flow.c.post(url, headers=flow.officer)).status_code == 403
    r = await flow.c.post(url, headers=flow.head)
    assert (r.status_code, r.json()["code"]) == (409, "SANCTIONS_LIST_SHRINKS")
    assert (r.json()["active_count"], r.json()["upload_count"]) == (5, 1)
    assert r.json()["working_value"] is True
    r = await flow.c.post(url, headers=flow.head, json={"confirm_shrink": True})
    assert r.status_code == 200 and r.json()["active"] and r.json()["activated_by"] == "head-1"
    r = await flow.c.post(url, headers=flow.head, json={"confirm_shrink": True})
    assert r.json()["code"] == "SANCTIONS_LIST_NOT_PENDING"
    listed = (await flow.c.get("/v1/sanctions-list", headers=flow.officer)).json()
    assert [i["entity_count"] for i in listed if i["active"]] == [1]
