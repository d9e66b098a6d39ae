"""Signed, retried, replayable webhooks fed by the outbox (Standard Webhooks).

- Outside parties subscribe (URL, event types; a secret is generated and shown once). A
  subscription only ever receives events of its own organisation, unless its creator may see
  every organisation's objects of that service: the department (`dkbuza`) and the roles a
  service names (e.g. customs for licence suspensions); that is decided once, at creation.
- `webhooks.fan-out` (worker) turns undispatched outbox events into one delivery per matching
  subscription; `webhooks.deliver` POSTs due deliveries with `webhook-id`, `webhook-timestamp`
  and `webhook-signature` (HMAC-SHA256, the `standardwebhooks` library), logs every attempt,
  and retries with exponential backoff and jitter until `MAX_ATTEMPTS`. At least once:
  consumers dedupe on `webhook-id` (the event id).
- Deliveries can be replayed through the API.
Services call `register_webhook_tasks(registry)` in their worker and mount `webhook_router(...)`.
"""

import base64
import json
import random
import secrets
import time
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import httpx
import structlog
from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, ConfigDict, Field, HttpUrl
from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID, insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column
from standardwebhooks import Webhook

from dkbuza_kit.auth import DKBUZA_ORG, Principal, require_roles
from dkbuza_kit.clock import Clock
from dkbuza_kit.db import DbSession, KitBase
from dkbuza_kit.jobs import TaskRegistry
from dkbuza_kit.models import OutboxEvent
from dkbuza_kit.pagination import Page, Pagination, paginate
from dkbuza_kit.problems import ProblemError

log = structlog.get_logger("dkbuza.webhooks")
MAX_ATTEMPTS = 8
FIRST_RETRY_SECONDS = 5
DELIVERY_TIMEOUT_S = 10.0


class WebhookSubscription(KitBase):
    """An outside party's subscription; it only ever receives events of its own organisation."""

    __tablename__ = "webhook_subscriptions"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    org: Mapped[str] = mapped_column(String(100), nullable=False, index=True)
    url: Mapped[str] = mapped_column(String(2000), nullable=False)
    event_types: Mapped[list[str]] = mapped_column(JSONB, nullable=False)
    secret: Mapped[str] = mapped_column(String(200), nullable=False)
    all_orgs: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    created_by: Mapped[str] = mapped_column(String(200), nullable=False)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )


class WebhookDelivery(KitBase):
    """One event for one subscription; retried until delivered or out of attempts."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (UniqueConstraint("subscription_id", "event_id"),)

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    subscription_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("webhook_subscriptions.id", ondelete="CASCADE"), nullable=False, index=True
    )
    event_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("outbox_events.id", ondelete="CASCADE"), nullable=False
    )
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="pending")
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False,
                                                      index=True)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )


class WebhookAttempt(KitBase):
    """The delivery log: one row per HTTP attempt."""

    __tablename__ = "webhook_attempts"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    delivery_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("webhook_deliveries.id", ondelete="CASCADE"), nullable=False, index=True
    )
    attempted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    duration_ms: Mapped[int] = mapped_column(Integer, nullable=False)


# Fan-out scans only the undispatched events.
Index("ix_outbox_events_undispatched", OutboxEvent.created_at,
      postgresql_where=OutboxEvent.dispatched_at.is_(None))


# --- rules --------------------------------------------------------------------------------

def retry_delay(attempts: int, *, rng: random.Random | None = None) -> timedelta:
    """Exponential backoff after `attempts` failed tries: 5 s, 10 s, 20 s ... capped at 1 h,
    with +-20% jitter so that a recovering receiver is not hit by all retries at once."""
    base = min(FIRST_RETRY_SECONDS * 2 ** (attempts - 1), 3600)
    jitter = (rng or random).uniform(0.8, 1.2)
    return timedelta(seconds=base * jitter)


def receives(subscription_org: str, all_orgs: bool, event_org: str | None) -> bool:
    """A subscription receives its own organisation's events, or all when it may see all."""
    return all_orgs or (event_org is not None and event_org == subscription_org)


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def signed_request(secret: str, event: OutboxEvent, now: datetime) -> tuple[bytes, dict[str, str]]:
    body = json.dumps({
        "id": str(event.id),
        "type": event.type,
        "timestamp": event.created_at.astimezone(UTC).isoformat(),
        "subject": event.subject,
        "data": event.data,
    }, separators=(",", ":"), default=str)
    message_id = str(event.id)
    now_utc = now.astimezone(UTC)
    signature = Webhook(secret).sign(message_id, now_utc, body)
    return body.encode(), {
        "content-type": "application/json",
        "webhook-id": message_id,
        "webhook-timestamp": str(int(now_utc.timestamp())),
        "webhook-signature": signature,
    }


# --- worker tasks -------------------------------------------------------------------------

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
         "status": "pending", "attempts": 0, "next_attempt_at": now}
        for event in events for sub in subscriptions
        if event.type in sub.event_types and receives(sub.org, sub.all_orgs, event.org)
    ]
    if rows:
        await session.execute(insert(WebhookDelivery).values(rows).on_conflict_do_nothing())
    await session.execute(
        update(OutboxEvent).where(OutboxEvent.id.in_([e.id for e in events]))
        .values(dispatched_at=now)
    )


async def deliver_due(session: AsyncSession, payload: dict[str, Any], clock: Clock,
                      *, transport: httpx.AsyncBaseTransport | None = None) -> None:
    due = (await session.execute(
        select(WebhookDelivery, WebhookSubscription, OutboxEvent)
        .join(WebhookSubscription, WebhookSubscription.id == WebhookDelivery.subscription_id)
        .join(OutboxEvent, OutboxEvent.id == WebhookDelivery.event_id)
        .where(WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= clock.now(),
               WebhookSubscription.active.is_(True))
        .order_by(WebhookDelivery.next_attempt_at).limit(100)
        .with_for_update(of=WebhookDelivery, skip_locked=True)
    )).all()
    if not due:
        return
    async with httpx.AsyncClient(timeout=DELIVERY_TIMEOUT_S, transport=transport,
                                 follow_redirects=False) as client:
        for delivery, subscription, event in due:
            await _attempt(session, client, delivery, subscription, event, clock)


async def _attempt(session: AsyncSession, client: httpx.AsyncClient, delivery: WebhookDelivery,
                   subscription: WebhookSubscription, event: OutboxEvent, clock: Clock) -> None:
    now = clock.now()
    body, headers = signed_request(subscription.secret, event, now)
    started = time.perf_counter()
    status_code: int | None = None
    error: str | None = None
    try:
        response = await client.post(subscription.url, content=body, headers=headers)
        status_code = response.status_code
        if not 200 <= status_code < 300:
            error = f"HTTP {status_code}"
    except httpx.HTTPError as exc:
        error = f"{type(exc).__name__}: {exc}"[:1000]
    delivery.attempts += 1
    session.add(WebhookAttempt(delivery_id=delivery.id, attempted_at=now, status_code=status_code,
                               error=error,
                               duration_ms=int((time.perf_counter() - started) * 1000)))
    if error is None:
        delivery.status = "succeeded"
        delivery.delivered_at = now
    elif delivery.attempts >= MAX_ATTEMPTS:
        delivery.status = "failed"
    else:
        delivery.next_attempt_at = now + retry_delay(delivery.attempts)
    log.info("webhook_attempt", delivery_id=str(delivery.id), event_type=event.type,
             attempt=delivery.attempts, status_code=status_code, error=error)


def register_webhook_tasks(registry: TaskRegistry, *, every_seconds: int = 5) -> None:
    if "webhooks.deliver" in registry.tasks:
        return
    registry.every("webhooks.fan-out", every_seconds)(fan_out)
    registry.every("webhooks.deliver", every_seconds)(deliver_due)


# --- HTTP ---------------------------------------------------------------------------------

class SubscriptionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: HttpUrl
    event_types: list[str] = Field(min_length=1, max_length=50)


class SubscriptionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    org: str
    url: str
    event_types: list[str]
    all_orgs: bool = Field(description="receives every organisation's events (internal or "
                                       "cross-organisation roles only)")
    active: bool
    created_at: datetime


class SubscriptionCreated(SubscriptionOut):
    secret: str = Field(description="Signing secret (Standard Webhooks); shown only once")


class AttemptOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    attempted_at: datetime
    status_code: int | None
    error: str | None
    duration_ms: int


class DeliveryOut(BaseModel):
    id: uuid.UUID
    event_id: uuid.UUID
    event_type: str
    status: str
    attempts: int
    next_attempt_at: datetime
    delivered_at: datetime | None
    log: list[AttemptOut]


def webhook_router(*, event_types: Sequence[str], roles: Sequence[str],
                   all_orgs_roles: Sequence[str] = ()) -> APIRouter:
    """`/v1/webhook-subscriptions` for a service publishing `event_types`.

    Subscriptions made by the department (org `dkbuza`) or by a holder of `all_orgs_roles`
    receive every organisation's events; all others only their own organisation's.
    """
    router = APIRouter(tags=["webhooks"])
    subscriber = require_roles(*roles)
    Subscriber = Annotated[Principal, Depends(subscriber)]
    known = frozenset(event_types)

    async def own_subscription(session: AsyncSession, principal: Principal,
                               subscription_id: uuid.UUID) -> WebhookSubscription:
        subscription = await session.scalar(
            select(WebhookSubscription).where(WebhookSubscription.id == subscription_id,
                                              WebhookSubscription.org == principal.org))
        if subscription is None:
            raise ProblemError(404, "WEBHOOK_SUBSCRIPTION_NOT_FOUND", "no such subscription")
        return subscription

    @router.post("/v1/webhook-subscriptions", status_code=201, response_model=SubscriptionCreated,
                 name="create_subscription")
    async def create_subscription(body: SubscriptionIn, session: DbSession,
                                  principal: Subscriber) -> SubscriptionCreated:
        unknown = sorted(set(body.event_types) - known)
        if unknown:
            raise ProblemError(422, "UNKNOWN_EVENT_TYPE", f"unknown event types: {unknown}",
                               known_event_types=sorted(known))
        if not principal.org:
            raise ProblemError(403, "ORGANISATION_REQUIRED", "the token names no organisation")
        subscription = WebhookSubscription(
            id=uuid.uuid4(), org=principal.org, url=str(body.url),
            event_types=sorted(set(body.event_types)), secret=new_secret(), active=True,
            all_orgs=principal.org == DKBUZA_ORG or principal.has_any(*all_orgs_roles),
            created_by=principal.sub)
        session.add(subscription)
        await session.flush()
        await session.refresh(subscription)
        return SubscriptionCreated(**SubscriptionOut.model_validate(subscription).model_dump(),
                                   secret=subscription.secret)

    @router.get("/v1/webhook-subscriptions", response_model=Page[SubscriptionOut],
                name="list_subscriptions")
    async def list_subscriptions(session: DbSession, principal: Subscriber,
                                 page: Pagination) -> Page[SubscriptionOut]:
        rows, total = await paginate(
            session, select(WebhookSubscription).where(WebhookSubscription.org == principal.org)
            .order_by(WebhookSubscription.created_at, WebhookSubscription.id), page)
        return Page(items=[SubscriptionOut.model_validate(r) for r in rows], total=total,
                    limit=page.limit, offset=page.offset)

    @router.delete("/v1/webhook-subscriptions/{subscription_id}", status_code=204,
                   name="deactivate_subscription")
    async def deactivate_subscription(subscription_id: uuid.UUID, session: DbSession,
                                      principal: Subscriber) -> Response:
        subscription = await own_subscription(session, principal, subscription_id)
        subscription.active = False
        return Response(status_code=204)

    @router.get("/v1/webhook-subscriptions/{subscription_id}/deliveries",
                response_model=Page[DeliveryOut], name="list_deliveries")
    async def list_deliveries(subscription_id: uuid.UUID, session: DbSession,
                              principal: Subscriber, page: Pagination) -> Page[DeliveryOut]:
        await own_subscription(session, principal, subscription_id)
        rows, total = await paginate(
            session,
            select(WebhookDelivery, OutboxEvent.type)
            .join(OutboxEvent, OutboxEvent.id == WebhookDelivery.event_id)
            .where(WebhookDelivery.subscription_id == subscription_id)
            .order_by(WebhookDelivery.created_at, WebhookDelivery.id),
            page, scalars=False)
        attempts = (await session.scalars(
            select(WebhookAttempt).where(WebhookAttempt.delivery_id.in_([r[0].id for r in rows]))
            .order_by(WebhookAttempt.id))).all()
        by_delivery: dict[uuid.UUID, list[AttemptOut]] = {}
        for attempt in attempts:
            by_delivery.setdefault(attempt.delivery_id, []).append(
                AttemptOut.model_validate(attempt))
        items = [
            DeliveryOut(id=d.id, event_id=d.event_id, event_type=event_type, status=d.status,
                        attempts=d.attempts, next_attempt_at=d.next_attempt_at,
                        delivered_at=d.delivered_at, log=by_delivery.get(d.id, []))
            for d, event_type in rows
        ]
        return Page(items=items, total=total, limit=page.limit, offset=page.offset)

    @router.post("/v1/webhook-subscriptions/{subscription_id}/deliveries/{delivery_id}/replay",
                 status_code=202, name="replay_delivery")
    async def replay_delivery(subscription_id: uuid.UUID, delivery_id: uuid.UUID,
                              session: DbSession, principal: Subscriber) -> dict[str, str]:
        await own_subscription(session, principal, subscription_id)
        replayed = await session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id == delivery_id,
                   WebhookDelivery.subscription_id == subscription_id)
            .values(status="pending", attempts=0, next_attempt_at=func.now()))
        if replayed.rowcount == 0:
            raise ProblemError(404, "WEBHOOK_DELIVERY_NOT_FOUND", "no such delivery")
        return {"status": "pending"}

    return router


__all__ = ["WebhookAttempt", "WebhookDelivery", "WebhookSubscription", "fan_out", "deliver_due",
           "register_webhook_tasks", "webhook_router", "receives", "retry_delay"]
