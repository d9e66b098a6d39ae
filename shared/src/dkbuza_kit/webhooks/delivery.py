"""Webhook delivery: fan-out, then claim, commit, send, record, one delivery at a time.

No network call happens inside a transaction. A delivery is claimed (row lock with SKIP
LOCKED, a lease, the attempt record with outcome `sending`) and committed; the request is
sent outside any transaction; the outcome is recorded in a new transaction by the lease
holder only. Deliveries run concurrently, at most `per_subscription` at a time for one
subscription (counted over every worker's unexpired leases), so a slow or failing receiver
delays only itself. A worker killed mid-request leaves its `sending` attempt behind; once
the lease expires the delivery is claimed again and that attempt is marked `abandoned`.
"""

import asyncio
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import structlog
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.asyncio import async_sessionmaker

from dkbuza_kit.clock import Clock
from dkbuza_kit.models import OutboxEvent
from dkbuza_kit.webhooks.models import ABANDONED
from dkbuza_kit.webhooks.models import DELIVERED
from dkbuza_kit.webhooks.models import FAILED
from dkbuza_kit.webhooks.models import PENDING
from dkbuza_kit.webhooks.models import REFUSED
from dkbuza_kit.webhooks.models import SENDING
from dkbuza_kit.webhooks.models import WebhookAttempt
from dkbuza_kit.webhooks.models import WebhookDelivery
from dkbuza_kit.webhooks.models import WebhookSubscription
from dkbuza_kit.webhooks.rules import after_attempt
from dkbuza_kit.webhooks.rules import receives
from dkbuza_kit.webhooks.rules import signed_request
from dkbuza_kit.webhooks.targets import TargetPolicy
from dkbuza_kit.webhooks.targets import TargetRefused
from dkbuza_kit.webhooks.targets import Unresolvable

log = structlog.get_logger("dkbuza.webhooks")
NETWORK_ERROR = "network_error"  # one class for refused, reset, timed out, TLS: no port scan
UNEXPECTED_STATUS = "unexpected_status"


@dataclass(frozen=True)
class DeliveryOptions:
    concurrency: int = 16          # requests in flight per worker
    per_subscription: int = 2      # requests in flight per subscription, over all workers
    timeout_seconds: float = 10.0  # the whole request, answer included
    lease_seconds: float = 60.0    # well above the timeout: an expired lease = a dead worker
    poll_seconds: float = 1.0


@dataclass(frozen=True)
class EventMessage:
    id: uuid.UUID
    type: str
    created_at: Any
    subject: str
    data: Any


@dataclass(frozen=True)
class Claim:
    delivery_id: uuid.UUID
    subscription_id: uuid.UUID
    lease_id: uuid.UUID
    attempt_id: int
    attempt: int
    url: str
    secret: str
    event: EventMessage


@dataclass(frozen=True)
class Outcome:
    outcome: str
    status_code: int | None = None
    error: str | None = None
    duration_ms: int = 0


# --- fan-out ------------------------------------------------------------------------------

async def fan_out(session: AsyncSession, payload: dict[str, Any], clock: Clock) -> None:
    """One delivery per (undispatched event, matching active subscription)."""
    events = (await session.scalars(
        select(OutboxEvent).where(OutboxEvent.dispatched_at.is_(None))
        .order_by(OutboxEvent.created_at).limit(500).with_for_update(skip_locked=True)
    )).all()
    if not events:
        return
    subscriptions = (await session.scalars(
        select(WebhookSubscription).where(WebhookSubscription.active.is_(True))
    )).all()
    now = clock.now()
    rows = [
        {"id": uuid.uuid4(), "subscription_id": sub.id, "event_id": event.id,
         "status": PENDING, "attempts": 0, "next_attempt_at": now}
        for event in events for sub in subscriptions
        if event.type in sub.event_types and receives(sub.org, sub.all_orgs, event.org)
    ]
    if rows:
        await session.execute(insert(WebhookDelivery).values(rows).on_conflict_do_nothing())
    await session.execute(
        update(OutboxEvent).where(OutboxEvent.id.in_([e.id for e in events]))
        .values(dispatched_at=now)
    )


# --- claim --------------------------------------------------------------------------------

# Per active subscription its oldest due, unleased deliveries (locked, others' skipped) and
# how many of its deliveries are leased right now.
_CANDIDATES = text("""
SELECT d.id, d.subscription_id,
       (SELECT count(*) FROM webhook_deliveries b
         WHERE b.subscription_id = s.id AND b.status = 'pending'
           AND b.lease_until > :now) AS busy
FROM webhook_subscriptions s
CROSS JOIN LATERAL (
    SELECT c.id, c.subscription_id, c.next_attempt_at FROM webhook_deliveries c
    WHERE c.subscription_id = s.id AND c.status = 'pending' AND c.next_attempt_at <= :now
      AND (c.lease_until IS NULL OR c.lease_until <= :now)
    ORDER BY c.next_attempt_at, c.id
    LIMIT :per_subscription
    FOR UPDATE OF c SKIP LOCKED
) d
WHERE s.active
ORDER BY d.next_attempt_at, d.id
""")


def pick(candidates: Sequence[tuple[uuid.UUID, uuid.UUID, int]], *, limit: int,
         per_subscription: int) -> list[uuid.UUID]:
    """Up to `limit` deliveries, oldest first, without exceeding a subscription's free slots."""
    taken: dict[uuid.UUID, int] = {}
    chosen: list[uuid.UUID] = []
    for delivery_id, subscription_id, busy in candidates:
        in_flight = busy + taken.get(subscription_id, 0)
        if len(chosen) < limit and in_flight < per_subscription:
            taken[subscription_id] = taken.get(subscription_id, 0) + 1
            chosen.append(delivery_id)
    return chosen


async def claim_due(sessionmaker: async_sessionmaker[AsyncSession], clock: Clock, *,
                    limit: int, options: DeliveryOptions) -> list[Claim]:
    """Lease due deliveries and write their `sending` attempts, in one short transaction."""
    if limit <= 0:
        return []
    async with sessionmaker() as session, session.begin():
        now = clock.now()
        candidates = (await session.execute(_CANDIDATES, {
            "now": now, "per_subscription": options.per_subscription})).all()
        chosen = pick([tuple(c) for c in candidates], limit=limit,
                      per_subscription=options.per_subscription)
        if not chosen:
            return []
        # A `sending` attempt of a delivery claimable again belonged to a worker that died.
        await session.execute(
            update(WebhookAttempt)
            .where(WebhookAttempt.delivery_id.in_(chosen), WebhookAttempt.outcome == SENDING)
            .values(outcome=ABANDONED, completed_at=now))
        rows = (await session.execute(
            select(WebhookDelivery, WebhookSubscription, OutboxEvent)
            .join(WebhookSubscription, WebhookSubscription.id == WebhookDelivery.subscription_id)
            .join(OutboxEvent, OutboxEvent.id == WebhookDelivery.event_id)
            .where(WebhookDelivery.id.in_(chosen))
            .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id))).all()
        lease_id = uuid.uuid4()
        claims = []
        for delivery, subscription, event in rows:
            delivery.attempts += 1
            delivery.lease_id = lease_id
            delivery.lease_until = now + timedelta(seconds=options.lease_seconds)
            attempt = WebhookAttempt(delivery_id=delivery.id, attempted_at=now, outcome=SENDING)
            session.add(attempt)
            await session.flush()
            claims.append(Claim(
                delivery_id=delivery.id, subscription_id=subscription.id, lease_id=lease_id,
                attempt_id=attempt.id, attempt=delivery.attempts, url=subscription.url,
                secret=subscription.secret,
                event=EventMessage(id=event.id, type=event.type, created_at=event.created_at,
                                   subject=event.subject, data=event.data)))
        return claims


# --- send and record ----------------------------------------------------------------------

async def send(client: httpx.AsyncClient, targets: TargetPolicy, claim: Claim, clock: Clock,
               *, timeout_seconds: float) -> Outcome:
    """One request, outside any transaction; the target is checked again first."""
    started = time.perf_counter()

    def elapsed_ms() -> int:
        return int((time.perf_counter() - started) * 1000)

    try:
        pinned = await targets.pin(claim.url)
    except TargetRefused as refused:
        return Outcome(REFUSED, error=refused.code, duration_ms=elapsed_ms())
    except Unresolvable:
        return Outcome(FAILED, error=NETWORK_ERROR, duration_ms=elapsed_ms())
    body, headers = signed_request(claim.secret, claim.event, clock.now())
    request = client.build_request("POST", pinned.url, content=body,
                                   headers={**headers, **pinned.headers},
                                   extensions=pinned.extensions)
    try:
        async with asyncio.timeout(timeout_seconds):
            # The answer's body is never read: it is not ours to keep, nor to echo.
            response = await client.send(request, stream=True)
            await response.aclose()
    except (httpx.HTTPError, OSError, TimeoutError):
        return Outcome(FAILED, error=NETWORK_ERROR, duration_ms=elapsed_ms())
    if 200 <= response.status_code < 300:
        return Outcome(DELIVERED, status_code=response.status_code, duration_ms=elapsed_ms())
    return Outcome(FAILED, status_code=response.status_code, error=UNEXPECTED_STATUS,
                   duration_ms=elapsed_ms())


async def record(sessionmaker: async_sessionmaker[AsyncSession], claim: Claim, outcome: Outcome,
                 clock: Clock) -> None:
    """Complete the attempt; move the delivery on if this worker still holds its lease."""
    async with sessionmaker() as session, session.begin():
        now = clock.now()
        await session.execute(
            update(WebhookAttempt).where(WebhookAttempt.id == claim.attempt_id)
            .values(outcome=outcome.outcome, status_code=outcome.status_code,
                    error=outcome.error, duration_ms=outcome.duration_ms, completed_at=now))
        delivery = await session.scalar(
            select(WebhookDelivery).where(WebhookDelivery.id == claim.delivery_id,
                                          WebhookDelivery.lease_id == claim.lease_id)
            .with_for_update())
        if delivery is None:  # replayed or taken over meanwhile: the log is all we own
            return
        state = after_attempt(delivery.attempts, outcome.outcome == DELIVERED, now)
        delivery.status = state.status
        delivery.delivered_at = state.delivered_at or delivery.delivered_at
        if state.next_attempt_at is not None:
            delivery.next_attempt_at = state.next_attempt_at
        delivery.lease_id = None
        delivery.lease_until = None
    log.info("webhook_attempt", delivery_id=str(claim.delivery_id), event_type=claim.event.type,
             attempt=claim.attempt, outcome=outcome.outcome, status_code=outcome.status_code,
             error=outcome.error, status=state.status)
