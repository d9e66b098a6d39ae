"""Idempotency-Key (replay, reuse with another body, concurrent duplicate) and ETag/If-Match."""

import asyncio

import sqlalchemy as sa


async def count(harness, table: str) -> int:
    async with harness.sessionmaker() as session:
        return await session.scalar(sa.text(f"SELECT count(*) FROM {table}"))


async def test_same_key_same_body_replays_the_first_response(client, harness):
    headers = {**harness.headers("kit.writer"), "Idempotency-Key": "k-1"}
    first = await client.post("/v1/widgets", json={"name": "a"}, headers=headers)
    second = await client.post("/v1/widgets", json={"name": "a"}, headers=headers)
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second.headers["idempotent-replayed"] == "true"
    assert await count(harness, "widgets") == 1


async def test_same_key_different_body_is_422(client, harness):
    headers = {**harness.headers("kit.writer"), "Idempotency-Key": "k-2"}
    assert (await client.post("/v1/widgets", json={"name": "a"}, headers=headers)).status_code == 201
    reused = await client.post("/v1/widgets", json={"name": "b"}, headers=headers)
    assert reused.status_code == 422
    assert reused.json()["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert await count(harness, "widgets") == 1


async def test_keys_are_scoped_per_client(client, harness):
    body = {"name": "a"}
    for sub in ("alice", "bob"):
        headers = {**harness.headers("kit.writer", sub=sub), "Idempotency-Key": "same"}
        assert (await client.post("/v1/widgets", json=body, headers=headers)).status_code == 201
    assert await count(harness, "widgets") == 2


async def test_concurrent_duplicate_is_409(client, harness):
    headers = {**harness.headers("kit.writer"), "Idempotency-Key": "k-3"}
    body = {"name": "slow", "slow": True}
    first, second = await asyncio.gather(
        client.post("/v1/widgets", json=body, headers=headers),
        client.post("/v1/widgets", json=body, headers=headers),
    )
    statuses = sorted([first.status_code, second.status_code])
    assert statuses == [201, 409]
    loser = first if first.status_code == 409 else second
    assert loser.json()["code"] == "IDEMPOTENCY_KEY_IN_USE"
    assert await count(harness, "widgets") == 1


async def test_failed_request_writes_nothing_and_stores_no_key(client, harness):
    headers = {**harness.headers("kit.writer"), "Idempotency-Key": "k-4"}
    response = await client.post("/v1/widgets", json={"name": "explode-after-write"},
                                 headers=headers)
    assert response.status_code == 422
    assert response.json()["code"] == "WIDGET_REFUSED"
    assert await count(harness, "widgets") == 0
    assert await count(harness, "audit_events") == 0
    assert await count(harness, "idempotency_keys") == 0


async def test_etag_and_if_match(client, harness):
    writer = harness.headers("kit.writer")
    created = (await client.post("/v1/widgets", json={"name": "a"}, headers=writer)).json()
    url = f"/v1/widgets/{created['id']}"
    read = await client.get(url, headers=writer)
    assert read.headers["etag"] == '"1"'

    missing = await client.put(url, json={"name": "b"}, headers=writer)
    assert missing.status_code == 428
    assert missing.json()["code"] == "PRECONDITION_REQUIRED"

    ok = await client.put(url, json={"name": "b"}, headers={**writer, "If-Match": '"1"'})
    assert ok.status_code == 200 and ok.headers["etag"] == '"2"'

    stale = await client.put(url, json={"name": "c"}, headers={**writer, "If-Match": '"1"'})
    assert stale.status_code == 412
    assert stale.json()["code"] == "PRECONDITION_FAILED"
    assert (await client.get(url, headers=writer)).json()["name"] == "b"
