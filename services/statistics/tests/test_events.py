"""Release changes write outbox events (for webhooks), scoped to the producing entity."""

from sqlalchemy import select

from dkbuza_kit.models import OutboxEvent
from vsp_statistics.events import EVENT_TYPES


async def events(harness) -> list[tuple[str, str | None]]:
    async with harness.sessionmaker() as session:
        rows = await session.execute(select(OutboxEvent.type, OutboxEvent.org)
                                     .order_by(OutboxEvent.created_at))
        return [tuple(row) for row in rows]


async def test_announce_reschedule_and_publish_emit_events_for_the_entity(api, network, clock,
                                                                          harness):
    release = await api.release(network["a"]["id"], "2025-04-15")
    assert (await api.reschedule(release["id"], "2025-04-22")).status_code == 201
    clock.set(clock.now().replace(month=4, day=22, hour=8))
    assert (await api.publish(release["id"])).status_code == 200
    entity = network["a"]["entity_code"]
    assert await events(harness) == [
        ("release.announced", entity), ("release.rescheduled", entity),
        ("release.in_review", entity), ("release.approved", entity),
        ("release.published", entity)]
    assert {type_ for type_, _ in await events(harness)} <= set(EVENT_TYPES)


async def test_a_refused_change_writes_no_event(api, network, harness):
    release = await api.release(network["a"]["id"], "2025-04-15")
    refused = await api.reschedule(release["id"], "2025-04-22", reason=None)
    assert refused.status_code == 422
    assert [t for t, _ in await events(harness)] == ["release.announced"]


async def test_entities_can_subscribe_to_release_webhooks(api, network):
    response = await api.client.post(
        "/v1/webhook-subscriptions", headers=api.entity_headers(network["a"]["entity_code"]),
        json={"url": "https://stats.example.org/hook", "event_types": ["release.rescheduled"]})
    assert response.status_code == 201, response.text
    assert response.json()["all_orgs"] is False
