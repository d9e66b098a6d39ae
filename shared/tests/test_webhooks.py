"""Webhooks: signed deliveries, retries with backoff and a log, organisation scoping, replay,
and events that exist if and only if their state change commits."""

import asyncio
import socket
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
import uvicorn
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from dkbuza_kit.clock import FixedClock
from dkbuza_kit.webhooks import deliver_due, fan_out, receives, retry_delay


class Receiver:
    """A real HTTP receiver that fails the first `failures` requests."""

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.requests: list[tuple[bytes, dict[str, str]]] = []

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        self.requests.append((body, {k.decode(): v.decode() for k, v in scope["headers"]}))
        status = 500 if len(self.requests) <= self.failures else 204
        await send({"type": "http.response.start", "status": status, "headers": []})
        await send({"type": "http.response.body", "body": b""})


@pytest.fixture
async def serve():
    servers = []

    async def start(app) -> str:
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
        task = asyncio.create_task(server.serve(sockets=[sock]))
        while not server.started:  # noqa: ASYNC110  (uvicorn exposes no started event)
            await asyncio.sleep(0.01)
        servers.append((server, task))
        return f"http://127.0.0.1:{sock.getsockname()[1]}/hook"

    yield start
    for server, task in servers:
        server.should_exit = True
        await task


async def run_worker_once(harness, clock):
    async with harness.sessionmaker() as session, session.begin():
        await fan_out(session, {}, clock)
    async with harness.sessionmaker() as session, session.begin():
        await deliver_due(session, {}, clock)


async def subscribe(client, harness, org, url):
    response = await client.post("/v1/webhook-subscriptions",
                                 json={"url": url, "event_types": ["widget.created"]},
                                 headers=harness.headers("kit.writer", org=org, sub=f"{org}-admin"))
    assert response.status_code == 201, response.text
    return response.json()


async def test_signed_retried_logged_scoped_and_replayable(client, harness, serve):
    receiver_a, receiver_b = Receiver(failures=2), Receiver()
    sub_a = await subscribe(client, harness, "0123456789", await serve(receiver_a))
    await subscribe(client, harness, "0999999999", await serve(receiver_b))

    created = await client.post("/v1/widgets", json={"name": "a"},
                                headers=harness.headers("kit.writer", org="0123456789"))
    assert created.status_code == 201

    clock = FixedClock(datetime.now(UTC))
    await run_worker_once(harness, clock)          # attempt 1: 500
    await run_worker_once(harness, clock)          # not due yet: nothing sent
    assert len(receiver_a.requests) == 1
    for _ in range(2):                             # attempts 2 (500) and 3 (204)
        clock.advance(seconds=retry_delay(4).total_seconds())
        await run_worker_once(harness, clock)
    assert len(receiver_a.requests) == 3
    assert receiver_b.requests == [], "another organisation's event leaked"

    ids = {headers["webhook-id"] for _, headers in receiver_a.requests}
    assert len(ids) == 1, "retries carry the same webhook-id"
    body, headers = receiver_a.requests[-1]
    payload = Webhook(sub_a["secret"]).verify(body, headers)
    assert payload["type"] == "widget.created" and payload["data"] == {"name": "a"}
    with pytest.raises(WebhookVerificationError):
        Webhook(sub_a["secret"]).verify(body + b" ", headers)

    log = (await client.get(f"/v1/webhook-subscriptions/{sub_a['id']}/deliveries",
                            headers=harness.headers("kit.writer", org="0123456789"))).json()
    delivery = log["items"][0]
    assert delivery["status"] == "succeeded" and delivery["attempts"] == 3
    assert [a["status_code"] for a in delivery["log"]] == [500, 500, 204]

    # Another organisation cannot read or replay this subscription.
    other = harness.headers("kit.writer", org="0999999999")
    assert (await client.get(f"/v1/webhook-subscriptions/{sub_a['id']}/deliveries",
                             headers=other)).status_code == 404

    replay = await client.post(
        f"/v1/webhook-subscriptions/{sub_a['id']}/deliveries/{delivery['id']}/replay",
        headers=harness.headers("kit.writer", org="0123456789"))
    assert replay.status_code == 202
    clock.set(datetime.now(UTC))
    await run_worker_once(harness, clock)
    assert len(receiver_a.requests) == 4
    assert receiver_a.requests[-1][1]["webhook-id"] in ids


@pytest.mark.parametrize(("attempts", "low", "high"), [(1, 4, 6), (2, 8, 12), (3, 16, 24),
                                                       (20, 2880, 4320)])
def test_retry_delay_grows_exponentially_with_bounded_jitter(attempts, low, high):
    for _ in range(20):
        assert low <= retry_delay(attempts).total_seconds() <= high


@pytest.mark.parametrize(("subscriber", "all_orgs", "event_org", "expected"), [
    ("0123456789", False, "0123456789", True), ("0123456789", False, "0999999999", False),
    ("0123456789", False, None, False), ("dkbuza", True, "0123456789", True),
    ("dkbuza", True, None, True), ("customs", True, "0123456789", True)])
def test_organisation_scoping(subscriber, all_orgs, event_org, expected):
    assert receives(subscriber, all_orgs, event_org) is expected


async def test_department_subscriptions_see_every_organisation(client, harness):
    created = await client.post("/v1/webhook-subscriptions",
                                json={"url": "https://example.org/h", "event_types": ["widget.created"]},
                                headers=harness.headers("kit.writer", org="dkbuza"))
    outside = await client.post("/v1/webhook-subscriptions",
                                json={"url": "https://example.org/h", "event_types": ["widget.created"]},
                                headers=harness.headers("kit.writer", org="0123456789"))
    assert created.json()["all_orgs"] is True and outside.json()["all_orgs"] is False


async def test_event_exists_iff_the_change_commits(client, harness):
    writer = harness.headers("kit.writer", org="0123456789")
    failed = await client.post("/v1/widgets", json={"name": "explode-after-write"}, headers=writer)
    assert failed.status_code == 422
    ok = await client.post("/v1/widgets", json={"name": "fine"}, headers=writer)
    assert ok.status_code == 201
    async with harness.sessionmaker() as session:
        events = (await session.execute(sa.text("SELECT type, data FROM outbox_events"))).all()
    assert [(t, d) for t, d in events] == [("widget.created", {"name": "fine"})]


async def test_unknown_event_type_and_bad_url_are_refused(client, harness):
    headers = harness.headers("kit.writer", org="0123456789")
    unknown = await client.post("/v1/webhook-subscriptions",
                                json={"url": "https://example.org/h", "event_types": ["x.y"]},
                                headers=headers)
    assert unknown.status_code == 422 and unknown.json()["code"] == "UNKNOWN_EVENT_TYPE"
    bad = await client.post("/v1/webhook-subscriptions",
                            json={"url": "ftp://example.org", "event_types": ["widget.created"]},
                            headers=headers)
    assert bad.status_code == 422 and bad.json()["code"] == "VALIDATION_ERROR"
