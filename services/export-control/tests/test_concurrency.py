"""Optimistic concurrency on the If-Match route (PUT /v1/applications/{id}): two parallel
writes with one ETag give exactly one 200 and one 412, every round."""

import asyncio

from .conftest import application_body


async def test_two_parallel_puts_with_one_etag_one_wins_one_412(flow):
    app = await flow.draft()
    url = f"/v1/applications/{app['id']}"
    for round_no in range(20):
        etag = (await flow.c.get(url, headers=flow.applicant)).headers["etag"]
        bodies = [application_body(end_use=f"round {round_no} writer {n}") for n in (1, 2)]
        responses = await asyncio.gather(*[
            flow.c.put(url, json=body, headers={**flow.applicant, "If-Match": etag})
            for body in bodies])
        codes = sorted(r.status_code for r in responses)
        assert codes == [200, 412], [r.text for r in responses]
        loser = next(r for r in responses if r.status_code == 412)
        assert loser.json()["code"] == "PRECONDITION_FAILED"
        winner = next(r for r in responses if r.status_code == 200)
        current = (await flow.c.get(url, headers=flow.applicant)).json()
        assert current["end_use"] == winner.json()["end_use"]
