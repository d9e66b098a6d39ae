"""Recognition procedure, derived deadlines, municipalities, damage reports."""

from df_support import at
from df_support import problem_code
from df_support import set_now
from sqlalchemy import text


async def test_recognition_procedure_with_advice_criteria_and_derived_deadlines(api, client, harness):
    disaster = await api.create_disaster()
    did = disaster["id"]
    assert disaster["state"] == "reporting" and disaster["regime"] == "regime_2019"
    assert disaster["reference"].startswith("RAMP-2024-")
    assert disaster["deadlines"]["report_deadline"] == "2024-08-02"
    assert disaster["deadlines"]["application_deadline"] is None

    assert (await api.move(did, "investigation", on="2024-06-10")).status_code == 200
    assert (await api.move(did, "awaiting_advice")).status_code == 200
    advice = await client.post(f"/v1/disasters/{did}/advice-requests", headers=api.manager,
                               json={"institute": "kmi", "requested_on": "2024-06-11"})
    assert advice.status_code == 201, advice.text
    criteria = [{"kind": "scientific", "name": "rain", "measured_value": "80", "threshold": "60",
                 "unit": "mm"}]
    pending = await api.move(did, "assessed", criteria=criteria)
    assert pending.status_code == 409 and problem_code(pending) == "ADVICE_PENDING"
    no_criteria = await api.move(did, "assessed")
    assert problem_code(no_criteria) == "CRITERIA_REQUIRED"
    received = await client.post(
        f"/v1/disasters/{did}/advice-requests/{advice.json()['id']}/receipt",
        headers=api.manager, json={"received_on": "2024-06-25", "summary": "uitzonderlijk"})
    assert received.status_code == 200, received.text
    assert (await api.move(did, "assessed", criteria=criteria, on="2024-07-01")).status_code == 200
    assert (await api.move(did, "submitted_to_government", on="2024-08-01")).status_code == 200
    recognised = await api.move(did, "recognised", decision_date="2024-09-02",
                                scope_municipalities=["44021"])
    assert recognised.status_code == 200
    early = await api.move(did, "published", publication_date="2024-09-01")
    assert problem_code(early) == "DATE_BEFORE_PREDECESSOR"
    published = await api.move(did, "published", publication_date="2021-07-13")
    assert problem_code(published) == "DATE_BEFORE_PREDECESSOR"
    published = await api.move(did, "published", publication_date="2024-09-16")
    body = published.json()
    assert body["state"] == "published"
    assert body["criteria"][0]["measured_value"] == "80"
    assert body["advice_requests"][0]["received_on"] == "2024-06-25"
    assert body["scope_municipalities"] == ["44021"]
    assert body["deadlines"] == {"report_deadline": "2024-08-02",
                                 "application_deadline": "2024-12-31",
                                 "late_deadline": "2025-09-16", "one_year_mark": "2025-09-16"}
    # Every step is in the audit trail.
    async with harness.sessionmaker() as session:
        steps = (await session.execute(text(
            "SELECT to_state FROM audit_events WHERE entity_type = 'disaster' AND "
            "action = 'transition' AND entity_id = :id ORDER BY id"), {"id": did})).scalars().all()
    assert steps == ["investigation", "awaiting_advice", "assessed", "submitted_to_government",
                     "recognised", "published"]


async def test_illegal_disaster_transitions_are_409(api):
    disaster = await api.create_disaster()
    response = await api.move(disaster["id"], "published", publication_date="2024-09-16")
    assert response.status_code == 409
    assert problem_code(response) == "ILLEGAL_TRANSITION"
    assert "investigation" in response.json()["allowed"]
    refused = await api.move(disaster["id"], "not_recognised")
    assert problem_code(refused) == "REASON_REQUIRED"
    assert (await api.move(disaster["id"], "not_recognised", reason="criteria not met")).status_code == 200
    again = await api.move(disaster["id"], "investigation")
    assert problem_code(again) == "ILLEGAL_TRANSITION"


async def test_merged_municipality_codes_map_to_the_new_code_and_unknown_are_refused(api, client):
    # 44012 De Pinte and 44048 Nazareth merged into 44086 Nazareth-De Pinte in 2025.
    disaster = await api.create_disaster(municipalities=["44012", "44048", "44021"])
    assert disaster["municipalities"] == ["44086", "44021"]
    response = await client.post("/v1/disasters", headers=api.manager, json={
        "title": "x", "phenomenon": "storm", "event_start": "2024-01-01", "event_end": "2024-01-02",
        "municipalities": ["99999"]})
    assert response.status_code == 422 and problem_code(response) == "UNKNOWN_MUNICIPALITY"
    backwards = await client.post("/v1/disasters", headers=api.manager, json={
        "title": "x", "phenomenon": "storm", "event_start": "2024-01-05", "event_end": "2024-01-02",
        "municipalities": ["44021"]})
    assert problem_code(backwards) == "PERIOD_INVERTED"


async def test_only_managers_run_the_procedure(api, client):
    response = await client.post("/v1/disasters", headers=api.handler, json={
        "title": "x", "phenomenon": "storm", "event_start": "2024-01-01", "event_end": "2024-01-02",
        "municipalities": ["44021"]})
    assert response.status_code == 403


async def test_patch_requires_if_match(api, client):
    disaster = await api.create_disaster()
    url = f"/v1/disasters/{disaster['id']}"
    missing = await client.patch(url, headers=api.manager, json={"title": "Nieuw"})
    assert missing.status_code == 428
    stale = await client.patch(url, headers={**api.manager, "If-Match": '"99"'}, json={"title": "N"})
    assert stale.status_code == 412
    ok = await client.patch(url, headers={**api.manager, "If-Match": '"1"'}, json={"title": "N"})
    assert ok.status_code == 200 and ok.headers["ETag"] == '"2"'


async def test_closing_needs_all_applications_terminal(api, client):
    disaster = await api.published_disaster()
    application = await api.submit(disaster["id"])
    refused = await api.move(disaster["id"], "closed")
    assert refused.status_code == 409 and problem_code(refused) == "APPLICATIONS_OPEN"
    await api.step(application["id"], "withdrawn", headers=api.citizen(), reason="opgelost")
    assert (await api.move(disaster["id"], "closed")).status_code == 200


async def report(client, api, disaster_id, headers, municipality="44021", **extra):
    return await client.post("/v1/damage-reports", headers=headers, json={
        "disaster_id": disaster_id, "municipality_nis": municipality,
        "description": "water in de kelder", **extra})


async def test_report_window_day_60_accepted_day_61_refused(api, client, harness):
    disaster = await api.create_disaster()   # event end 2024-06-03 -> last day 2024-08-02
    set_now(harness, at(2024, 8, 2, 21, 59, 59))   # 23:59:59 Brussels (CEST)
    ok = await report(client, api, disaster["id"], api.citizen("a"))
    assert ok.status_code == 201, ok.text
    assert ok.json()["number"].startswith("RM-2024-")
    set_now(harness, at(2024, 8, 2, 22, 0, 0))     # 00:00:00 on day 61
    late = await report(client, api, disaster["id"], api.citizen("b"))
    assert late.status_code == 422 and problem_code(late) == "REPORT_WINDOW_CLOSED"
    assert late.json()["report_deadline"] == "2024-08-02"


async def test_duplicate_report_returns_the_existing_number(api, client, harness):
    disaster = await api.create_disaster()
    set_now(harness, at(2024, 6, 20))
    first = await report(client, api, disaster["id"], api.citizen("a"))
    second = await report(client, api, disaster["id"], api.citizen("a"), municipality="44086")
    assert second.status_code == 409
    assert problem_code(second) == "DUPLICATE_DAMAGE_REPORT"
    assert second.json()["existing_report_number"] == first.json()["number"]
    # Numbers stay gap-free: the refused duplicate did not consume one.
    other = await report(client, api, disaster["id"], api.citizen("b"))
    assert int(other.json()["number"][-6:]) == int(first.json()["number"][-6:]) + 1


async def test_report_visibility_and_municipality_rules(api, client, harness):
    disaster = await api.create_disaster()
    set_now(harness, at(2024, 6, 20))
    mine = (await report(client, api, disaster["id"], api.citizen("a"))).json()
    await report(client, api, disaster["id"], api.citizen("b"), municipality="44086")
    ghent = api.h("vrf.municipality", org="44021", sub="gent-1")
    own = await report(client, api, disaster["id"], ghent)
    assert own.status_code == 201 and own.json()["public_domain"] is True
    foreign = await report(client, api, disaster["id"], ghent, municipality="44086")
    assert foreign.status_code == 403 and problem_code(foreign) == "NOT_OWN_MUNICIPALITY"

    listed = (await client.get("/v1/damage-reports", headers=ghent)).json()
    assert {r["municipality_nis"] for r in listed["items"]} == {"44021"}
    assert listed["total"] == 2
    other_citizen = await client.get(f"/v1/damage-reports/{mine['id']}", headers=api.citizen("b"))
    assert other_citizen.status_code == 404
    own_citizen = await client.get(f"/v1/damage-reports/{mine['id']}", headers=api.citizen("a"))
    assert own_citizen.status_code == 200
    assert (await client.get("/v1/damage-reports", headers=api.citizen("a"))).json()["total"] == 1
    assert (await client.get("/v1/damage-reports", headers=api.handler)).json()["total"] == 3
    assert (await client.get("/v1/damage-reports", headers=api.expert())).status_code == 403


async def test_reporters_are_notified_when_the_disaster_is_recognised(api, client, harness):
    disaster = await api.create_disaster()
    set_now(harness, at(2024, 6, 20))
    await report(client, api, disaster["id"], api.citizen("a"))
    await report(client, api, disaster["id"], api.citizen("b"))
    set_now(harness, at(2024, 10, 1))
    for state, extra in [("investigation", {}), ("assessed", {"criteria": [
            {"kind": "financial", "name": "damage", "measured_value": "1", "threshold": "1",
             "unit": "MEUR"}]}), ("submitted_to_government", {}),
            ("recognised", {"decision_date": "2024-10-01"})]:
        assert (await api.move(disaster["id"], state, **extra)).status_code == 200
    async with harness.sessionmaker() as session:
        notified = (await session.execute(text(
            "SELECT data->>'reporter_sub' FROM outbox_events "
            "WHERE type = 'damage_report.disaster_recognised' ORDER BY 1"))).scalars().all()
    assert notified == ["a", "b"]


async def test_webhook_subscriptions_offer_the_service_events(api, client):
    ghent = api.h("vrf.municipality", org="44021", sub="gent-1")
    created = await client.post("/v1/webhook-subscriptions", headers=ghent, json={
        "url": "https://gent.example/hooks", "event_types": ["application.decided",
                                                             "damage_report.disaster_recognised"]})
    assert created.status_code == 201, created.text
    assert created.json()["all_orgs"] is False
    unknown = await client.post("/v1/webhook-subscriptions", headers=ghent, json={
        "url": "https://gent.example/hooks", "event_types": ["application.teleported"]})
    assert unknown.status_code == 422 and unknown.json()["code"] == "UNKNOWN_EVENT_TYPE"
    citizen = await client.post("/v1/webhook-subscriptions", headers=api.citizen(), json={
        "url": "https://x.example/h", "event_types": ["application.decided"]})
    assert citizen.status_code == 403
