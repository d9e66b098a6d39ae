"""Every kind of client-given date goes through the kit's timeline rule or date window
(issue 11): 422 with the rule's code and the field, and nothing written (now = 3 March 2025)."""

from sqlalchemy import func
from sqlalchemy import select

from dkbuza_kit.models import AuditEvent

ENTITY_A = "TEST-A"


async def audit_count(harness) -> int:
    async with harness.sessionmaker() as session:
        return await session.scalar(select(func.count()).select_from(AuditEvent))


async def test_rvos_advice_and_response_are_facts(api, network, harness):
    before = await audit_count(harness)
    future = await api.client.post("/v1/consultations", headers=api.staff, json={
        "advised_on": "2025-03-10", "topic": "t", "advice": "a"})
    assert future.status_code == 422
    assert (future.json()["code"], future.json()["field"]) == ("DATE_IN_FUTURE", "advised_on")
    assert await audit_count(harness) == before
    advice = (await api.client.post("/v1/consultations", headers=api.staff, json={
        "advised_on": "2025-02-01", "topic": "t", "advice": "a"})).json()
    url = f"/v1/consultations/{advice['id']}/response"
    for responded_on, code in [("2025-01-31", "DATE_BEFORE_PREDECESSOR"),
                               ("2025-04-01", "DATE_IN_FUTURE"),
                               ("9999-01-01", "VALIDATION_ERROR")]:
        response = await api.client.post(url, headers=api.staff,
                                         json={"response": "r", "responded_on": responded_on})
        assert response.status_code == 422, responded_on
        assert response.json()["code"] == code, responded_on
    stored = (await api.client.get(f"/v1/consultations/{advice['id']}",
                                   headers=api.staff)).json()
    assert stored["responded_on"] is None


async def test_programme_adoption_and_cvos_decision_are_not_in_the_future(api, network,
                                                                          harness):
    adopted = await api.client.post("/v1/programmes", headers=api.staff, json={
        "code": "VSP-X", "title": "x", "start_year": 2025, "end_year": 2029,
        "adopted_on": "2025-06-30"})
    assert adopted.status_code == 422
    assert (adopted.json()["code"], adopted.json()["field"]) == ("DATE_IN_FUTURE", "adopted_on")
    assert (await api.client.get("/v1/programmes", headers=api.staff)).json()["total"] == 0
    for year in (1899, 2100):
        response = await api.client.post("/v1/programmes", headers=api.staff, json={
            "code": "VSP-Y", "title": "y", "start_year": year, "end_year": 2029})
        assert response.status_code == 422
    wp = (await api.client.post("/v1/work-programmes", headers=api.staff, json={
        "code": "WP", "title": "WP", "start_year": 2025, "end_year": 2026})).json()
    fix = await api.client.post(f"/v1/work-programmes/{wp['id']}/versions/1/fix",
                                headers=api.staff,
                                json={"cvos_decision_reference": "CVOS/1",
                                      "fixed_on": "2025-06-30"})
    assert fix.status_code == 422
    assert (fix.json()["code"], fix.json()["field"]) == ("DATE_IN_FUTURE", "fixed_on")
    versions = (await api.client.get(f"/v1/work-programmes/{wp['id']}/versions",
                                     headers=api.staff)).json()
    assert versions[0]["state"] == "draft"


async def test_collaboration_period_and_year_are_bounded(api, network, harness):
    inverted = await api.client.post("/v1/collaboration-projects", headers=api.staff, json={
        "title": "x", "entity_codes": [ENTITY_A, "TEST-B"], "start_date": "2025-05-01",
        "end_date": "2025-04-01"})
    assert inverted.status_code == 422 and inverted.json()["code"] == "PERIOD_INVERTED"
    planned = await api.client.post("/v1/collaboration-projects", headers=api.staff, json={
        "title": "later", "entity_codes": [ENTITY_A, "TEST-B"], "start_date": "2026-01-01"})
    assert planned.status_code == 201  # a planned start may lie ahead
    for year in ("0001", "9999"):
        response = await api.client.get(f"/v1/collaboration-projects?year={year}",
                                        headers=api.staff)
        assert response.status_code == 422


async def test_list_decision_dates_are_in_the_window(api, network):
    response = await api.list_change(network["a"]["id"], "removed", "9999-01-01")
    assert response.status_code == 422
    assert response.json()["code"] == "VALIDATION_ERROR"
    changes = (await api.client.get(
        f"/v1/official-statistics/{network['a']['id']}/list-changes")).json()
    assert changes["total"] == 1  # the inclusion only


async def test_pre_release_access_moment_is_in_the_window(api, network):
    release = await api.release(network["a"]["id"], "2025-04-15")
    response = await api.client.post(f"/v1/releases/{release['id']}/pre-release-access",
                                     headers=api.staff, json={
                                         "person_name": "p", "organisation": "o",
                                         "justification": "j",
                                         "access_from": "9999-04-14T09:30:00Z"})
    assert response.status_code == 422
    access = (await api.client.get(f"/v1/releases/{release['id']}/pre-release-access",
                                   headers=api.staff)).json()
    assert access["total"] == 0


async def test_numbers_in_paths_beyond_their_columns_are_422(api, network):
    huge = 2**63
    release = await api.release(network["a"]["id"], "2025-04-15")
    for method, path in [
        ("GET", f"/v1/code-of-practice/catalogues/{huge}/indicators"),
        ("POST", f"/v1/work-programmes/00000000-0000-4000-8000-000000000000/versions/{huge}/fix"),
        ("POST", f"/v1/releases/{release['id']}/change-requests/{huge}/approval"),
    ]:
        response = await api.client.request(method, path, headers=api.staff, json={})
        assert response.status_code == 422, path
