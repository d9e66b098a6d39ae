"""Webhook delivery: a slow receiver delays only itself, every request made is in the log
(even when the worker dies mid-request), retries over about a day, dead letters, bulk replay."""

import asyncio
import random
import time
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
import sqlalchemy as sa

from dkbuza_dev.testing.receivers import Receiver
from dkbuza_kit.clock import FixedClock
from dkbuza_kit.clock import SystemClock
from dkbuza_kit.jobs import TaskRegistry
from dkbuza_kit.jobs import worker_loop
from dkbuza_kit.webhooks import MAX_ATTEMPTS
from dkbuza_kit.webhooks import RETRY_SCHEDULE
from dkbuza_kit.webhooks import DeliveryOptions
from dkbuza_kit.webhooks import Dispatcher
from dkbuza_kit.webhooks import after_attempt
from dkbuza_kit.webhooks import deliver_pending
from dkbuza_kit.webhooks import register_webhook_tasks
from dkbuza_kit.webhooks.delivery import pick
from dkbuza_kit.webhooks.rules import JITTER

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
ORG = "0123456789"


# --- rules (pure) ---------------------------------------------------------------------------

@pytest.mark.parametrize(("attempts", "expected_wait"), [
    (1, timedelta(seconds=5)), (2, timedelta(minutes=5)), (3, timedelta(minutes=30)),
    (4, timedelta(hours=2)), (5, timedelta(hours=5)), (6, timedelta(hours=10)),
    (7, timedelta(hours=10)),
])
def test_retry_schedule(attempts, expected_wait):
    for seed in range(20):
        state = after_attempt(attempts, False, NOW, rng=random.Random(seed))
        assert state.status == "pending"
        wait = state.next_attempt_at - NOW
        assert expected_wait * (1 - JITTER) <= wait <= expected_wait * (1 + JITTER)


def test_the_schedule_spans_about_a_day_then_dead_letters():
    assert MAX_ATTEMPTS == 8
    assert sum(RETRY_SCHEDULE, timedelta()) == timedelta(hours=27, minutes=35, seconds=5)
    assert after_attempt(8, False, NOW).status == "dead_letter"
    assert after_attempt(8, False, NOW).next_attempt_at is None
    assert after_attempt(8, True, NOW).status == "succeeded"
    assert after_attempt(1, True, NOW).delivered_at == NOW


@pytest.mark.parametrize(("candidates", "limit", "expected"), [
    ([], 5, []),
    ([("d1", "a", 0), ("d2", "a", 0), ("d3", "a", 0)], 5, ["d1", "d2"]),   # 2 per subscription
    ([("d1", "a", 1), ("d2", "a", 1), ("d3", "b", 0)], 5, ["d1", "d3"]),   # one already busy
    ([("d1", "a", 2), ("d2", "b", 0)], 5, ["d2"]),                         # a is full
    ([("d1", "a", 0), ("d2", "b", 0), ("d3", "c", 0)], 2, ["d1", "d2"]),   # worker limit
])
def test_pick_respects_the_per_subscription_and_worker_limits(candidates, limit, expected):
    assert pick(candidates, limit=limit, per_subscription=2) == expected


# --- with the database ----------------------------------------------------------------------

async def subscribe(client, harness, url: str) -> dict:
    response = await client.post("/v1/webhook-subscriptions",
                                 json={"url": url, "event_types": ["widget.created"]},
                                 headers=harness.headers("kit.writer", org=ORG, sub="admin"))
    assert response.status_code == 201, response.text
    return response.json()


async def widgets(client, harness, count: int) -> None:
    for i in range(count):
        response = await client.post("/v1/widgets", json={"name": f"w{i}"},
                                     headers=harness.headers("kit.writer", org=ORG))
        assert response.status_code == 201


async def deliveries(client, harness, subscription: dict, **params) -> list[dict]:
    response = await client.get(f"/v1/webhook-subscriptions/{subscription['id']}/deliveries",
                                params=params, headers=harness.headers("kit.writer", org=ORG))
    assert response.status_code == 200, response.text
    return response.json()["items"]


async def wait_until(condition, *, within: float) -> None:
    deadline = time.monotonic() + within
    while not await condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.05)


async def test_a_slow_receiver_delays_only_itself(client, harness, serve, dev_targets):
    slow, fast = Receiver(delay=15), Receiver()
    slow_sub = await subscribe(client, harness, await serve(slow))
    fast_sub = await subscribe(client, harness, await serve(fast))
    await widgets(client, harness, 4)
    stop = asyncio.Event()
    dispatcher = Dispatcher(harness.sessionmaker, SystemClock(), targets=dev_targets,
                            options=DeliveryOptions(timeout_seconds=20, poll_seconds=0.1))
    started = time.monotonic()
    running = asyncio.create_task(dispatcher.run(stop))
    try:
        async def fast_done() -> bool:
            items = await deliveries(client, harness, fast_sub)
            return len(items) == 4 and all(d["status"] == "succeeded" for d in items)

        await wait_until(fast_done, within=5)
        assert time.monotonic() - started < 5
        slow_items = await deliveries(client, harness, slow_sub)
        assert [d["status"] for d in slow_items] == ["pending"] * 4
        # The slow receiver holds its two slots, no more: the others wait their turn.
        assert len(slow.requests) == 2
        assert sorted(d["attempts"] for d in slow_items) == [0, 0, 1, 1]
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)


async def test_a_worker_killed_mid_request_leaves_its_attempt_in_the_log(
        client, harness, serve, dev_targets):
    receiver = Receiver(delay=30)
    sub = await subscribe(client, harness, await serve(receiver))
    await widgets(client, harness, 1)
    stop = asyncio.Event()
    dispatcher = Dispatcher(harness.sessionmaker, SystemClock(), targets=dev_targets,
                            options=DeliveryOptions(poll_seconds=0.1))
    worker = asyncio.create_task(dispatcher.run(stop))

    async def request_arrived() -> bool:
        return len(receiver.requests) == 1

    await wait_until(request_arrived, within=5)
    worker.cancel()                                  # killed: nothing after this point runs
    await asyncio.gather(worker, return_exceptions=True)
    [delivery] = await deliveries(client, harness, sub)
    assert delivery["status"] == "pending" and delivery["attempts"] == 1
    assert [a["outcome"] for a in delivery["log"]] == ["sending"]

    # Once the lease has run out, another worker sends again and says what became of the first.
    receiver.delay = 0
    later = FixedClock(datetime.now(UTC) + timedelta(seconds=DeliveryOptions().lease_seconds + 1))
    await deliver_pending(harness.sessionmaker, later, targets=dev_targets)
    [delivery] = await deliveries(client, harness, sub)
    assert len(receiver.requests) == 2
    assert [a["outcome"] for a in delivery["log"]] == ["abandoned", "delivered"]
    assert delivery["status"] == "succeeded" and delivery["attempts"] == 2


async def test_a_lease_is_not_claimed_twice(client, harness, serve, dev_targets):
    receiver = Receiver(delay=30)
    await subscribe(client, harness, await serve(receiver))
    await widgets(client, harness, 1)
    first = Dispatcher(harness.sessionmaker, SystemClock(), targets=dev_targets)
    async with first:
        await first.fan_out()
        assert await first.start_due() == 1
        async def request_arrived() -> bool:
            return len(receiver.requests) == 1

        await wait_until(request_arrived, within=5)
        second = Dispatcher(harness.sessionmaker, SystemClock(), targets=dev_targets)
        async with second:
            assert await second.start_due() == 0     # leased by the first worker
        receiver.release.set()


async def test_dead_letter_after_the_last_attempt(client, harness, serve, dev_targets):
    receiver = Receiver(failures=100)
    sub = await subscribe(client, harness, await serve(receiver))
    await widgets(client, harness, 1)
    clock = FixedClock(datetime.now(UTC))
    for _ in range(MAX_ATTEMPTS + 2):
        await deliver_pending(harness.sessionmaker, clock, targets=dev_targets)
        clock.advance(seconds=11 * 3600)
    [delivery] = await deliveries(client, harness, sub)
    assert len(receiver.requests) == MAX_ATTEMPTS
    assert delivery["status"] == "dead_letter" and delivery["attempts"] == MAX_ATTEMPTS
    assert [(a["outcome"], a["status_code"]) for a in delivery["log"]] == \
        [("failed", 500)] * MAX_ATTEMPTS
    assert [d["id"] for d in await deliveries(client, harness, sub, status="dead_letter")] == \
        [delivery["id"]]


async def test_bulk_replay_by_status_and_creation_window(client, harness, serve, dev_targets):
    receiver = Receiver()
    sub = await subscribe(client, harness, await serve(receiver))
    await widgets(client, harness, 4)
    await deliver_pending(harness.sessionmaker, FixedClock(datetime.now(UTC)),
                          targets=dev_targets)
    assert len(receiver.requests) == 4
    days = [datetime(2026, 12, day, 12, tzinfo=UTC) for day in (1, 2, 3, 4)]
    async with harness.sessionmaker() as session, session.begin():
        ids = (await session.scalars(sa.text(
            "SELECT id FROM webhook_deliveries ORDER BY created_at, id"))).all()
        for delivery_id, day, status in zip(ids, days, ["dead_letter", "dead_letter",
                                                        "dead_letter", "succeeded"],
                                            strict=True):
            await session.execute(sa.text(
                "UPDATE webhook_deliveries SET created_at = :day, status = :status "
                "WHERE id = :id"), {"day": day, "status": status, "id": delivery_id})
    url = f"/v1/webhook-subscriptions/{sub['id']}/deliveries/replay"
    owner = harness.headers("kit.writer", org=ORG)

    other = await client.post(url, json={}, headers=harness.headers("kit.writer", org="0999999999"))
    assert other.status_code == 404
    window = await client.post(url, headers=owner, json={
        "created_from": "2026-12-02T00:00:00Z", "created_before": "2026-12-03T00:00:00Z"})
    assert (window.status_code, window.json()["replayed"]) == (202, 1)
    rest = await client.post(url, headers=owner, json={})           # default: the dead letters
    assert rest.json()["replayed"] == 2
    for bad_body in ({"statuses": ["lost"]}, {"statuses": []}, {"created_from": "2026-12-02"},
                     {"created_from": "0001-01-01T00:00:00+01:00"}, {"limit": 5}):
        bad = await client.post(url, headers=owner, json=bad_body)
        assert bad.status_code == 422, bad_body
        assert bad.json()["code"] in {"VALIDATION_ERROR", "INVALID_VALUE"}, bad_body

    await deliver_pending(harness.sessionmaker, FixedClock(datetime.now(UTC)),
                          targets=dev_targets)
    assert len(receiver.requests) == 7
    assert {d["status"] for d in await deliveries(client, harness, sub)} == {"succeeded"}
    async with harness.sessionmaker() as session:
        audited = (await session.scalars(sa.text(
            "SELECT action FROM audit_events WHERE entity_type = 'webhook_subscription' "
            "ORDER BY id"))).all()
    assert audited == ["created", "deliveries_replayed", "deliveries_replayed"]


async def test_the_worker_loop_runs_the_dispatcher_and_stops_cleanly(
        client, harness, serve, dev_targets):
    receiver = Receiver()
    sub = await subscribe(client, harness, await serve(receiver))
    await widgets(client, harness, 1)
    registry = TaskRegistry()
    register_webhook_tasks(registry)
    stop = asyncio.Event()
    dispatcher = Dispatcher(harness.sessionmaker, targets=dev_targets,
                            options=DeliveryOptions(poll_seconds=0.1))
    worker = asyncio.create_task(worker_loop(harness.sessionmaker, registry, poll_seconds=0.1,
                                             companions=[dispatcher.run], stop=stop))

    async def delivered() -> bool:
        return [d["status"] for d in await deliveries(client, harness, sub)] == ["succeeded"]

    await wait_until(delivered, within=5)
    stop.set()
    await asyncio.wait_for(worker, 5)
    assert len(receiver.requests) == 1
