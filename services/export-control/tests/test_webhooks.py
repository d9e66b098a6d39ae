"""Licence suspensions reach customs at once; a company only hears of its own licences;
customs, which sees every company, hears of licences only (never of applications)."""

from sqlalchemy import select

from dkbuza_kit.models import OutboxEvent
from dkbuza_kit.webhooks import WebhookDelivery
from dkbuza_kit.webhooks import WebhookSubscription
from dkbuza_kit.webhooks import fan_out
from export_control.events import EVENT_TYPES

LINE_100 = [{"description": "Night-vision goggles", "control_entry": "ML15.a",
             "quantity": "100", "unit": "pieces", "value_eur": "1000.00"}]


async def delivered_to(flow, event_type):
    async with flow.h.sessionmaker() as session, session.begin():
        await fan_out(session, {}, flow.h.app.state.clock)
    async with flow.h.sessionmaker() as session:
        return {str(x) for x in (await session.execute(
            select(WebhookDelivery.subscription_id)
            .join(OutboxEvent, OutboxEvent.id == WebhookDelivery.event_id)
            .where(OutboxEvent.type == event_type))).scalars()}


async def subscribe(flow, headers, types):
    r = await flow.c.post("/v1/webhook-subscriptions", headers=headers,
                          json={"url": "https://hooks.example.org/in", "event_types": types})
    assert r.status_code == 201, r.text
    return r.json()


async def test_customs_receives_every_suspension_and_companies_only_their_own(flow):
    customs = await subscribe(flow, flow.customs, ["licence.suspended"])
    holder = await subscribe(flow, flow.applicant, ["licence.suspended"])
    stranger = await subscribe(flow, flow.h.headers("csg.applicant", org="0999999999"),
                               ["licence.suspended"])
    assert customs["all_orgs"] and not holder["all_orgs"]

    licence = await flow.granted_licence(lines=LINE_100)
    r = await flow.c.post(f"/v1/licences/{licence['id']}/suspend", headers=flow.head,
                          json={"reason": "end-use check"})
    assert r.status_code == 200, r.text

    # Fan-out only: deliveries are created per receiver; sending is tested in the kit.
    async with flow.h.sessionmaker() as session, session.begin():
        await fan_out(session, {}, flow.h.app.state.clock)
    async with flow.h.sessionmaker() as session:
        receivers = set((await session.execute(
            select(WebhookSubscription.id).join(
                WebhookDelivery, WebhookDelivery.subscription_id == WebhookSubscription.id)
            .join(OutboxEvent, OutboxEvent.id == WebhookDelivery.event_id)
            .where(OutboxEvent.type == "licence.suspended"))).scalars())
    assert {str(x) for x in receivers} == {customs["id"], holder["id"]}
    assert stranger["id"] not in {str(x) for x in receivers}


async def test_customs_cannot_subscribe_to_application_events(flow):
    for types in (["application.submitted"], ["licence.suspended", "application.submitted"],
                  ["infringement.opened"], ["denial_notice.consulted"]):
        r = await flow.c.post("/v1/webhook-subscriptions", headers=flow.customs,
                              json={"url": "https://hooks.example.org/in", "event_types": types})
        assert (r.status_code, r.json()["code"]) == (403, "WEBHOOK_EVENT_TYPE_FORBIDDEN"), types
        assert "licence.suspended" not in r.json()["forbidden_event_types"]
    async with flow.h.sessionmaker() as session:
        assert (await session.execute(select(WebhookSubscription.id))).all() == []


async def test_customs_next_to_a_company_role_hears_only_of_its_own_applications(flow):
    both = flow.h.headers("csg.applicant", "csg.customs", org="0999999999", sub="dual")
    dual = await subscribe(flow, both, ["application.submitted"])
    assert dual["all_orgs"] is False
    officer = await subscribe(flow, flow.officer, ["application.submitted"])
    assert officer["all_orgs"] is True
    await flow.submitted()                           # another company's application
    assert await delivered_to(flow, "application.submitted") == {officer["id"]}


def test_every_event_type_is_declared():
    assert {"licence.suspended", "licence.revoked", "licence.issued", "application.decided",
            "application.submitted", "infringement.opened"} <= set(EVENT_TYPES)
