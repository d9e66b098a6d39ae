"""The HTTP contract every app gets from the kit: problems, limits, request ids, pagination."""

import pytest

PROBLEM = "application/problem+json"


async def test_validation_error_is_a_problem_with_errors(client, harness):
    response = await client.post("/v1/widgets", json={"name": 5, "colour": "red"},
                                 headers=harness.headers("kit.writer"))
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["code"] == "VALIDATION_ERROR"
    assert body["status"] == 422
    assert body["request_id"] == response.headers["x-request-id"]
    locations = {tuple(error["loc"]) for error in body["errors"]}
    assert ("body", "name") in locations and ("body", "colour") in locations


async def test_malformed_json_is_a_problem_not_a_500(client, harness):
    response = await client.post("/v1/widgets", content=b"{not json",
                                 headers={**harness.headers("kit.writer"),
                                          "content-type": "application/json"})
    assert response.status_code == 422
    assert response.json()["code"] == "VALIDATION_ERROR"


async def test_unknown_route_and_wrong_method_are_problems(client, harness):
    missing = await client.get("/v1/nothing-here", headers=harness.headers("kit.writer"))
    assert missing.status_code == 404
    assert missing.headers["content-type"] == PROBLEM
    assert missing.json()["code"] == "NOT_FOUND"
    wrong = await client.delete("/v1/widgets", headers=harness.headers("kit.writer"))
    assert wrong.status_code == 405
    assert wrong.json()["code"] == "METHOD_NOT_ALLOWED"


async def test_oversized_body_by_content_length_is_413(client, harness):
    response = await client.post("/v1/widgets", json={"name": "x" * 5000},
                                 headers=harness.headers("kit.writer"))
    assert response.status_code == 413
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["code"] == "PAYLOAD_TOO_LARGE"


async def test_oversized_streamed_body_without_length_is_413(client, harness):
    async def chunks():
        for _ in range(10):
            yield b"x" * 500

    response = await client.post("/v1/widgets", content=chunks(),
                                 headers={**harness.headers("kit.writer"),
                                          "content-type": "application/json"})
    assert response.status_code == 413
    assert response.json()["code"] == "PAYLOAD_TOO_LARGE"


async def test_request_id_is_echoed_or_generated(client):
    given = await client.get("/livez", headers={"X-Request-ID": "abc-123"})
    assert given.headers["x-request-id"] == "abc-123"
    generated = await client.get("/livez", headers={"X-Request-ID": "bad id with spaces"})
    assert generated.headers["x-request-id"] not in ("", "bad id with spaces")


async def test_operation_ids_are_stable_tag_and_name(client):
    spec = (await client.get("/openapi.json")).json()
    operation_ids = {op["operationId"] for path in spec["paths"].values() for op in path.values()}
    assert {"widgets-create-widget", "widgets-rename-widget", "kpis-list-kpis",
            "health-readyz"} <= operation_ids
    create = spec["paths"]["/v1/widgets"]["post"]
    assert {"401", "403", "404", "409", "422"} <= set(create["responses"])


@pytest.mark.parametrize(("query", "status"), [("limit=201", 422), ("limit=0", 422),
                                              ("offset=-1", 422), ("limit=200", 200)])
async def test_pagination_limits(client, harness, query, status):
    response = await client.get(f"/v1/widgets?{query}", headers=harness.headers("kit.reader"))
    assert response.status_code == status


async def test_pagination_pages_and_total(client, harness):
    writer = harness.headers("kit.writer")
    for name in "abcde":
        assert (await client.post("/v1/widgets", json={"name": name}, headers=writer)).status_code == 201
    page = (await client.get("/v1/widgets?limit=2&offset=2", headers=writer)).json()
    assert page["total"] == 5 and page["limit"] == 2 and page["offset"] == 2
    assert [item["name"] for item in page["items"]] == ["c", "d"]


async def test_role_required_for_writes(client, harness):
    response = await client.post("/v1/widgets", json={"name": "a"},
                                 headers=harness.headers("kit.reader"))
    assert response.status_code == 403
    assert response.json()["code"] == "FORBIDDEN"


async def test_kpis_contract(client, harness):
    await client.post("/v1/widgets", json={"name": "a"}, headers=harness.headers("kit.writer"))
    figures = (await client.get("/v1/kpis", headers=harness.headers("kpi.reader"))).json()
    assert figures[0]["id"] == "widgets_total" and figures[0]["value"] == 1
    # no target: never "met"
    assert figures[0]["status"] == "no_target" and figures[0]["target_source"] is None
    assert figures[0]["unit"] == "count" and figures[0]["period"]["kind"] == "since_start"
    # the gauge is computed when scraped, not as a side effect of someone calling /v1/kpis
    metrics = (await client.get("/metrics")).text
    assert 'kpi="widgets_total"' in metrics and 'unit="count"} 1.0' in metrics


@pytest.mark.parametrize(("kind", "status", "code"), [
    ("int-overflow", 422, "INVALID_VALUE"),
    ("duplicate", 409, "CONSTRAINT_VIOLATION"),
    ("bug", 500, "INTERNAL_ERROR"),
])
async def test_database_errors_and_bugs_are_problems_with_request_id(client, harness, kind,
                                                                     status, code):
    response = await client.get(f"/v1/crash?kind={kind}",
                                headers={**harness.headers("kit.reader"), "X-Request-ID": "r-1"})
    assert response.status_code == status
    body = response.json()
    assert body["code"] == code and body["request_id"] == "r-1"
    assert response.headers["x-request-id"] == "r-1"
    assert "secret internal detail" not in response.text and "Traceback" not in response.text
