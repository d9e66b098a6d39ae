"""Application guards, the dossier lifecycle, jobs, decisions, appeals and object rules."""

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta

from df_support import at
from df_support import problem_code
from df_support import set_now
from sqlalchemy import text

from disaster_fund.worker import registry
from dkbuza_kit.clock import FixedClock
from dkbuza_kit.jobs import run_due_jobs


async def test_not_yet_published_disaster_is_refused(api):
    disaster = await api.create_disaster()
    response = await api.submit(disaster["id"], expect=422)
    assert response["code"] == "DISASTER_NOT_RECOGNISED"


async def test_outside_recognition_scope(api):
    disaster = await api.published_disaster(scope=["44021"])
    wrong_place = await api.submit(disaster["id"], municipality="44086", expect=422)
    assert wrong_place["code"] == "OUTSIDE_RECOGNITION_SCOPE"
    wrong_date = await api.submit(disaster["id"], damage_date="2024-06-05", expect=422)
    assert wrong_date["code"] == "OUTSIDE_RECOGNITION_SCOPE"
    # A pre-2025 code of a merged municipality maps to its new code (44012 -> 44086).
    other = await api.published_disaster()
    ok = await api.submit(other["id"], municipality="44012")
    assert ok["municipality_nis"] == "44086"


async def test_deadline_last_second_accepted_one_second_later_refused(api, harness):
    disaster = await api.published_disaster()   # published 2024-09-16 -> deadline 2024-12-31
    set_now(harness, at(2024, 12, 31, 22, 59, 59))   # 23:59:59 Brussels (CET)
    accepted = await api.submit(disaster["id"])
    assert accepted["state"] == "submitted"
    set_now(harness, at(2024, 12, 31, 23, 0, 0))     # 00:00:00 on 1 January, Brussels
    refused = await api.submit(disaster["id"], headers=api.citizen("late"), expect=422)
    assert refused["code"] == "APPLICATION_DEADLINE_PASSED"
    assert "2024-12-31" in refused["detail"] and "2024-09-16" in refused["detail"]
    assert refused["deadline"] == "2024-12-31" and refused["publication_date"] == "2024-09-16"


async def test_paper_applications_use_received_at(api, harness):
    disaster = await api.published_disaster()
    set_now(harness, at(2025, 1, 20))
    paper = {"applicant_id": "burger-77", "applicant_name": "J. Peeters"}
    on_time = await api.submit(disaster["id"], headers=api.handler,
                               received_at="2024-12-31T22:59:59Z", **paper)
    assert on_time["channel"] == "paper" and on_time["state"] == "submitted"
    late = await api.submit(disaster["id"], headers=api.handler, expect=422,
                            received_at="2024-12-31T23:00:00Z", **paper)
    assert late["code"] == "APPLICATION_DEADLINE_PASSED"
    missing = await api.submit(disaster["id"], headers=api.handler, expect=422)
    assert missing["code"] == "PAPER_APPLICATION_FIELDS_REQUIRED"
    citizen_paper = await api.submit(disaster["id"], expect=422, received_at="2024-12-01T10:00:00Z")
    assert citizen_paper["code"] == "PAPER_FIELDS_NOT_ALLOWED"


async def test_late_window_goes_to_late_review(api, harness):
    disaster = await api.published_disaster()   # late limit: 2025-09-16 and impediment + 3 months
    set_now(harness, at(2025, 3, 1))
    late = await api.submit(disaster["id"], late_motivation="ziekenhuisopname",
                            impediment_ended_on="2025-02-01")
    assert late["state"] == "late_review" and late["is_late"] is True
    outside = await api.submit(disaster["id"], headers=api.citizen("c2"), expect=422,
                               late_motivation="ziek", impediment_ended_on="2024-11-01")
    assert outside["code"] == "APPLICATION_DEADLINE_PASSED"   # impediment + 3 months passed
    # The handler accepts the late application into intake.
    intake = await api.step(late["id"], "intake")
    assert intake["state"] == "intake" and intake["dossier_number"].startswith("VRF-2025-")


async def test_crop_damage_after_the_transitional_regime(api, harness):
    disaster = await api.published_disaster(
        event_start=datetime(2025, 1, 10).date(), event_end=datetime(2025, 1, 12).date(),
        publication=datetime(2025, 3, 3).date(), decision=datetime(2025, 3, 1).date())
    set_now(harness, at(2025, 3, 10))
    refused = await api.submit(disaster["id"], category="agricultural_crops",
                               damage_date="2025-01-11", crop_area_ha="10",
                               insured_crop_area_ha="6", expect=422)
    assert refused["code"] == "TRANSITIONAL_REGIME_ENDED"
    # Crops that are not insurable in principle stay eligible.
    ok = await api.submit(disaster["id"], category="agricultural_crops", damage_date="2025-01-11",
                          crop_insurable_in_principle=False)
    assert ok["state"] == "submitted"


async def test_roles_and_object_rules(api, client):
    disaster = await api.published_disaster()
    mine = await api.submit(disaster["id"], headers=api.citizen("a"))
    await api.submit(disaster["id"], headers=api.citizen("b"))
    url = f"/v1/applications/{mine['id']}"
    assert (await client.get(url, headers=api.citizen("a"))).status_code == 200
    assert (await client.get(url, headers=api.citizen("b"))).status_code == 404
    assert (await client.get(url, headers=api.expert())).status_code == 404
    listed = await client.get("/v1/applications", headers=api.citizen("a"))
    assert listed.json()["total"] == 1
    # Municipality: its own public-domain damage only.
    ghent = api.h("vrf.municipality", org="44021", sub="gent")
    public = await api.submit(disaster["id"], headers=ghent, category="public_domain",
                              amount="50000.00")
    assert public["applicant_org"] == "44021"
    private = await api.submit(disaster["id"], headers=ghent, expect=422)
    assert private["code"] == "CATEGORY_NOT_ALLOWED"
    other = await api.submit(disaster["id"], headers=api.h("vrf.municipality", org="44086"),
                             category="public_domain", expect=403)
    assert other["code"] == "NOT_OWN_MUNICIPALITY"
    assert (await client.get(url, headers=ghent)).status_code == 404
    citizen_public = await api.submit(disaster["id"], headers=api.citizen("c"),
                                      category="public_domain", expect=422)
    assert citizen_public["code"] == "CATEGORY_NOT_ALLOWED"
    # Expert: only assigned dossiers.
    await api.step(mine["id"], "intake")
    await api.step(mine["id"], "expert_assigned", expert_sub="expert-1")
    assert (await client.get(url, headers=api.expert("expert-1"))).status_code == 200
    assert (await client.get(url, headers=api.expert("expert-2"))).status_code == 404
    listed = await client.get("/v1/applications", headers=api.expert("expert-1"))
    assert [a["id"] for a in listed.json()["items"]] == [mine["id"]]
    report = await client.post(f"{url}/expert-reports", headers=api.expert("expert-2"),
                               json={"assessed_amount": "1.00", "summary": "x"})
    assert report.status_code == 404
    # A citizen cannot run handler steps; mass assignment of state is refused.
    forbidden = await client.post(f"{url}/transitions", headers=api.citizen("a"),
                                  json={"to_state": "intake"})
    assert forbidden.status_code == 403
    extra = await client.post("/v1/applications", headers=api.citizen("z"), json={
        "disaster_id": disaster["id"], "municipality_nis": "44021", "damage_date": "2024-06-02",
        "category": "private_goods", "items": [{"description": "x", "claimed_amount": "1"}],
        "state": "paid"})
    assert extra.status_code == 422 and problem_code(extra) == "VALIDATION_ERROR"


async def test_illegal_application_transitions(api, client):
    disaster = await api.published_disaster()
    application = await api.submit(disaster["id"])
    refused = await api.step(application["id"], "report_accepted", expect=409)
    assert refused["code"] == "ILLEGAL_TRANSITION"
    own_resource = await api.step(application["id"], "paid", expect=409)
    assert own_resource["code"] == "ILLEGAL_TRANSITION"
    decision = await client.post(f"/v1/applications/{application['id']}/decisions",
                                 headers=api.manager, json={})
    assert decision.status_code == 409 and problem_code(decision) == "ILLEGAL_TRANSITION"
    no_reason = await api.step(application["id"], "inadmissible", expect=422)
    assert no_reason["code"] == "REASON_REQUIRED"
    inadmissible = await api.step(application["id"], "inadmissible", reason="geen schade")
    assert inadmissible["completion_kind"] == "inadmissible"
    again = await api.step(application["id"], "withdrawn", headers=api.citizen(), reason="x",
                           expect=409)
    assert again["code"] == "ILLEGAL_TRANSITION"


async def test_deemed_acceptance_by_the_scheduled_job(api, harness, client):
    disaster = await api.published_disaster()
    application = await api.submit(disaster["id"])
    set_now(harness, at(2024, 10, 31, 10))
    report = await api.to_report_sent(application["id"], assessed="8000.00")
    assert report["reaction_deadline"] == "2024-11-30"
    # On the last day of the term nothing happens ...
    clock = FixedClock(at(2024, 11, 30, 22, 59, 59))  # 23:59:59 Brussels
    assert await run_due_jobs(harness.sessionmaker, registry, clock) == 0
    # ... the next day the silence counts as acceptance, by `system`.
    clock.set(at(2024, 12, 1, 6))
    assert await run_due_jobs(harness.sessionmaker, registry, clock) == 1
    current = (await client.get(f"/v1/applications/{application['id']}", headers=api.handler)).json()
    assert current["state"] == "report_accepted" and current["assessed_amount"] == "8000.00"
    async with harness.sessionmaker() as session:
        event = (await session.execute(text(
            "SELECT actor, reason FROM application_events WHERE application_id = :id "
            "AND to_state = 'report_accepted'"), {"id": application["id"]})).one()
        audit = (await session.execute(text(
            "SELECT actor FROM audit_events WHERE entity_id = :id AND to_state = 'report_accepted'"),
            {"id": application["id"]})).scalar_one()
        emitted = (await session.execute(text(
            "SELECT count(*) FROM outbox_events WHERE type = 'application.report_accepted' "
            "AND subject = :id"), {"id": application["id"]})).scalar_one()
    assert tuple(event) == ("system", "deemed_accepted") and audit == "system" and emitted == 1
    reports = (await client.get(f"/v1/applications/{application['id']}/expert-reports",
                                headers=api.handler)).json()
    assert reports[0]["reaction"] == "deemed_accepted"


async def test_explicit_reaction_beats_the_job(api, harness, client):
    disaster = await api.published_disaster()
    application = await api.submit(disaster["id"])
    await api.to_report_sent(application["id"])
    await api.step(application["id"], "report_contested", headers=api.citizen(), reason="te laag")
    assert await run_due_jobs(harness.sessionmaker, registry, FixedClock(at(2025, 1, 15))) == 1
    current = (await client.get(f"/v1/applications/{application['id']}", headers=api.handler)).json()
    assert current["state"] == "report_contested"


async def test_decision_versions_rule_set_and_recomputation(api, client, harness):
    disaster = await api.published_disaster()
    application = await api.submit(disaster["id"], amount="25000.00")
    decision = await api.to_decided(application["id"], assessed="20500.00")
    rule_set = (await client.get(f"/v1/rule-sets/{decision['rule_set_id']}",
                                 headers=api.handler)).json()
    assert (rule_set["regime"], rule_set["version"]) == ("regime_2019", 1)
    assert decision["amount"] == "16000.00"      # (20500 - 500): 10000 * 0.9 + 10000 * 0.7
    assert decision["version"] == 1 and decision["kind"] == "initial"
    # A manager adds a new version of the regime: the stored decision does not change.
    content = rule_set["content"]
    content["brackets"] = [{"lower": "0.00", "upper": None, "rate": "1.00"}]
    added = await client.post("/v1/rule-sets", headers=api.manager, json={
        "regime": "regime_2019", "applies_from": "2020-01-01", "content": content})
    assert added.status_code == 201 and added.json()["version"] == 2
    url = f"/v1/applications/{application['id']}/decisions"
    recomputed = (await client.get(f"{url}/1/recomputation", headers=api.manager)).json()
    assert recomputed["identical"] is True and recomputed["recomputed_amount"] == "16000.00"
    # A rectification uses the newest version and is stored as version 2 of the decision.
    await api.step(application["id"], "decision_notified", on="2024-11-04")
    await api.step(application["id"], "rectifying", reason="rekenfout")
    rectified = await client.post(url, headers=api.manager, json={"assessed_amount": "10500.00"})
    assert rectified.status_code == 201, rectified.text
    assert rectified.json()["version"] == 2 and rectified.json()["kind"] == "rectification"
    assert rectified.json()["rule_set_id"] == added.json()["id"]
    assert rectified.json()["amount"] == "10000.00"
    versions = (await client.get(url, headers=api.citizen())).json()
    assert [v["amount"] for v in versions] == ["16000.00", "10000.00"]
    bad = await client.post("/v1/rule-sets", headers=api.manager, json={
        "regime": "regime_2019", "applies_from": "2020-01-01",
        "content": {**content, "brackets": [{"lower": "5.00", "upper": None, "rate": "1"}]}})
    assert bad.status_code == 422
    assert (await client.post("/v1/rule-sets", headers=api.handler, json={})).status_code == 403


async def test_decisions_through_the_api_franchise_and_public_domain(api, client):
    disaster = await api.published_disaster()
    cases = [("citizen-below", "private_goods", "499.00", "0.00", "BELOW_FRANCHISE"),
             ("citizen-equal", "private_goods", "500.00", "0.00", "BELOW_FRANCHISE"),
             ("citizen-above", "private_goods", "600.00", "90.00", None)]
    for sub, category, assessed, amount, reason in cases:
        application = await api.submit(disaster["id"], headers=api.citizen(sub), category=category)
        decision = await api.to_decided(application["id"], assessed=assessed)
        assert (decision["amount"], decision["reason_code"]) == (amount, reason), sub
    ghent = api.h("vrf.municipality", org="44021", sub="gent")
    public = await api.submit(disaster["id"], headers=ghent, category="public_domain",
                              amount="22500.00")
    decision = await api.to_decided(public["id"], assessed="22500.00")
    assert decision["amount"] == "9000.00"       # 22500 - 12500 = 10000 -> 9000
    crops = await api.submit(disaster["id"], headers=api.citizen("farmer"),
                             category="agricultural_crops", crop_area_ha="10",
                             insured_crop_area_ha="6")
    decision = await api.to_decided(crops["id"], assessed="10500.00")
    assert decision["amount"] == "8000.00"       # 10000 * 80 % (60 % insured)


async def test_payment_exactly_once_under_20_concurrent_attempts(api, client, harness):
    import asyncio

    disaster = await api.published_disaster()
    application = await api.submit(disaster["id"])
    await api.to_final(application["id"])
    body = {"application_id": application["id"]}
    responses = await asyncio.gather(*[
        client.post("/v1/payments", headers={**api.manager, "Idempotency-Key": f"k-{i}"}, json=body)
        for i in range(20)])
    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(201) == 1, statuses
    assert all(r.status_code == 409 for r in responses if r.status_code != 201)
    assert {problem_code(r) for r in responses if r.status_code == 409} == {"PAYMENT_EXISTS"}
    created = next(r for r in responses if r.status_code == 201).json()
    key = next(f"k-{i}" for i, r in enumerate(responses) if r.status_code == 201)
    replay = await client.post("/v1/payments", headers={**api.manager, "Idempotency-Key": key},
                               json=body)
    assert replay.status_code == 201 and replay.json() == created
    assert replay.headers.get("Idempotent-Replayed") == "true"
    async with harness.sessionmaker() as session:
        count = (await session.execute(text("SELECT count(*) FROM payments"))).scalar_one()
    assert count == 1
    assert created["amount"] == "8550.00"        # (10000 - 500) * 0.9


async def test_appeal_blocks_payment_and_out_of_time_flag(api, client):
    disaster = await api.published_disaster()
    application = await api.submit(disaster["id"])
    await api.to_decided(application["id"])
    await api.step(application["id"], "decision_notified", on="2024-11-04")
    url = f"/v1/applications/{application['id']}/appeals"
    api.ensure_now_after(date(2024, 12, 4) - timedelta(days=1))
    appeal = await client.post(url, headers=api.handler, json={"lodged_on": "2024-12-04"})
    assert appeal.status_code == 201 and appeal.json()["flags"] == []   # last day of the term
    blocked = await client.post("/v1/payments", headers=api.manager,
                                json={"application_id": application["id"]})
    assert blocked.status_code == 409 and problem_code(blocked) == "APPEAL_PENDING"
    final = await api.step(application["id"], "final", expect=409)
    assert final["code"] in ("ILLEGAL_TRANSITION", "APPEAL_PENDING")
    api.ensure_now_after(date(2025, 3, 1) - timedelta(days=1))
    judged = await client.post(f"{url}/{appeal.json()['id']}/judgment", headers=api.manager,
                               json={"judgment_on": "2025-03-01", "amount": "9000.00"})
    assert judged.status_code == 200 and judged.json()["status"] == "judged"
    current = (await client.get(f"/v1/applications/{application['id']}", headers=api.handler)).json()
    assert current["state"] == "final" and current["decision_version"] == 2
    assert current["decided_amount"] == "9000.00"
    # A late appeal against the final judgment version is recorded with OUT_OF_TIME.
    api.ensure_now_after(date(2025, 6, 1) - timedelta(days=1))
    late = await client.post(url, headers=api.handler, json={"lodged_on": "2025-06-01"})
    assert late.status_code == 201 and late.json()["flags"] == ["OUT_OF_TIME"]
    blocked = await client.post("/v1/payments", headers=api.manager,
                                json={"application_id": application["id"]})
    assert problem_code(blocked) == "APPEAL_PENDING"


async def test_finality_job_after_one_month_without_appeal(api, client, harness):
    disaster = await api.published_disaster()
    application = await api.submit(disaster["id"])
    await api.to_decided(application["id"])
    await api.step(application["id"], "decision_notified", on="2024-11-04")
    assert await run_due_jobs(harness.sessionmaker, registry,
                              FixedClock(datetime(2024, 12, 4, 22, tzinfo=UTC))) == 1  # deemed job
    current = (await client.get(f"/v1/applications/{application['id']}", headers=api.handler)).json()
    assert current["state"] == "decision_notified"
    assert await run_due_jobs(harness.sessionmaker, registry,
                              FixedClock(datetime(2024, 12, 5, 6, tzinfo=UTC))) == 1
    current = (await client.get(f"/v1/applications/{application['id']}", headers=api.handler)).json()
    assert current["state"] == "final"


async def test_full_lifecycle_payment_and_recovery(api, client):
    disaster = await api.published_disaster()
    application = await api.submit(disaster["id"])
    aid = application["id"]
    await api.step(aid, "intake")
    await api.step(aid, "waiting_for_documents", reason="foto's")
    await api.step(aid, "intake")
    await api.step(aid, "expert_assigned", expert_sub="expert-1")
    sent = await client.post(f"/v1/applications/{aid}/expert-reports", headers=api.expert(),
                             json={"assessed_amount": "10000.00", "summary": "ok"})
    assert sent.status_code == 201
    await api.step(aid, "report_accepted", headers=api.citizen())
    await client.post(f"/v1/applications/{aid}/decisions", headers=api.manager, json={})
    await api.step(aid, "decision_notified", on="2024-11-04")
    await api.step(aid, "final", reason="agreed")
    payment = await client.post("/v1/payments", headers=api.manager, json={"application_id": aid})
    assert payment.status_code == 201
    api.ensure_now_after(date(2024, 12, 10) - timedelta(days=1))
    executed = await client.post(f"/v1/payments/{payment.json()['id']}/execution",
                                 headers=api.manager, json={"executed_on": "2024-12-10"})
    assert executed.status_code == 200 and executed.json()["state"] == "executed"
    paid = (await client.get(f"/v1/applications/{aid}", headers=api.handler)).json()
    assert paid["state"] == "paid" and paid["completed_on"] == "2024-12-10"
    assert paid["completion_kind"] == "paid" and paid["completed_on_time"] is True
    too_much = await client.post("/v1/recoveries", headers=api.manager, json={
        "application_id": aid, "amount": "9000.00", "reason": "dubbele vergoeding"})
    assert too_much.status_code == 422 and problem_code(too_much) == "RECOVERY_EXCEEDS_PAID"
    recovery = await client.post("/v1/recoveries", headers=api.manager, json={
        "application_id": aid, "amount": "1000.00", "reason": "verzekering betaalde"})
    assert recovery.status_code == 201
    settled = await client.post(f"/v1/recoveries/{recovery.json()['id']}/transitions",
                                headers=api.manager, json={"to_state": "settled"})
    assert settled.status_code == 200
    again = await client.post(f"/v1/recoveries/{recovery.json()['id']}/transitions",
                              headers=api.manager, json={"to_state": "written_off"})
    assert problem_code(again) == "ILLEGAL_TRANSITION"
    after = (await client.get(f"/v1/applications/{aid}", headers=api.handler)).json()
    assert after["recovered_amount"] == "1000.00" and after["completed_on"] == "2024-12-10"
    withdraw = await api.step(aid, "withdrawn", headers=api.citizen(), reason="x", expect=409)
    assert withdraw["code"] == "ILLEGAL_TRANSITION"


async def test_pauses_and_turnaround_from_a_hand_computed_timeline(api, client, harness):
    disaster = await api.published_disaster()
    set_now(harness, at(2024, 10, 1, 8))
    application = await api.submit(disaster["id"])
    aid = application["id"]
    set_now(harness, at(2024, 10, 5, 8))
    await api.step(aid, "intake")
    set_now(harness, at(2024, 10, 10, 8))
    await api.step(aid, "waiting_for_documents")           # automatic pause, 10 days
    set_now(harness, at(2024, 10, 20, 8))
    await api.step(aid, "intake")
    url = f"/v1/applications/{aid}/pauses"
    refused = await client.post(url, headers=api.handler, json={"reason": "expert_on_holiday"})
    assert refused.status_code == 422 and problem_code(refused) == "PAUSE_REASON_NOT_ALLOWED"
    overlap = await client.post(url, headers=api.handler, json={
        "reason": "waiting_insurer_attest", "started_at": "2024-10-15T08:00:00Z"})
    assert overlap.status_code == 409 and problem_code(overlap) == "PAUSE_OVERLAP"
    set_now(harness, at(2024, 10, 25, 8))
    attest = await client.post(url, headers=api.handler, json={"reason": "waiting_insurer_attest"})
    assert attest.status_code == 201
    second = await client.post(url, headers=api.handler, json={"reason": "waiting_for_documents"})
    assert problem_code(second) == "PAUSE_OVERLAP"
    set_now(harness, at(2024, 10, 28, 8))
    ended = await client.post(f"{url}/{attest.json()['id']}/end", headers=api.handler, json={})
    assert ended.status_code == 200                         # 3 days
    set_now(harness, at(2024, 10, 31, 8))
    await api.step(aid, "expert_assigned", expert_sub="expert-1")
    set_now(harness, at(2024, 11, 6, 8))
    # An open pause counts until now.
    await client.post(url, headers=api.handler, json={"reason": "waiting_insurer_attest",
                                                      "started_at": "2024-11-04T08:00:00Z"})
    turnaround = (await client.get(f"/v1/applications/{aid}/turnaround",
                                   headers=api.handler)).json()
    assert [(s["phase"], s["gross_days"], s["net_days"]) for s in turnaround["spans"]] == [
        ("intake", 30, 17),       # 1 Oct -> 31 Oct; 10 + 3 paused
        ("expertise", 6, 4),      # 31 Oct -> 6 Nov (today); open pause since 4 Nov
    ]
    assert (turnaround["gross_days"], turnaround["net_days"]) == (36, 21)
    assert turnaround["current_phase"] == "expertise" and turnaround["current_norm_days"] == 120
    # Leaving intake added its span to the per-phase lead-time figures (dashboard and KPIs).
    board = (await client.get(f"/v1/disasters/{disaster['id']}/dashboard",
                              headers=api.manager)).json()
    assert board["phases"] == [{"phase": "intake", "completed_spans": 1, "gross_avg_days": 30.0,
                                "net_avg_days": 17.0}]
    kpis = {k["id"]: k for k in (await client.get("/v1/kpis", headers=api.manager)).json()}
    assert kpis["dossier_lead_time_intake_net_avg_days"]["value"] == 17.0
    assert kpis["dossier_lead_time_intake_net_avg_days"]["target"] == 30


async def test_dossier_history_is_append_only_and_get_carries_an_etag(api, client, harness):
    import pytest
    from sqlalchemy.exc import DBAPIError

    disaster = await api.published_disaster()
    application = await api.submit(disaster["id"])
    await api.step(application["id"], "intake")
    response = await client.get(f"/v1/applications/{application['id']}", headers=api.handler)
    assert response.headers["ETag"] == '"2"'
    for statement in ("UPDATE application_events SET actor = 'x'", "DELETE FROM application_events"):
        with pytest.raises(DBAPIError):
            async with harness.sessionmaker() as session, session.begin():
                await session.execute(text(statement))
    async with harness.sessionmaker() as session:
        history = (await session.execute(text(
            "SELECT action, to_state FROM application_events WHERE application_id = :id "
            "ORDER BY id"), {"id": application["id"]})).all()
    assert [tuple(row) for row in history] == [("submitted", "submitted"), ("transition", "intake")]
