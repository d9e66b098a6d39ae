"""Webhooks: signed deliveries, retries with backoff and a log, organisation scoping, replay,
and events that exist if and only if their state change commits."""

from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
import sqlalchemy as sa
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from dkbuza_dev.testing.receivers import Receiver
from dkbuza_kit.clock import FixedClock
from dkbuza_kit.webhooks import RETRY_SCHEDULE
from dkbuza_kit.webhooks import deliver_pending
from dkbuza_kit.webhooks import receives
from dkbuza_kit.webhooks.rules import JITTER
from dkbuza_kit.webhooks.rules import forbidden_event_types
from dkbuza_kit.webhooks.rules import sees_all_orgs


async def run_worker_once(harness, clock, targets):
    await deliver_pending(harness.sessionmaker, clock, targets=targets)


async def subscribe(client, harness, org, url):
    response = await client.post("/v1/webhook-subscriptions",
                                 json={"url": url, "event_types": ["widget.created"]},
                                 headers=harness.headers("kit.writer", org=org, sub=f"{org}-admin"))
    assert response.status_code == 201, response.text
    return response.json()


async def test_signed_retried_logged_scoped_and_replayable(client, harness, serve, dev_targets):
    receiver_a, receiver_b = Receiver(failures=2), Receiver()
    sub_a = await subscribe(client, harness, "0123456789", await serve(receiver_a))
    await subscribe(client, harness, "0999999999", await serve(receiver_b))

    created = await client.post("/v1/widgets", json={"name": "a"},
                                headers=harness.headers("kit.writer", org="0123456789"))
    assert created.status_code == 201

    # Started 3 minutes ago, so that the last signature is still within the 5-minute window.
    clock = FixedClock(datetime.now(UTC) - timedelta(minutes=3))
    await run_worker_once(harness, clock, dev_targets)  # attempt 1: 500
    await run_worker_once(harness, clock, dev_targets)  # not due yet: nothing sent
    assert len(receiver_a.requests) == 1
    for failed in (1, 2):                                # attempts 2 (500) and 3 (204)
        clock.advance(seconds=RETRY_SCHEDULE[failed - 1].total_seconds() * (1 + JITTER))
        await run_worker_once(harness, clock, dev_targets)
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
    await run_worker_once(harness, clock, dev_targets)
    assert len(receiver_a.requests) == 4
    assert receiver_a.requests[-1][1]["webhook-id"] in ids


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


# A service where customs (sees every company) may read licence events only.
ROLES = ("csg.applicant", "csg.officer", "csg.customs")
READERS = {"licence.suspended": ROLES, "application.submitted": ("csg.applicant", "csg.officer")}


@pytest.mark.parametrize(("roles", "internal", "types", "forbidden", "all_orgs"), [
    ({"csg.customs"}, False, ["licence.suspended"], [], True),
    ({"csg.customs"}, False, ["application.submitted"], ["application.submitted"], False),
    ({"csg.customs"}, False, ["application.submitted", "licence.suspended"],
     ["application.submitted"], True),
    # Next to a company role the customs role widens only what it may read itself.
    ({"csg.customs", "csg.applicant"}, False, ["application.submitted"], [], False),
    ({"csg.customs", "csg.applicant"}, False, ["licence.suspended"], [], True),
    ({"csg.applicant"}, False, ["licence.suspended", "application.submitted"], [], False),
    ({"csg.officer"}, True, ["licence.suspended", "application.submitted"], [], True),
    ({"csg.customs"}, True, ["application.submitted", "licence.suspended"],
     ["application.submitted"], True),
    ({"csg.customs"}, False, [], [], False),
])
def test_event_types_by_role_and_organisation_scope(roles, internal, types, forbidden, all_orgs):
    assert forbidden_event_types(types, roles, READERS, ROLES) == forbidden
    allowed = [t for t in types if t not in forbidden]
    assert sees_all_orgs(allowed, roles, internal=internal, all_orgs_roles=("csg.customs",),
                         event_roles=READERS, subscriber_roles=ROLES) is all_orgs


def test_without_a_declaration_every_subscriber_role_reads_every_type():
    assert forbidden_event_types(["x.y"], {"a"}, None, ("a", "b")) == []
    assert forbidden_event_types(["x.y"], {"c"}, {"other.type": ("c",)}, ("a", "b")) == ["x.y"]
