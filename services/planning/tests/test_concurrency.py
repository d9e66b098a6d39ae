"""Every If-Match route: two parallel writes with one ETag -> exactly one 200 and one 412, in
20 rounds (issue 13: the check and the write are one atomic step, no lost update)."""

import asyncio

ROUNDS = 20


async def race(client, method, url, headers, bodies, etag):
    responses = await asyncio.gather(*[
        client.request(method, url, json=body, headers={**headers, "If-Match": etag})
        for body in bodies])
    return sorted(r.status_code for r in responses), responses


async def run_rounds(client, method, url, headers, bodies_of, etag=None):
    """ROUNDS races, each with the ETag the previous winner returned (the first: `etag`, else the
    one a GET of `url` returns); returns the last winner's ETag."""
    if etag is None:
        etag = (await client.get(url, headers=headers)).headers["ETag"]
    for round_ in range(ROUNDS):
        statuses, responses = await race(client, method, url, headers, bodies_of(round_), etag)
        assert statuses == [200, 412], (round_, [r.text for r in responses])
        etag = next(r for r in responses if r.status_code == 200).headers["ETag"]
    return etag


async def first_result(client, headers, initiative_id):
    """The URL and ETag of the initiative's first expected result (as listed)."""
    result = (await client.get("/v1/expected-results", headers=headers,
                               params={"initiative_id": initiative_id})).json()["items"][0]
    return f"/v1/expected-results/{result['id']}", f'"{result["version"]}"'


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
    url, etag = await first_result(client, plan["manager"], plan["ini"]["1.1-01"])
    await run_rounds(client, "PATCH", url, plan["manager"], lambda n: [
        {"state": "dropped", "dropped_reason": f"r{n}"}, {"state": "open"}], etag)


async def test_acknowledgement_no_lost_update(client, harness, plan):
    submitted = await client.post("/v1/status-reports", headers=plan["manager"], json={
        "initiative_id": plan["ini"]["1.1-02"], "period_id": plan["periods"]["2030-T2"],
        "status": "on_track"})
    await run_rounds(client, "POST", f"/v1/status-reports/{submitted.json()['id']}/acknowledgement",
                     plan["manager"], lambda n: [None, None], submitted.headers["ETag"])


async def test_due_change_and_archive_no_lost_update(client, harness, plan):
    manager = plan["manager"]
    url, etag = await first_result(client, manager, plan["ini"]["1.1-02"])
    etag = await run_rounds(client, "POST", f"{url}/due", manager, lambda n: [
        {"due": "2030-Q3", "reason": f"reden {n}"}, {"due": "2030-Q4", "reason": "andere reden"}],
        etag)
    statuses, _ = await race(client, "POST", f"{url}/archive", manager,
                             [{"reason": "een"}, {"reason": "twee"}], etag)
    assert statuses == [200, 412]
