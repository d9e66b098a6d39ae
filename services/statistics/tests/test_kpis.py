"""KPIs over a hand-computed fixture (see the comments for each expected figure)."""

from datetime import UTC
from datetime import datetime

ENTITY_A = "TEST-A"
ENTITY_B = "TEST-B"
FIXTURE = {"label": "Testcatalogus (fictief)", "indicators": [
    {"code": "13.1", "principle": "13", "text": "FICTIEVE TESTINDICATOR A"},
    {"code": "15.1", "principle": "15", "text": "FICTIEVE TESTINDICATOR B"}]}


async def test_kpis_from_release_facts(api, clock, harness):
    def at(*args):
        clock.set(datetime(*args, tzinfo=UTC))

    await api.entity(ENTITY_A)
    await api.entity(ENTITY_B)
    stat_a = (await api.statistic("STAT-A", ENTITY_A, datasets=[
        {"url": "https://example.org/a.csv", "format": "CSV", "licence": "CC-BY"}]))["id"]
    stat_b = (await api.statistic("STAT-B", ENTITY_B, periodicity="quarterly"))["id"]
    # 3 March: announce four releases
    r1 = await api.release(stat_a, "2025-04-15")  # exact day 43 days ahead
    r2 = await api.release(stat_a, "2025-06", vintage="final")
    r3 = await api.release(stat_b, "2025-03-31", reference_period="2024-Q4")  # 28 days ahead
    await api.release(stat_b, "2025-05-15", reference_period="2025-Q1")  # never published
    at(2025, 3, 10, 9, 0)
    assert (await api.reschedule(r3["id"], "2025-03-28")).status_code == 201  # 18 days ahead
    at(2025, 3, 28, 9, 0)
    assert (await api.publish(r3["id"])).status_code == 200
    at(2025, 4, 15, 7, 30)
    assert (await api.publish(r1["id"])).status_code == 200
    at(2025, 6, 1, 9, 0)
    assert (await api.reschedule(r2["id"], "2025-06-20")).status_code == 201  # 19 days ahead
    at(2025, 6, 23, 8, 0)
    assert (await api.publish(r2["id"])).status_code == 200

    at(2025, 7, 1, 9, 0)
    await api.client.post("/v1/code-of-practice/catalogues", headers=api.staff, json=FIXTURE)
    assessment = (await api.client.post("/v1/assessments", headers=api.staff, json={
        "statistic_id": stat_a, "cycle": "2025"})).json()
    await api.client.post(f"/v1/assessments/{assessment['id']}/answers", headers=api.staff,
                          json={"answers": [{"indicator_code": "13.1", "score": 4},
                                            {"indicator_code": "15.1", "score": 2}]})
    await api.client.post(f"/v1/assessments/{assessment['id']}/submit", headers=api.staff)

    wp = (await api.client.post("/v1/work-programmes", headers=api.staff, json={
        "code": "WP", "title": "WP", "start_year": 2025, "end_year": 2026})).json()
    url = f"/v1/work-programmes/{wp['id']}"
    action = {"title": "a", "owner_entity_code": ENTITY_A, "due": "2025"}
    x = (await api.client.post(f"{url}/actions", headers=api.staff, json=action)).json()
    await api.client.post(f"{url}/actions", headers=api.staff, json=action)
    await api.client.post(f"{url}/versions/1/fix", headers=api.staff,
                          json={"cvos_decision_reference": "CVOS/1", "fixed_on": "2025-03-01"})
    z = (await api.client.post(f"{url}/actions", headers=api.staff, json=action)).json()
    for done in (x, z):
        await api.client.post(f"{url}/actions/{done['id']}/progress", headers=api.staff,
                              json={"state": "completed", "completed_on": "2025-06-30"})

    await api.client.post("/v1/collaboration-projects", headers=api.staff, json={
        "title": "Samen", "entity_codes": [ENTITY_A, ENTITY_B], "start_date": "2025-02-01"})
    for advised, responded in [("2025-01-10", "2025-02-09"), ("2025-03-01", "2025-03-11"),
                               ("2025-05-01", None)]:
        advice = (await api.client.post("/v1/consultations", headers=api.staff, json={
            "advised_on": advised, "topic": "t", "advice": "a"})).json()
        if responded:
            await api.client.post(f"/v1/consultations/{advice['id']}/response",
                                  headers=api.staff,
                                  json={"response": "r", "responded_on": responded})

    response = await api.client.get("/v1/kpis", headers=harness.headers("kpi.reader"))
    assert response.status_code == 200
    kpis = {k["id"]: k for k in response.json()}
    values = {key: k["value"] for key, k in kpis.items()}
    assert values == {
        # first releases: r1 (2024 -> 15 Apr: 105 days), r3 (2024-Q4 -> 28 Mar: 87 days)
        "tp1_time_lag_first_results_days": 96.0,
        "tp2_time_lag_final_results_days": 174.0,  # r2: 31 Dec 2024 -> 23 Jun 2025
        "tp3_punctuality_days": 1.0,  # r1 0, r2 +3 (20 -> 23 Jun), r3 0
        "tp3_punctuality_first_announced_days": -1.0,  # r1 0, r2 0 (in June), r3 -3 (31 Mar)
        "punctuality_rate_pct": 66.7,  # r2 late
        "punctuality_rate_first_announced_pct": 100.0,
        "pre_announcement_compliance_pct": 33.3,  # only r1 had 28+ days
        "releases_overdue": 1.0,  # the 2025-Q1 release due 15 May
        "self_assessment_coverage_pct": 50.0,
        "self_assessment_mean_score": 3.0,
        "open_data_share_pct": 50.0,
        "work_programme_execution_pct": 50.0,  # x of {x, y}; z added later
        "collaboration_projects_started": 1.0,
        "rvos_advice_followed_up_pct": 66.7,
        "rvos_median_response_days": 20.0,  # median of 30 and 10
    }
    assert kpis["releases_overdue"]["breakdown"] == [{"entity": ENTITY_B, "value": 1}]
    assert kpis["releases_overdue"]["status"] == "missed"
    assert kpis["collaboration_projects_started"]["status"] == "missed"
    assert kpis["self_assessment_mean_score"]["breakdown"] == [
        {"principle": "13", "value": 4.0, "scores": 1},
        {"principle": "15", "value": 2.0, "scores": 1}]
    assert kpis["work_programme_execution_pct"]["breakdown"][1] == {
        "part": "added_later", "actions": 1, "completed": 1}
    punctuality = {(b["entity"], b["periodicity"]): b["value"]
                   for b in kpis["punctuality_rate_pct"]["breakdown"]}
    assert punctuality == {(ENTITY_A, "annual"): 50.0, (ENTITY_B, "quarterly"): 100.0}
