"""Code of Practice catalogue import (fictitious fixture indicators) and self-assessments."""

# A clearly fictitious catalogue: these are NOT the Code of Practice indicator texts.
FIXTURE = {"label": "Testcatalogus (fictief)", "source": "tests", "indicators": [
    {"code": "13.1", "principle": "13", "text": "FICTIEVE TESTINDICATOR A"},
    {"code": "15.1", "principle": "15", "text": "FICTIEVE TESTINDICATOR B"},
    {"code": "1bis.1", "principle": "1bis", "text": "FICTIEVE TESTINDICATOR C"},
]}
ENTITY_A = "TEST-A"
ENTITY_B = "TEST-B"


async def import_fixture(api) -> dict:
    response = await api.client.post("/v1/code-of-practice/catalogues", headers=api.staff,
                                      json=FIXTURE)
    assert response.status_code == 201, response.text
    return response.json()


async def test_principles_ship_and_catalogue_import_is_validated_and_versioned(api):
    cop = (await api.client.get("/v1/code-of-practice", headers=api.staff)).json()
    assert len(cop["principles"]) == 16
    assert [p["code"] for p in cop["principles"]][:2] == ["1", "1bis"]
    assert cop["current_catalogue"] is None

    bad = {"label": "x", "indicators": [
        {"code": "13.1", "principle": "14", "text": "t"},
        {"code": "16.1", "principle": "16", "text": "t"},
        {"code": "2.1", "principle": "2", "text": " "},
        {"code": "2.2", "principle": "2", "text": "t"},
        {"code": "2.2", "principle": "2", "text": "t"}]}
    refused = await api.client.post("/v1/code-of-practice/catalogues", headers=api.staff,
                                    json=bad)
    assert refused.status_code == 422
    assert refused.json()["code"] == "CATALOGUE_INVALID"
    assert {e["row"] for e in refused.json()["errors"]} == {1, 2, 3, 5}
    sv = api.entity_headers(ENTITY_A)
    forbidden = await api.client.post("/v1/code-of-practice/catalogues", headers=sv,
                                      json=FIXTURE)
    assert forbidden.status_code == 403

    first = await import_fixture(api)
    assert (first["version"], first["indicator_count"]) == (1, 3)
    csv_body = "code,principle,text\n13.1,13,FICTIEVE TESTINDICATOR A\n"
    second = await api.client.post("/v1/code-of-practice/catalogues?label=CSV-test",
                                   headers={**api.staff, "Content-Type": "text/csv"},
                                   content=csv_body)
    assert second.status_code == 201, second.text
    assert second.json()["version"] == 2
    bad_csv = await api.client.post("/v1/code-of-practice/catalogues?label=x",
                                    headers={**api.staff, "Content-Type": "text/csv"},
                                    content="a,b\n1,2\n")
    assert bad_csv.json()["code"] == "CATALOGUE_INVALID"
    indicators = (await api.client.get("/v1/code-of-practice/catalogues/1/indicators",
                                       headers=api.staff)).json()
    assert sorted(i["code"] for i in indicators["items"]) == ["13.1", "15.1", "1bis.1"]


async def test_self_assessment_cannot_be_submitted_with_an_unanswered_indicator(api, network):
    no_catalogue = await api.client.post("/v1/assessments", headers=api.staff, json={
        "statistic_id": network["a"]["id"], "cycle": "2025"})
    assert no_catalogue.json()["code"] == "NO_CATALOGUE"
    await import_fixture(api)
    sv = api.entity_headers(ENTITY_A)
    created = await api.client.post("/v1/assessments", headers=sv, json={
        "statistic_id": network["a"]["id"], "cycle": "2025"})
    assert created.status_code == 201, created.text
    url = f"/v1/assessments/{created.json()['id']}"

    answered = await api.client.post(f"{url}/answers", headers=sv, json={"answers": [
        {"indicator_code": "13.1", "score": 2},
        {"indicator_code": "15.1", "score": 5}]})
    assert answered.status_code == 200
    assert [w["indicator_code"] for w in answered.json()["warnings"]] == ["13.1"]
    assert answered.json()["warnings"][0]["code"] == "LOW_SCORE_WITHOUT_IMPROVEMENT_ACTION"

    incomplete = await api.client.post(f"{url}/submit", headers=sv)
    assert incomplete.status_code == 422
    assert incomplete.json()["code"] == "ASSESSMENT_INCOMPLETE"
    assert incomplete.json()["unanswered"] == ["1bis.1"]

    for answer, code in [
        ({"indicator_code": "1bis.1", "not_applicable": True}, "JUSTIFICATION_REQUIRED"),
        ({"indicator_code": "1bis.1"}, "SCORE_OR_NOT_APPLICABLE"),
        ({"indicator_code": "1bis.1", "score": 3, "not_applicable": True,
          "justification": "x"}, "SCORE_OR_NOT_APPLICABLE"),
        ({"indicator_code": "9.9", "score": 3}, "UNKNOWN_INDICATOR"),
        ({"indicator_code": "1bis.1", "score": 6}, "VALIDATION_ERROR"),
    ]:
        response = await api.client.post(f"{url}/answers", headers=sv,
                                         json={"answers": [answer]})
        assert response.status_code == 422, answer
        assert response.json()["code"] == code, answer
    na = await api.client.post(f"{url}/answers", headers=sv, json={"answers": [
        {"indicator_code": "1bis.1", "not_applicable": True,
         "justification": "geen coördinatie nodig"}]})
    assert na.json()["answered_count"] == 3
    submitted = await api.client.post(f"{url}/submit", headers=sv)
    assert submitted.status_code == 200
    assert submitted.json()["state"] == "submitted"
    frozen = await api.client.post(f"{url}/answers", headers=sv, json={"answers": [
        {"indicator_code": "13.1", "score": 4}]})
    assert frozen.json()["code"] == "ASSESSMENT_SUBMITTED"

    other = api.entity_headers(ENTITY_B)
    assert (await api.client.get(url, headers=other)).status_code == 404
    foreign = await api.client.post("/v1/assessments", headers=other, json={
        "statistic_id": network["a"]["id"], "cycle": "2026"})
    assert foreign.json()["code"] == "UNKNOWN_STATISTIC"
    duplicate = await api.client.post("/v1/assessments", headers=api.staff, json={
        "statistic_id": network["a"]["id"], "cycle": "2025"})
    assert duplicate.json()["code"] == "ASSESSMENT_EXISTS"
