"""Every If-Match route: two parallel writes with one ETag -> exactly one 200 and one 412, in
20 rounds (issue 13: the check and the write are one atomic step, no lost update)."""

import asyncio

ROUNDS = 20


async def race(client, method, url, headers, bodies, etag):
    responses = await asyncio.gather(*[
        client.request(method, url, json=body, headers={**headers, "If-Match": etag})
        for body in bodies])
    return sorted(r.status_code for r in responses), responses


async def run_rounds(client, method, url, headers, bodies_of):
    etag = (await client.get(url, headers=headers)).headers["ETag"]
    for round_ in range(ROUNDS):
        statuses, responses = await race(client, method, url, headers, bodies_of(round_), etag)
        assert statuses == [200, 412], (round_, [r.text for r in responses])
        etag = next(r for r in responses if r.status_code == 200).headers["ETag"]


async def test_initiative_patch_no_lost_update(client, harness, plan):
    url = f"/v1/initiatives/{plan['ini']['1.1-01']}"
    await run_rounds(client, "PATCH", url, plan["manager"],
                     lambda n: [{"tags": [f"a{n}"]}, {"tags": [f"b{n}"]}])


async def test_indicator_patch_no_lost_update(client, harness, plan):
    created = await client.post("/v1/indicators", headers=plan["manager"], json={
        "plan_year": 2030, "code": "PI 1.9", "title": "Test", "source": "manual"})
    assert created.status_code == 201, created.text
    await run_rounds(client, "PATCH", f"/v1/indicators/{created.json()['id']}", plan["manager"],
                     lambda n: [{"title": f"A {n}"}, {"title": f"B {n}"}])


async def test_status_report_put_no_lost_update(client, harness, plan):
    submitted = await client.post("/v1/status-reports", headers=plan["manager"], json={
        "initiative_id": plan["ini"]["1.1-01"], "period_id": plan["periods"]["2030-T2"],
        "status": "on_track"})
    assert submitted.status_code == 201, submitted.text
    url = f"/v1/status-reports/{submitted.json()['id']}"
    await run_rounds(client, "PUT", url, plan["manager"], lambda n: [
        {"status": "on_track", "explanation": f"a{n}"},
        {"status": "attention_needed", "explanation": f"b{n}"}])


async def test_expected_result_patch_no_lost_update(client, harness, plan):
    manager = plan["manager"]
    result = (await client.get("/v1/expected-results", headers=manager,
                               params={"initiative_id": plan["ini"]["1.1-01"]})).json()["items"][0]
    url = f"/v1/expected-results/{result['id']}"
    etag = f'"{result["version"]}"'
    for round_ in range(ROUNDS):
        bodies = [{"state": "dropped", "dropped_reason": f"r{round_}"}, {"state": "open"}]
        statuses, responses = await race(client, "PATCH", url, manager, bodies, etag)
        assert statuses == [200, 412], (round_, [r.text for r in responses])
        etag = next(r for r in responses if r.status_code == 200).headers["ETag"]


async def test_acknowledgement_no_lost_update(client, harness, plan):
    submitted = await client.post("/v1/status-reports", headers=plan["manager"], json={
        "initiative_id": plan["ini"]["1.1-02"], "period_id": plan["periods"]["2030-T2"],
        "status": "on_track"})
    url = f"/v1/status-reports/{submitted.json()['id']}"
    etag = submitted.headers["ETag"]
    for round_ in range(ROUNDS):
        statuses, responses = await race(client, "POST", f"{url}/acknowledgement",
                                         plan["manager"], [None, None], etag)
        assert statuses == [200, 412], (round_, [r.text for r in responses])
        etag = next(r for r in responses if r.status_code == 200).headers["ETag"]


async def test_due_change_and_archive_no_lost_update(client, harness, plan):
    manager = plan["manager"]
    result = (await client.get("/v1/expected-results", headers=manager,
                               params={"initiative_id": plan["ini"]["1.1-02"]})).json()["items"][0]
    url = f"/v1/expected-results/{result['id']}"
    etag = f'"{result["version"]}"'
    for round_ in range(ROUNDS):
        bodies = [{"due": "2030-Q3", "reason": f"reden {round_}"},
                  {"due": "2030-Q4", "reason": "andere reden"}]
        statuses, responses = await race(client, "POST", f"{url}/due", manager, bodies, etag)
        assert statuses == [200, 412], (round_, [r.text for r in responses])
        etag = next(r for r in responses if r.status_code == 200).headers["ETag"]
    statuses, _ = await race(client, "POST", f"{url}/archive", manager,
                             [{"reason": "een"}, {"reason": "twee"}], etag)
    assert statuses == [200, 412]
