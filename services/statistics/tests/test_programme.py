"""Work programmes (fixed versions, actions), RVOS consultations, collaboration projects."""

ENTITY_A = "TEST-A"
ENTITY_B = "TEST-B"


async def test_a_fixed_version_needs_a_cvos_decision_and_never_changes(api, network):
    wp = (await api.client.post("/v1/work-programmes", headers=api.staff, json={
        "code": "WP-2025-2026", "title": "Werkprogramma 2025-2026", "start_year": 2025,
        "end_year": 2026})).json()
    url = f"/v1/work-programmes/{wp['id']}"
    action = {"title": "Actie 1", "owner_entity_code": ENTITY_A, "due": "2025-Q4"}
    first = (await api.client.post(f"{url}/actions", headers=api.staff, json=action)).json()
    assert first["added_in_version"] == 1

    for body in [{}, {"cvos_decision_reference": "CVOS/2025/3"},
                 {"fixed_on": "2025-03-01", "cvos_decision_reference": " "}]:
        response = await api.client.post(f"{url}/versions/1/fix", headers=api.staff, json=body)
        assert response.status_code == 422
        assert response.json()["code"] == "CVOS_DECISION_REQUIRED"
    fixed = await api.client.post(f"{url}/versions/1/fix", headers=api.staff, json={
        "cvos_decision_reference": "CVOS/2025/3", "fixed_on": "2025-03-01"})
    assert fixed.status_code == 200
    assert fixed.json()[0]["action_ids"] == [first["id"]]
    again = await api.client.post(f"{url}/versions/1/fix", headers=api.staff, json={
        "cvos_decision_reference": "CVOS/2025/4", "fixed_on": "2025-04-01"})
    assert again.json()["code"] == "VERSION_ALREADY_FIXED"

    later = (await api.client.post(f"{url}/actions", headers=api.staff,
                                   json={**action, "title": "Actie 2"})).json()
    assert later["added_in_version"] == 2
    versions = (await api.client.get(f"{url}/versions", headers=api.staff)).json()
    assert [(v["number"], v["state"], v["action_ids"]) for v in versions] == [
        (1, "fixed", [first["id"]]), (2, "draft", [])]
    future = await api.client.post(f"{url}/actions/{first['id']}/progress", headers=api.staff,
                                   json={"state": "completed", "completed_on": "2025-06-30"})
    assert future.status_code == 422 and future.json()["code"] == "DATE_IN_FUTURE"
    assert future.json()["field"] == "completed_on"
    done = await api.client.post(f"{url}/actions/{first['id']}/progress", headers=api.staff,
                                 json={"state": "completed", "completed_on": "2025-03-01"})
    assert done.json()["state"] == "completed"
    inconsistent = await api.client.post(f"{url}/actions/{first['id']}/progress",
                                         headers=api.staff, json={"state": "completed"})
    assert inconsistent.json()["code"] == "VALIDATION_ERROR"
    unknown = await api.client.post(f"{url}/actions", headers=api.staff,
                                    json={**action, "owner_entity_code": "NOPE"})
    assert unknown.json()["code"] == "UNKNOWN_ENTITY"


async def test_consultations_and_collaborations(api, network):
    advice = (await api.client.post("/v1/consultations", headers=api.staff, json={
        "advised_on": "2025-01-10", "topic": "Kalender", "advice": "Publiceer vaste uren"}))
    assert advice.status_code == 201
    url = f"/v1/consultations/{advice.json()['id']}/response"
    early = await api.client.post(url, headers=api.staff, json={
        "response": "ok", "responded_on": "2025-01-01"})
    assert early.json()["code"] == "DATE_BEFORE_PREDECESSOR"
    assert (await api.client.post(url, headers=api.staff, json={
        "response": "ok", "responded_on": "2025-02-09"})).status_code == 200
    twice = await api.client.post(url, headers=api.staff, json={
        "response": "ok", "responded_on": "2025-02-10"})
    assert twice.json()["code"] == "ADVICE_ALREADY_ANSWERED"

    alone = await api.client.post("/v1/collaboration-projects", headers=api.staff, json={
        "title": "Solo", "entity_codes": [ENTITY_A, ENTITY_A], "start_date": "2025-02-01"})
    assert alone.status_code == 422
    assert alone.json()["code"] == "TOO_FEW_PARTICIPANTS"
    together = await api.client.post("/v1/collaboration-projects", headers=api.staff, json={
        "title": "Samen", "entity_codes": [ENTITY_B, ENTITY_A], "start_date": "2025-02-01"})
    assert together.status_code == 201
    assert together.json()["entity_codes"] == [ENTITY_A, ENTITY_B]
    for year, total in [(2025, 1), (2024, 0)]:
        listed = await api.client.get("/v1/collaboration-projects", headers=api.staff,
                                      params={"year": year})
        assert listed.json()["total"] == total
    out_of_range = await api.client.get("/v1/collaboration-projects", headers=api.staff,
                                        params={"year": 10211})
    assert out_of_range.status_code == 422
    sv = api.entity_headers(ENTITY_A)
    refused = await api.client.post("/v1/collaboration-projects", headers=sv, json={
        "title": "Samen", "entity_codes": [ENTITY_B, ENTITY_A], "start_date": "2025-02-01"})
    assert refused.status_code == 403
