"""Issue 15 "tried" list: every step date true to its dossier, bounded amounts and norms,
consistent facts, interest as its own payment kind, lead times net of every pause, regimes."""


from df_support import at
from df_support import problem_code
from df_support import set_now
from sqlalchemy import text


async def count(harness, sql: str, **params) -> int:
    async with harness.sessionmaker() as session:
        return int(await session.scalar(text(sql), params) or 0)


async def audit_count(harness, entity_id, action: str) -> int:
    return await count(harness, "SELECT count(*) FROM audit_events WHERE entity_id = :id "
                       "AND action = :action", id=str(entity_id), action=action)


# --- step dates of a dossier -------------------------------------------------------------------

async def test_inadmissible_far_past_or_future_is_refused_and_nothing_written(api, harness):
    disaster = await api.published_disaster()
    application = await api.submit(disaster["id"])   # received today, 2024-10-01
    url = f"/v1/applications/{application['id']}/transitions"

    async def inadmissible_on(day):
        return (await api.client.post(url, headers=api.handler, json={
            "to_state": "inadmissible", "reason": "x", "on": day})).json()

    past = await inadmissible_on("1950-01-01")
    assert past["code"] == "DATE_BEFORE_PREDECESSOR" and past["bound"] == "received_on"
    assert (await inadmissible_on("2199-12-31"))["code"] == "VALIDATION_ERROR"
    assert (await inadmissible_on("2099-12-31"))["code"] == "DATE_IN_FUTURE"
    current = (await api.client.get(f"/v1/applications/{application['id']}",
                                    headers=api.handler)).json()
    assert current["state"] == "submitted" and current["completed_on"] is None
    assert await count(harness, "SELECT count(*) FROM application_events "
                       "WHERE to_state = 'inadmissible'") == 0
    ok = await api.step(application["id"], "inadmissible", reason="geen schade", on="2024-10-01")
    assert ok["completed_on"] == "2024-10-01"


async def test_decision_notified_in_the_future_is_refused(api, harness):
    disaster = await api.published_disaster()
    application = await api.submit(disaster["id"])
    await api.to_decided(application["id"])
    future = await api.client.post(f"/v1/applications/{application['id']}/transitions",
                                   headers=api.handler,
                                   json={"to_state": "decision_notified", "on": "2099-01-01"})
    assert future.status_code == 422 and problem_code(future) == "DATE_IN_FUTURE"
    before = await api.client.post(f"/v1/applications/{application['id']}/transitions",
                                   headers=api.handler,
                                   json={"to_state": "decision_notified", "on": "2024-09-30"})
    assert problem_code(before) == "DATE_BEFORE_PREDECESSOR"
    current = (await api.client.get(f"/v1/applications/{application['id']}",
                                    headers=api.handler)).json()
    assert current["state"] == "decided"
    assert await count(harness, "SELECT count(*) FROM decisions WHERE received_on IS NOT NULL") == 0


async def test_appeal_lodged_in_the_future_is_refused(api, client, harness):
    disaster = await api.published_disaster()
    application = await api.submit(disaster["id"])
    await api.to_decided(application["id"])
    await api.step(application["id"], "decision_notified", on="2024-10-01")
    url = f"/v1/applications/{application['id']}/appeals"
    future = await client.post(url, headers=api.handler, json={"lodged_on": "2099-01-01"})
    assert future.status_code == 422 and problem_code(future) == "DATE_IN_FUTURE"
    assert await count(harness, "SELECT count(*) FROM appeals") == 0


async def test_payment_executed_before_its_order_is_refused(api, client, harness):
    disaster = await api.published_disaster()
    application = await api.submit(disaster["id"])
    await api.to_final(application["id"], received_on="2024-10-01")
    payment = (await client.post("/v1/payments", headers=api.manager,
                                 json={"application_id": application["id"]})).json()
    url = f"/v1/payments/{payment['id']}/execution"
    early = await client.post(url, headers=api.manager, json={"executed_on": "2000-01-01"})
    assert early.status_code == 422 and problem_code(early) == "DATE_BEFORE_PREDECESSOR"
    future = await client.post(url, headers=api.manager, json={"executed_on": "2099-01-01"})
    assert problem_code(future) == "DATE_IN_FUTURE"
    assert (await client.get(f"/v1/payments/{payment['id']}", headers=api.manager)
            ).json()["state"] == "ordered"
    assert (await client.post(url, headers=api.manager, json={})).status_code == 200


# --- the disaster's procedure ------------------------------------------------------------------

async def test_disaster_steps_follow_the_event_and_each_other(api, harness):
    disaster = await api.create_disaster()   # event 2024-06-01..03, today 2024-10-01
    did = disaster["id"]
    before_event = await api.move(did, "investigation", on="2024-05-01")
    assert before_event.status_code == 422 and problem_code(before_event) == "DATE_BEFORE_ORIGIN"
    assert (await api.move(did, "investigation", on="2024-06-10")).status_code == 200
    criteria = [{"kind": "scientific", "name": "rain", "measured_value": "80", "threshold": "60",
                 "unit": "mm"}]
    assert (await api.move(did, "assessed", on="2024-07-01", criteria=criteria)).status_code == 200
    assert (await api.move(did, "submitted_to_government", on="2024-08-01")).status_code == 200
    recognised_2020 = await api.move(did, "recognised", decision_date="2020-01-01")
    assert problem_code(recognised_2020) == "DATE_BEFORE_PREDECESSOR"
    assert (await api.move(did, "recognised", decision_date="2024-09-02")).status_code == 200
    published_2199 = await api.move(did, "published", publication_date="2199-01-04")
    assert published_2199.status_code == 422
    published_2099 = await api.move(did, "published", publication_date="2099-01-04")
    assert problem_code(published_2099) == "DATE_IN_FUTURE"
    current = (await api.client.get(f"/v1/disasters/{did}", headers=api.manager)).json()
    assert current["state"] == "recognised" and current["publication_date"] is None
    assert current["deadlines"]["application_deadline"] is None


async def test_events_in_the_future_or_before_flemish_competence_are_refused(api, client, harness):
    def body(start, end):
        return {"title": "x", "phenomenon": "storm", "event_start": start, "event_end": end,
                "municipalities": ["44021"]}
    far = await client.post("/v1/disasters", headers=api.manager, json=body("2199-01-01", "2199-01-02"))
    assert far.status_code == 422 and problem_code(far) == "VALIDATION_ERROR"
    future = await client.post("/v1/disasters", headers=api.manager,
                               json=body("2024-10-20", "2024-10-21"))
    assert problem_code(future) == "DATE_IN_FUTURE"
    federal = await client.post("/v1/disasters", headers=api.manager,
                                json=body("2014-06-30", "2014-07-02"))
    assert problem_code(federal) == "EVENT_BEFORE_FLEMISH_COMPETENCE"
    assert federal.json()["competence_from"] == "2014-07-01"
    law_1976 = await client.post("/v1/disasters", headers=api.manager,
                                 json=body("2016-06-23", "2016-06-23"))
    assert problem_code(law_1976) == "REGIME_NOT_SUPPORTED"
    assert "12 July 1976" in law_1976.json()["detail"]
    assert await count(harness, "SELECT count(*) FROM disasters") == 0


async def test_regimes_carry_their_legal_basis_and_the_2019_phenomena(api, client):
    rule_sets = (await client.get("/v1/rule-sets", headers=api.manager)).json()
    items = rule_sets["items"] if isinstance(rule_sets, dict) else rule_sets
    by_regime = {r["regime"]: r for r in items}
    basis_2019 = by_regime["regime_2019"]["content"]["legal_basis"]
    assert basis_2019["applies_to_events_from"] == "2020-01-01" and basis_2019["verified"] is True
    basis_2016 = by_regime["regime_2016"]["content"]["legal_basis"]
    assert basis_2016["verified"] is False and "2016036021" in basis_2016["gazette"]
    assert by_regime["regime_2016"]["applies_from"] == "2017-01-01"
    assert "expert_excess_ratio" in by_regime["regime_2019"]["content"]["working_values"]
    tornado = await api.create_disaster(phenomenon="tornado")
    assert tornado["phenomenon"] == "tornado"
    for phenomenon in ("hurricane", "wildfire", "snow_ice_pressure", "subsidence"):
        assert (await client.post("/v1/disasters", headers=api.manager, json={
            "title": phenomenon, "phenomenon": phenomenon, "event_start": "2024-06-01",
            "event_end": "2024-06-02", "municipalities": ["44021"]})).status_code == 201


async def test_criteria_met_is_computed_never_taken_from_the_client(api):
    disaster = await api.create_disaster()
    did = disaster["id"]
    await api.move(did, "investigation", on="2024-06-10")
    claimed_met = await api.move(did, "assessed", on="2024-07-01", criteria=[
        {"kind": "scientific", "name": "rain", "measured_value": "40", "threshold": "50",
         "unit": "mm", "met": True}])
    assert claimed_met.status_code == 422
    assessed = await api.move(did, "assessed", on="2024-07-01", criteria=[
        {"kind": "scientific", "name": "rain", "measured_value": "40", "threshold": "50",
         "unit": "mm"},
        {"kind": "scientific", "name": "deficit", "measured_value": "-120", "threshold": "-100",
         "comparison": "at_most", "unit": "mm"}])
    assert assessed.status_code == 200, assessed.text
    assert [c["met"] for c in assessed.json()["criteria"]] == [False, True]


async def test_damage_report_before_the_event_started_is_refused(api, client, harness):
    disaster = await api.create_disaster()   # event starts 2024-06-01
    set_now(harness, at(2024, 5, 2))          # 30 days before the event
    response = await client.post("/v1/damage-reports", headers=api.citizen(), json={
        "disaster_id": disaster["id"], "municipality_nis": "44021", "description": "storm"})
    assert response.status_code == 422 and problem_code(response) == "DATE_BEFORE_ORIGIN"
    assert await count(harness, "SELECT count(*) FROM damage_reports") == 0


# --- the application window and the application's own facts -----------------------------------

async def test_paper_application_before_publication_is_refused(api, harness):
    disaster = await api.published_disaster()   # published 2024-09-16
    paper = {"applicant_id": "burger-1", "applicant_name": "J. Peeters"}
    before = await api.submit(disaster["id"], headers=api.handler, expect=422,
                              received_at="2024-09-10T10:00:00Z", **paper)
    assert before["code"] == "DATE_BEFORE_ORIGIN" and before["bound"] == "publication_date"
    in_2000 = await api.submit(disaster["id"], headers=api.handler, expect=422,
                               received_at="2000-01-03T10:00:00Z", **paper)
    assert in_2000["code"] == "DATE_BEFORE_ORIGIN"
    future = await api.submit(disaster["id"], headers=api.handler, expect=422,
                              received_at="2024-10-05T10:00:00Z", **paper)
    assert future["code"] == "DATE_IN_FUTURE"
    assert await count(harness, "SELECT count(*) FROM applications") == 0
    ok = await api.submit(disaster["id"], headers=api.handler,
                          received_at="2024-09-16T10:00:00Z", **paper)
    assert ok["channel"] == "paper"


async def test_priority_needs_a_reason_and_insurance_must_be_consistent(api, harness):
    disaster = await api.published_disaster()
    priority = await api.submit(disaster["id"], priority_requested=True, expect=422)
    assert priority["code"] == "PRIORITY_REASON_REQUIRED"
    insured = await api.submit(disaster["id"], insured=False, insurance_compensation="5000.00",
                               expect=422)
    assert insured["code"] == "INSURANCE_INCONSISTENT"
    assert await count(harness, "SELECT count(*) FROM applications") == 0
    ok = await api.submit(disaster["id"], priority_requested=True,
                          priority_reason="woning onbewoonbaar", insured=True,
                          insurance_compensation="5000.00")
    assert ok["priority_requested"] is True


async def test_expert_amount_far_above_the_claim_needs_a_reason_and_a_second_handler(api, client):
    disaster = await api.published_disaster()
    application = await api.submit(disaster["id"], amount="1000.00")
    aid = application["id"]
    await api.step(aid, "intake")   # handler-1 is the dossier's handler
    await api.step(aid, "expert_assigned", expert_sub="expert-1")
    url = f"/v1/applications/{aid}/expert-reports"
    huge = await client.post(url, headers=api.expert(), json={
        "assessed_amount": "999999999999.99", "summary": "x"})
    assert huge.status_code == 422
    no_reason = await client.post(url, headers=api.expert(), json={
        "assessed_amount": "5000.00", "summary": "x"})
    assert no_reason.status_code == 422 and problem_code(no_reason) == "EXCESS_REASON_REQUIRED"
    report = await client.post(url, headers=api.expert(), json={
        "assessed_amount": "5000.00", "summary": "x", "excess_reason": "fundering verzakt"})
    assert report.status_code == 201, report.text
    await api.step(aid, "report_accepted", headers=api.citizen())
    decide = await client.post(f"/v1/applications/{aid}/decisions", headers=api.manager, json={})
    assert decide.status_code == 409 and problem_code(decide) == "EXCESS_NOT_APPROVED"
    approval = f"{url}/{report.json()['id']}/approval"
    own = await client.post(approval, headers=api.handler)
    assert own.status_code == 403 and problem_code(own) == "SECOND_HANDLER_REQUIRED"
    second = await client.post(approval, headers=api.h("vrf.handler", sub="handler-2"))
    assert second.status_code == 200 and second.json()["excess_approved_by"] == "handler-2"
    decided = await client.post(f"/v1/applications/{aid}/decisions", headers=api.manager, json={})
    assert decided.status_code == 201, decided.text


# --- norms, interest, lead times -------------------------------------------------------------------

async def test_phase_norms_are_bounded_and_norm_alerts_keep_working(api, client):
    current = (await client.get("/v1/rule-sets", headers=api.manager)).json()
    items = current["items"] if isinstance(current, dict) else current
    base = next(r for r in items if r["regime"] == "regime_2019")
    for bad in (-30, 10**12):
        content = {**base["content"], "phase_norms_days": {**base["content"]["phase_norms_days"],
                                                           "intake": bad}}
        response = await client.post("/v1/rule-sets", headers=api.manager, json={
            "regime": "regime_2019", "applies_from": "2020-01-01", "content": content})
        assert response.status_code == 422, (bad, response.text)
    alerts = await client.get("/v1/applications/norm-alerts", headers=api.handler)
    assert alerts.status_code == 200


async def test_interest_is_its_own_payment_and_never_consumes_the_compensation(api, client):
    disaster = await api.published_disaster()
    application = await api.submit(disaster["id"])
    aid = application["id"]
    await api.to_decided(aid)
    await api.step(aid, "decision_notified", on="2024-10-01")
    before_judgment = await client.post("/v1/payments", headers=api.manager, json={
        "application_id": aid, "payment_type": "interest", "amount": "120.00",
        "interest_basis": "judgment"})
    assert problem_code(before_judgment) == "DECISION_NOT_FINAL"
    appeal = (await client.post(f"/v1/applications/{aid}/appeals", headers=api.handler,
                                json={"lodged_on": "2024-10-01"})).json()
    judged = await client.post(f"/v1/applications/{aid}/appeals/{appeal['id']}/judgment",
                               headers=api.manager,
                               json={"judgment_on": "2024-10-01", "amount": "9000.00"})
    assert judged.status_code == 200, judged.text
    no_amount = await client.post("/v1/payments", headers=api.manager, json={
        "application_id": aid, "payment_type": "interest"})
    assert problem_code(no_amount) == "INTEREST_AMOUNT_REQUIRED"
    interest = await client.post("/v1/payments", headers=api.manager, json={
        "application_id": aid, "payment_type": "interest", "amount": "120.00",
        "interest_basis": "judgment"})
    assert interest.status_code == 201, interest.text
    assert interest.json()["amount"] == "120.00"
    state = (await client.get(f"/v1/applications/{aid}", headers=api.handler)).json()["state"]
    assert state == "final"   # interest does not move the dossier
    compensation = await client.post("/v1/payments", headers=api.manager,
                                     json={"application_id": aid})
    assert compensation.status_code == 201, compensation.text
    assert compensation.json()["amount"] == "9000.00"
    again = await client.post("/v1/payments", headers=api.manager, json={
        "application_id": aid, "payment_type": "interest", "amount": "10.00",
        "interest_basis": "late_payment"})
    assert problem_code(again) == "PAYMENT_EXISTS"
    for payment in (interest.json(), compensation.json()):
        executed = await client.post(f"/v1/payments/{payment['id']}/execution",
                                     headers=api.manager, json={})
        assert executed.status_code == 200, executed.text
    paid = (await client.get(f"/v1/applications/{aid}", headers=api.handler)).json()
    assert paid["state"] == "paid" and paid["paid_amount"] == "9000.00"


async def test_late_payment_interest_follows_an_ordered_compensation(api, client):
    disaster = await api.published_disaster()
    application = await api.submit(disaster["id"])
    aid = application["id"]
    await api.to_final(aid, received_on="2024-10-01")
    early = await client.post("/v1/payments", headers=api.manager, json={
        "application_id": aid, "payment_type": "interest", "amount": "50.00",
        "interest_basis": "late_payment"})
    assert problem_code(early) == "INTEREST_NOT_DUE"
    judgment = await client.post("/v1/payments", headers=api.manager, json={
        "application_id": aid, "payment_type": "interest", "amount": "50.00",
        "interest_basis": "judgment"})
    assert problem_code(judgment) == "INTEREST_NOT_DUE"
    wrong = await client.post("/v1/payments", headers=api.manager, json={
        "application_id": aid, "amount": "50.00"})
    assert problem_code(wrong) == "AMOUNT_NOT_ALLOWED"
    assert (await client.post("/v1/payments", headers=api.manager,
                              json={"application_id": aid})).status_code == 201
    late = await client.post("/v1/payments", headers=api.manager, json={
        "application_id": aid, "payment_type": "interest", "amount": "50.00",
        "interest_basis": "late_payment"})
    assert late.status_code == 201, late.text


async def test_phase_lead_times_net_of_a_pause_recorded_later_equal_the_turnaround(
        api, client, harness):
    disaster = await api.published_disaster()
    application = await api.submit(disaster["id"])   # received 2024-10-01
    aid = application["id"]
    await api.step(aid, "intake")
    set_now(harness, at(2024, 12, 1))
    await api.step(aid, "expert_assigned", expert_sub="expert-1")   # intake: 61 gross days
    set_now(harness, at(2024, 12, 15))
    pause = await client.post(f"/v1/applications/{aid}/pauses", headers=api.handler, json={
        "reason": "waiting_insurer_attest", "started_at": "2024-10-11T10:00:00Z",
        "ended_at": "2024-11-10T10:00:00Z"})
    assert pause.status_code == 201, pause.text
    turnaround = (await client.get(f"/v1/applications/{aid}/turnaround",
                                   headers=api.handler)).json()
    assert turnaround["totals"]["intake"] == {"gross_days": 61, "net_days": 31}
    dashboard = (await client.get(f"/v1/disasters/{disaster['id']}/dashboard",
                                  headers=api.manager)).json()
    intake = next(p for p in dashboard["phases"] if p["phase"] == "intake")
    assert (intake["gross_avg_days"], intake["net_avg_days"]) == (61, 31)
    kpis = {k["id"]: k for k in (await client.get(
        "/v1/kpis", headers=harness.headers("kpi.reader"))).json()}
    assert kpis["dossier_lead_time_intake_net_avg_days"]["value"] == 31.0


# --- paper intake of damage reports -------------------------------------------------------------

async def test_paper_damage_report_received_on_day_60_typed_on_day_75(api, client, harness):
    disaster = await api.create_disaster()   # event ends 2024-06-03: day 60 = 2024-08-02
    set_now(harness, at(2024, 8, 17))         # day 75: the handler types the paper report
    body = {"disaster_id": disaster["id"], "municipality_nis": "44021",
            "description": "water in de kelder", "reporter_id": "burger-9"}
    typed_late = await client.post("/v1/damage-reports", headers=api.handler,
                                   json={**body, "received_on": "2024-08-02"})
    assert typed_late.status_code == 201, typed_late.text
    assert typed_late.json()["channel"] == "paper"
    assert typed_late.json()["received_on"] == "2024-08-02"
    assert await audit_count(harness, typed_late.json()["id"], "registered_from_paper") == 1
    day_61 = await client.post("/v1/damage-reports", headers=api.handler,
                               json={**body, "reporter_id": "burger-10", "received_on": "2024-08-03"})
    assert day_61.status_code == 422 and problem_code(day_61) == "REPORT_WINDOW_CLOSED"
    citizen = await client.post("/v1/damage-reports", headers=api.citizen(), json={
        "disaster_id": disaster["id"], "municipality_nis": "44021", "description": "x",
        "received_on": "2024-08-01"})
    assert problem_code(citizen) == "PAPER_FIELDS_NOT_ALLOWED"
    future = await client.post("/v1/damage-reports", headers=api.handler,
                               json={**body, "reporter_id": "burger-11", "received_on": "2024-08-20"})
    assert problem_code(future) == "DATE_IN_FUTURE"
    assert await count(harness, "SELECT count(*) FROM damage_reports") == 1


async def test_advice_judgment_and_recovery_dates_follow_their_steps(api, client, harness):
    disaster = await api.create_disaster()
    did = disaster["id"]
    await api.move(did, "investigation", on="2024-06-10")
    await api.move(did, "awaiting_advice")
    url = f"/v1/disasters/{did}/advice-requests"
    early = await client.post(url, headers=api.manager,
                              json={"institute": "kmi", "requested_on": "2024-06-01"})
    assert problem_code(early) == "DATE_BEFORE_PREDECESSOR"
    future = await client.post(url, headers=api.manager,
                               json={"institute": "kmi", "requested_on": "2099-06-01"})
    assert problem_code(future) == "DATE_IN_FUTURE"
    advice = (await client.post(url, headers=api.manager,
                                json={"institute": "kmi", "requested_on": "2024-06-12"})).json()
    receipt = await client.post(f"{url}/{advice['id']}/receipt", headers=api.manager,
                                json={"received_on": "2024-06-11"})
    assert problem_code(receipt) == "DATE_BEFORE_PREDECESSOR"
    assert await count(harness, "SELECT count(*) FROM advice_requests") == 1

    published = await api.published_disaster()
    application = await api.submit(published["id"])
    aid = application["id"]
    await api.to_decided(aid)
    await api.step(aid, "decision_notified", on="2024-10-01")
    appeal = (await client.post(f"/v1/applications/{aid}/appeals", headers=api.handler,
                                json={"lodged_on": "2024-10-01"})).json()
    judgment_url = f"/v1/applications/{aid}/appeals/{appeal['id']}/judgment"
    before = await client.post(judgment_url, headers=api.manager,
                               json={"judgment_on": "2024-09-30", "amount": "100.00"})
    assert problem_code(before) == "DATE_BEFORE_PREDECESSOR"
    assert (await client.post(judgment_url, headers=api.manager, json={
        "judgment_on": "2024-10-01", "amount": "9000.00"})).status_code == 200
    payment = (await client.post("/v1/payments", headers=api.manager,
                                 json={"application_id": aid})).json()
    await client.post(f"/v1/payments/{payment['id']}/execution", headers=api.manager, json={})
    recovery = (await client.post("/v1/recoveries", headers=api.manager, json={
        "application_id": aid, "amount": "100.00", "reason": "verzekering"})).json()
    settle = await client.post(f"/v1/recoveries/{recovery['id']}/transitions",
                               headers=api.manager, json={"to_state": "settled",
                                                          "on": "2099-01-01"})
    assert problem_code(settle) == "DATE_IN_FUTURE"
    assert (await client.get(f"/v1/recoveries?application_id={aid}", headers=api.manager)
            ).json()["items"][0]["state"] == "open"


async def test_pause_dates_follow_the_receipt_and_never_lie_ahead(api, client, harness):
    disaster = await api.published_disaster()
    application = await api.submit(disaster["id"])   # received 2024-10-01T12:00Z
    url = f"/v1/applications/{application['id']}/pauses"
    early = await client.post(url, headers=api.handler, json={
        "reason": "waiting_insurer_attest", "started_at": "2024-09-01T10:00:00Z"})
    assert early.status_code == 422 and problem_code(early) == "DATE_BEFORE_ORIGIN"
    ahead = await client.post(url, headers=api.handler, json={
        "reason": "waiting_insurer_attest", "started_at": "2024-10-01T12:00:00Z",
        "ended_at": "2024-12-01T10:00:00Z"})
    assert problem_code(ahead) == "DATE_IN_FUTURE"
    assert await count(harness, "SELECT count(*) FROM pauses") == 0
