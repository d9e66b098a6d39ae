"""Webhook SSRF: targets must be https at a public address, checked at registration and again
at delivery; the delivery log keeps a status code or a generic class, never the answer."""

import ipaddress
import uuid
from datetime import UTC
from datetime import datetime

import httpx
import pytest
import sqlalchemy as sa

from dkbuza_dev.testing.receivers import Receiver
from dkbuza_kit.audit import emit_event
from dkbuza_kit.clock import FixedClock
from dkbuza_kit.webhooks import TargetPolicy
from dkbuza_kit.webhooks import TargetRefused
from dkbuza_kit.webhooks import WebhookSubscription
from dkbuza_kit.webhooks import deliver_pending
from dkbuza_kit.webhooks.targets import Unresolvable
from dkbuza_kit.webhooks.targets import is_public
from dkbuza_kit.webhooks.targets import system_resolver

PUBLIC = "93.184.215.14"
NOT_HTTPS, FORBIDDEN = "WEBHOOK_TARGET_NOT_HTTPS", "WEBHOOK_TARGET_FORBIDDEN_ADDRESS"


class FakeDns:
    """An injectable resolver: name -> addresses (changeable mid-test, like real DNS)."""

    def __init__(self, **names: list[str]) -> None:
        self.names = {k.replace("_", "."): v for k, v in names.items()}

    async def __call__(self, host: str, port: int) -> list[str]:
        if host not in self.names:
            raise Unresolvable(host)
        return self.names[host]


def dns() -> FakeDns:
    return FakeDns(hooks_partner_test=[PUBLIC], internal_partner_test=["10.1.2.3"],
                   mixed_partner_test=[PUBLIC, "10.0.0.1"], rebind_test=["127.0.0.1"],
                   localhost=["127.0.0.1"], metadata_partner_test=["169.254.169.254"])


@pytest.mark.parametrize(("address", "public"), [
    ("127.0.0.1", False), ("10.0.0.1", False), ("172.16.5.4", False), ("192.168.1.1", False),
    ("169.254.169.254", False), ("169.254.170.2", False), ("100.64.0.1", False),
    ("100.100.100.200", False), ("0.0.0.0", False), ("224.0.0.1", False),
    ("240.0.0.1", False), ("255.255.255.255", False), ("::1", False), ("::", False),
    ("fd00:ec2::254", False), ("fe80::1", False), ("ff02::1", False),
    ("::ffff:127.0.0.1", False), ("::ffff:10.0.0.1", False), ("64:ff9b::a00:1", False),
    (PUBLIC, True), ("2606:4700:4700::1111", True), ("::ffff:93.184.215.14", True),
])
def test_only_globally_routable_addresses_are_public(address, public):
    assert is_public(ipaddress.ip_address(address)) is public


@pytest.mark.parametrize(("url", "dev", "refusal"), [
    ("http://127.0.0.1:8004/v1/releases", False, NOT_HTTPS),
    ("https://127.0.0.1:8004/v1/releases", False, FORBIDDEN),
    ("https://10.0.0.1/hook", False, FORBIDDEN),
    ("https://169.254.169.254/latest/meta-data/", False, FORBIDDEN),
    ("https://[::1]/hook", False, FORBIDDEN),
    ("https://[fd00:ec2::254]/hook", False, FORBIDDEN),
    ("https://[::ffff:127.0.0.1]/hook", False, FORBIDDEN),
    ("https://internal.partner.test/hook", False, FORBIDDEN),
    ("https://metadata.partner.test/hook", False, FORBIDDEN),
    ("https://mixed.partner.test/hook", False, FORBIDDEN),   # one private answer is enough
    ("https://localhost/hook", False, FORBIDDEN),
    ("http://hooks.partner.test/hook", False, NOT_HTTPS),
    ("https://hooks.partner.test/hook", False, None),
    ("https://unknown.partner.test/hook", False, None),      # checked again at delivery
    # The development setting opens loopback only, and only for loopback names.
    ("http://127.0.0.1:8004/hook", True, None),
    ("http://[::1]:8004/hook", True, None),
    ("http://localhost:8004/hook", True, None),
    ("http://rebind.test/hook", True, NOT_HTTPS),
    ("https://10.0.0.1/hook", True, FORBIDDEN),
    ("http://hooks.partner.test/hook", True, NOT_HTTPS),
])
async def test_registration_policy(url, dev, refusal):
    policy = TargetPolicy(allow_loopback_http=dev, resolver=dns())
    if refusal is None:
        await policy.check_registration(url)
    else:
        with pytest.raises(TargetRefused) as refused:
            await policy.check_registration(url)
        assert refused.value.code == refusal


@pytest.mark.parametrize("host", ["a" * 64 + ".partner.test", "a..partner.test"])
async def test_an_invalid_host_name_is_refused_not_an_error(client, harness, host):
    with pytest.raises(TargetRefused) as refused:
        await system_resolver(host, 443)
    assert refused.value.code == "WEBHOOK_TARGET_INVALID"
    response = await client.post("/v1/webhook-subscriptions",
                                 json={"url": f"https://{host}/h", "event_types": ["widget.created"]},
                                 headers=harness.headers("kit.writer", org="0123456789"))
    assert (response.status_code, response.json()["code"]) == (422, "WEBHOOK_TARGET_INVALID")


@pytest.fixture
def policy(harness):
    """Production policy (no development setting) with the test's DNS."""
    previous = harness.app.state.webhook_targets
    harness.app.state.webhook_targets = TargetPolicy(resolver=dns())
    yield harness.app.state.webhook_targets
    harness.app.state.webhook_targets = previous


@pytest.mark.parametrize(("url", "code"), [
    ("http://127.0.0.1:8004/v1/releases", NOT_HTTPS), ("https://127.0.0.1/h", FORBIDDEN),
    ("https://10.0.0.1/h", FORBIDDEN), ("https://169.254.169.254/latest", FORBIDDEN),
    ("https://[::1]/h", FORBIDDEN), ("https://internal.partner.test/h", FORBIDDEN),
    ("https://2130706433/h", FORBIDDEN), ("https://0x7f.1/h", FORBIDDEN)])  # 127.0.0.1 spelt
async def test_registering_an_internal_target_is_refused(client, harness, policy, url, code):
    response = await client.post("/v1/webhook-subscriptions",
                                 json={"url": url, "event_types": ["widget.created"]},
                                 headers=harness.headers("kit.writer", org="0123456789"))
    assert (response.status_code, response.json()["code"]) == (422, code)
    async with harness.sessionmaker() as session:
        assert await session.scalar(sa.select(sa.func.count(WebhookSubscription.id))) == 0


async def add_subscription(harness, url: str, *, events: int = 1) -> uuid.UUID:
    """A subscription row as an older release (or DNS at registration time) let it be,
    and `events` events for it."""
    async with harness.sessionmaker() as session, session.begin():
        subscription = WebhookSubscription(org="0123456789", url=url, all_orgs=False,
                                           event_types=["widget.created"], secret="whsec_" +
                                           "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", active=True,
                                           created_by="legacy")
        session.add(subscription)
        for _ in range(events):
            await emit_event(session, "widget.created", subject=1, data={"name": "a"},
                             org="0123456789")
    return subscription.id


async def attempts_of(harness) -> list[tuple]:
    async with harness.sessionmaker() as session:
        return (await session.execute(sa.text(
            "SELECT a.outcome, a.status_code, a.error, d.status FROM webhook_attempts a "
            "JOIN webhook_deliveries d ON d.id = a.delivery_id ORDER BY a.id"))).all()


async def test_delivering_to_loopback_without_the_development_setting_is_refused(
        client, harness, serve):
    receiver = Receiver()
    await add_subscription(harness, await serve(receiver))   # http://127.0.0.1:<port>/hook
    await deliver_pending(harness.sessionmaker, FixedClock(datetime.now(UTC)),
                          targets=TargetPolicy())
    assert receiver.requests == [], "the worker called a loopback address"
    assert await attempts_of(harness) == [("refused", None, NOT_HTTPS, "pending")]


@pytest.mark.parametrize("url", ["https://10.0.0.1/h", "https://169.254.169.254/latest",
                                 "https://[::1]/h", "https://[fd00:ec2::254]/h",
                                 "https://internal.partner.test/h"])
async def test_delivering_to_an_internal_address_is_refused(client, harness, url):
    sent: list[httpx.Request] = []
    transport = httpx.MockTransport(lambda request: sent.append(request) or httpx.Response(204))
    await add_subscription(harness, url)
    await deliver_pending(harness.sessionmaker, FixedClock(datetime.now(UTC)),
                          targets=TargetPolicy(resolver=dns()), transport=transport)
    assert sent == []
    assert await attempts_of(harness) == [("refused", None, FORBIDDEN, "pending")]


async def test_dns_changed_after_registration_is_refused_at_delivery(client, harness, policy):
    created = await client.post("/v1/webhook-subscriptions", json={
        "url": "https://hooks.partner.test/in", "event_types": ["widget.created"]},
        headers=harness.headers("kit.writer", org="0123456789"))
    assert created.status_code == 201, created.text
    await client.post("/v1/widgets", json={"name": "a"},
                      headers=harness.headers("kit.writer", org="0123456789"))
    policy.resolver.names["hooks.partner.test"] = ["10.0.0.7"]   # rebound after registration
    sent: list[httpx.Request] = []
    transport = httpx.MockTransport(lambda request: sent.append(request) or httpx.Response(204))
    await deliver_pending(harness.sessionmaker, FixedClock(datetime.now(UTC)), targets=policy,
                          transport=transport)
    assert sent == []
    assert await attempts_of(harness) == [("refused", None, FORBIDDEN, "pending")]


async def test_delivery_connects_to_the_address_it_checked(client, harness):
    sent: list[httpx.Request] = []
    transport = httpx.MockTransport(lambda request: sent.append(request) or httpx.Response(200))
    await add_subscription(harness, "https://hooks.partner.test:8443/in?x=1")
    await deliver_pending(harness.sessionmaker, FixedClock(datetime.now(UTC)),
                          targets=TargetPolicy(resolver=dns()), transport=transport)
    [request] = sent
    assert str(request.url) == f"https://{PUBLIC}:8443/in?x=1"
    assert request.headers["host"] == "hooks.partner.test:8443"
    assert request.extensions["sni_hostname"] == "hooks.partner.test"
    assert await attempts_of(harness) == [("delivered", 200, None, "succeeded")]


async def test_the_log_keeps_a_status_or_a_generic_class_never_the_answer(
        client, harness, serve, dev_targets):
    chatty = Receiver(failures=1, status=401, body=b"internal admin console: token expired")
    await add_subscription(harness, await serve(chatty))
    await add_subscription(harness, "http://127.0.0.1:9/closed-port", events=0)
    await deliver_pending(harness.sessionmaker, FixedClock(datetime.now(UTC)),
                          targets=dev_targets)
    rows = await attempts_of(harness)
    assert sorted(rows, key=str) == sorted([("failed", 401, "unexpected_status", "pending"),
                                            ("failed", None, "network_error", "pending")], key=str)
    async with harness.sessionmaker() as session:
        logged = str((await session.execute(sa.text("SELECT * FROM webhook_attempts"))).all())
    assert "admin console" not in logged and "Connect" not in logged
