"""The VSP list: versioned inclusion and removal, rebuilt "as of" a date."""

ENTITY_A = "TEST-A"
ENTITY_B = "TEST-B"


async def codes_as_of(api, as_of: str, headers=None) -> list[str]:
    response = await api.client.get(f"/v1/official-statistics?as_of={as_of}",
                                    headers=headers or api.staff)
    assert response.status_code == 200, response.text
    return [item["code"] for item in response.json()["items"]]


async def change(api, statistic_id: str, kind: str, effective_on: str):
    return await api.list_change(
        statistic_id, kind, effective_on, reason=f"{kind} test",
        decision_type="rvos_advice" if kind == "removed" else "cvos_decision",
        decision_reference=f"REF-{effective_on}")


async def test_list_as_of_a_past_date_equals_the_list_at_that_date(api, clock):
    await api.entity(ENTITY_A)
    old = await api.statistic("OLD", ENTITY_A, effective_on="2024-01-01")
    kept = await api.statistic("KEPT", ENTITY_A, effective_on="2024-06-01")
    await api.statistic("NEW", ENTITY_A, effective_on="2025-02-01")
    assert (await change(api, old["id"], "removed", "2024-12-31")).status_code == 201
    assert (await change(api, old["id"], "included", "2025-03-01")).status_code == 201

    # what the list was on each date, written down before the later changes happened
    assert await codes_as_of(api, "2023-12-31") == []
    assert await codes_as_of(api, "2024-03-01") == ["OLD"]
    assert await codes_as_of(api, "2024-12-30") == ["KEPT", "OLD"]
    assert await codes_as_of(api, "2024-12-31") == ["KEPT"]
    assert await codes_as_of(api, "2025-02-01") == ["KEPT", "NEW"]
    assert await codes_as_of(api, "2025-03-01") == ["KEPT", "NEW", "OLD"]
    history = (await api.client.get(f"/v1/official-statistics/{old['id']}/list-changes",
                                    headers=api.staff)).json()
    assert [(h["change"], h["effective_on"], h["decision_type"]) for h in history["items"]] == [
        ("included", "2024-01-01", "cvos_decision"), ("removed", "2024-12-31", "rvos_advice"),
        ("included", "2025-03-01", "cvos_decision")]
    single = await api.client.get(f"/v1/official-statistics/{kept['id']}?as_of=2024-05-01",
                                  headers=api.staff)
    assert single.json()["on_list"] is False


async def test_list_changes_are_validated(api, clock):
    await api.entity(ENTITY_A)
    stat = await api.statistic("S1", ENTITY_A, effective_on="2025-01-01")
    for kind, day, code in [("included", "2025-02-01", "ALREADY_ON_LIST"),
                            ("removed", "2024-12-01", "LIST_CHANGE_OUT_OF_ORDER")]:
        response = await change(api, stat["id"], kind, day)
        assert response.status_code == 409
        assert response.json()["code"] == code
    assert (await change(api, stat["id"], "removed", "2025-02-01")).status_code == 201
    again = await change(api, stat["id"], "removed", "2025-03-01")
    assert again.json()["code"] == "NOT_ON_LIST"
    no_reason = await api.list_change(stat["id"], "included", "2025-04-01", reason="")
    assert no_reason.status_code == 422
    assert no_reason.json()["code"] == "VALIDATION_ERROR"
    unknown = await api.client.post("/v1/official-statistics", headers=api.staff, json={
        "code": "S2", "title": "t", "theme": "t", "entity_code": "NOPE", "periodicity": "annual",
        "inclusion": {"effective_on": "2025-01-01", "reason": "r",
                      "decision_type": "cvos_decision", "decision_reference": "X"}})
    assert unknown.json()["code"] == "UNKNOWN_ENTITY"
    duplicate = await api.client.post("/v1/official-statistics", headers=api.staff, json={
        "code": "S1", "title": "t", "theme": "t", "entity_code": ENTITY_A,
        "periodicity": "annual", "inclusion": {"effective_on": "2025-01-01", "reason": "r",
                                               "decision_type": "cvos_decision",
                                               "decision_reference": "X"}})
    assert duplicate.json()["code"] == "STATISTIC_EXISTS"


async def test_the_list_is_public_and_entities_change_only_their_own(api, network):
    headers = api.entity_headers(ENTITY_A)
    assert await codes_as_of(api, "2025-03-01", headers) == ["STAT-A", "STAT-B"]
    foreign = await api.client.get(f"/v1/official-statistics/{network['b']['id']}",
                                   headers=headers)
    assert foreign.status_code == 200
    not_own = await api.client.post(
        f"/v1/official-statistics/{network['b']['id']}/datasets", headers=headers,
        json={"url": "https://example.org/data.csv", "format": "CSV", "licence": "CC-BY 4.0"})
    assert not_own.status_code == 404
    assert not_own.json()["code"] == "STATISTIC_NOT_FOUND"
    refused = await api.list_change(network["a"]["id"], "removed", "2025-04-01", headers=headers)
    assert refused.status_code == 403
    dataset = await api.client.post(
        f"/v1/official-statistics/{network['a']['id']}/datasets", headers=headers,
        json={"url": "https://example.org/data.csv", "format": "CSV", "licence": "CC-BY 4.0"})
    assert dataset.status_code == 201
