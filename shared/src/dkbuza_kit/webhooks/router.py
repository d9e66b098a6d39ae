"""`/v1/webhook-subscriptions`: subscribe, list, deactivate, read the log, replay."""

import uuid
from collections.abc import Collection
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter
from fastapi import Depends
from fastapi import Query
from fastapi import Request
from fastapi import Response
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from dkbuza_kit.audit import record_audit
from dkbuza_kit.auth import Principal
from dkbuza_kit.auth import require_roles
from dkbuza_kit.db import DbSession
from dkbuza_kit.models import OutboxEvent
from dkbuza_kit.pagination import Page
from dkbuza_kit.pagination import PageParams
from dkbuza_kit.pagination import Pagination
from dkbuza_kit.pagination import paginate
from dkbuza_kit.problems import ProblemError
from dkbuza_kit.webhooks.models import PENDING
from dkbuza_kit.webhooks.models import WebhookAttempt
from dkbuza_kit.webhooks.models import WebhookDelivery
from dkbuza_kit.webhooks.models import WebhookSubscription
from dkbuza_kit.webhooks.rules import forbidden_event_types
from dkbuza_kit.webhooks.rules import new_secret
from dkbuza_kit.webhooks.rules import sees_all_orgs
from dkbuza_kit.webhooks.schemas import AttemptOut
from dkbuza_kit.webhooks.schemas import BulkReplayIn
from dkbuza_kit.webhooks.schemas import BulkReplayOut
from dkbuza_kit.webhooks.schemas import DeliveryOut
from dkbuza_kit.webhooks.schemas import DeliveryStatus
from dkbuza_kit.webhooks.schemas import ReplayOut
from dkbuza_kit.webhooks.schemas import SubscriptionCreated
from dkbuza_kit.webhooks.schemas import SubscriptionIn
from dkbuza_kit.webhooks.schemas import SubscriptionOut
from dkbuza_kit.webhooks.targets import TargetPolicy
from dkbuza_kit.webhooks.targets import TargetRefused

MAX_BULK_REPLAY = 10_000
ENTITY = "webhook_subscription"


def target_policy(request: Request) -> TargetPolicy:
    """The app's policy (`create_app` builds it from the settings; tests replace it)."""
    return getattr(request.app.state, "webhook_targets", None) or TargetPolicy()


async def own_subscription(session: AsyncSession, principal: Principal,
                           subscription_id: uuid.UUID) -> WebhookSubscription:
    subscription = await session.scalar(
        select(WebhookSubscription).where(WebhookSubscription.id == subscription_id,
                                          WebhookSubscription.org == principal.org))
    if subscription is None:
        raise ProblemError(404, "WEBHOOK_SUBSCRIPTION_NOT_FOUND", "no such subscription")
    return subscription


async def delivery_log(session: AsyncSession, delivery_ids: list[uuid.UUID]
                       ) -> dict[uuid.UUID, list[AttemptOut]]:
    attempts = (await session.scalars(
        select(WebhookAttempt).where(WebhookAttempt.delivery_id.in_(delivery_ids))
        .order_by(WebhookAttempt.id))).all()
    by_delivery: dict[uuid.UUID, list[AttemptOut]] = {}
    for attempt in attempts:
        by_delivery.setdefault(attempt.delivery_id, []).append(AttemptOut.model_validate(attempt))
    return by_delivery


def _requeue(subscription_id: uuid.UUID):
    """Back to `pending` with a fresh attempt budget; the attempt log is kept."""
    return (update(WebhookDelivery)
            .where(WebhookDelivery.subscription_id == subscription_id)
            .values(status=PENDING, attempts=0, next_attempt_at=func.now(), lease_id=None,
                    lease_until=None))


@dataclass(frozen=True)
class WebhookAccess:
    """Who may subscribe to what, and who hears of every organisation (see webhook_router)."""

    event_types: frozenset[str]
    roles: tuple[str, ...]
    all_orgs_roles: tuple[str, ...] = ()
    event_roles: Mapping[str, Collection[str]] | None = None

    def check(self, requested: list[str], principal: Principal) -> None:
        unknown = sorted(set(requested) - self.event_types)
        if unknown:
            raise ProblemError(422, "UNKNOWN_EVENT_TYPE", f"unknown event types: {unknown}",
                               known_event_types=sorted(self.event_types))
        forbidden = forbidden_event_types(requested, principal.roles, self.event_roles,
                                          self.roles)
        if forbidden:
            raise ProblemError(403, "WEBHOOK_EVENT_TYPE_FORBIDDEN",
                               f"your roles may not receive: {forbidden}",
                               forbidden_event_types=forbidden)
        if not principal.org:
            raise ProblemError(403, "ORGANISATION_REQUIRED", "the token names no organisation")

    def all_orgs(self, requested: list[str], principal: Principal) -> bool:
        return sees_all_orgs(requested, principal.roles, internal=principal.is_internal,
                             all_orgs_roles=self.all_orgs_roles, event_roles=self.event_roles,
                             subscriber_roles=self.roles)


async def create(session: AsyncSession, principal: Principal, body: SubscriptionIn,
                 access: WebhookAccess, targets: TargetPolicy) -> SubscriptionCreated:
    requested = sorted(set(body.event_types))
    access.check(requested, principal)
    try:
        await targets.check_registration(str(body.url))
    except TargetRefused as refused:
        raise ProblemError(422, refused.code, refused.detail) from None
    subscription = WebhookSubscription(
        id=uuid.uuid4(), org=principal.org, url=str(body.url), event_types=requested,
        secret=new_secret(), active=True, created_by=principal.sub,
        all_orgs=access.all_orgs(requested, principal))
    session.add(subscription)
    await session.flush()
    await session.refresh(subscription)
    await record_audit(session, entity_type=ENTITY, entity_id=subscription.id, action="created",
                       to_state="active", actor_org=principal.org,
                       data={"event_types": requested, "all_orgs": subscription.all_orgs})
    return SubscriptionCreated(**SubscriptionOut.model_validate(subscription).model_dump(),
                               secret=subscription.secret)


async def deliveries_page(session: AsyncSession, subscription_id: uuid.UUID,
                          status: str | None, page: PageParams) -> Page[DeliveryOut]:
    stmt = (select(WebhookDelivery, OutboxEvent.type)
            .join(OutboxEvent, OutboxEvent.id == WebhookDelivery.event_id)
            .where(WebhookDelivery.subscription_id == subscription_id)
            .order_by(WebhookDelivery.created_at, WebhookDelivery.id))
    if status is not None:
        stmt = stmt.where(WebhookDelivery.status == status)
    rows, total = await paginate(session, stmt, page, scalars=False)
    log = await delivery_log(session, [r[0].id for r in rows])
    items = [
        DeliveryOut(id=d.id, event_id=d.event_id, event_type=event_type, status=d.status,
                    attempts=d.attempts, next_attempt_at=d.next_attempt_at,
                    delivered_at=d.delivered_at, log=log.get(d.id, []))
        for d, event_type in rows
    ]
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


async def bulk_replay(session: AsyncSession, subscription_id: uuid.UUID,
                      body: BulkReplayIn) -> int:
    chosen = (select(WebhookDelivery.id)
              .where(WebhookDelivery.subscription_id == subscription_id,
                     WebhookDelivery.status.in_(body.statuses))
              .order_by(WebhookDelivery.created_at, WebhookDelivery.id)
              .limit(MAX_BULK_REPLAY))
    if body.created_from is not None:
        chosen = chosen.where(WebhookDelivery.created_at >= body.created_from)
    if body.created_before is not None:
        chosen = chosen.where(WebhookDelivery.created_at < body.created_before)
    replayed = await session.execute(
        _requeue(subscription_id).where(WebhookDelivery.id.in_(chosen.scalar_subquery())))
    await record_audit(session, entity_type=ENTITY, entity_id=subscription_id,
                       action="deliveries_replayed",
                       data={**body.model_dump(mode="json"), "replayed": replayed.rowcount})
    return replayed.rowcount


def webhook_router(*, event_types: Sequence[str], roles: Sequence[str],
                   all_orgs_roles: Sequence[str] = (),
                   event_roles: Mapping[str, Collection[str]] | None = None) -> APIRouter:
    """`/v1/webhook-subscriptions` for a service publishing `event_types`.

    Callers holding one of `roles` subscribe to the types one of their roles may read
    (`event_roles`: event type -> roles; a type not named there: every role in `roles`).
    Subscriptions made by the department (org `dkbuza`), or by holders of `all_orgs_roles`
    for types those roles may read, receive every organisation's events; all others only
    their own organisation's.
    """
    unknown_mapped = set(event_roles or {}) - set(event_types)
    if unknown_mapped:
        raise ValueError(f"event_roles names unknown event types: {sorted(unknown_mapped)}")
    access = WebhookAccess(frozenset(event_types), tuple(roles), tuple(all_orgs_roles),
                           event_roles)
    router = APIRouter(tags=["webhooks"])
    subscriber = Annotated[Principal, Depends(require_roles(*roles))]
    _subscription_routes(router, access, subscriber)
    _delivery_routes(router, subscriber)
    return router


def _subscription_routes(router: APIRouter, access: WebhookAccess, Subscriber) -> None:
    @router.post("/v1/webhook-subscriptions", status_code=201, response_model=SubscriptionCreated,
                 name="create_subscription")
    async def create_subscription(body: SubscriptionIn, request: Request, session: DbSession,
                                  principal: Subscriber) -> SubscriptionCreated:
        """Subscribe an https endpoint at a public address (refused with
        `WEBHOOK_TARGET_NOT_HTTPS` / `WEBHOOK_TARGET_FORBIDDEN_ADDRESS` otherwise)."""
        return await create(session, principal, body, access, target_policy(request))

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
        if subscription.active:
            subscription.active = False
            await record_audit(session, entity_type=ENTITY, entity_id=subscription.id,
                               action="deactivated", from_state="active", to_state="inactive",
                               actor_org=principal.org)
        return Response(status_code=204)


def _delivery_routes(router: APIRouter, Subscriber) -> None:
    @router.get("/v1/webhook-subscriptions/{subscription_id}/deliveries",
                response_model=Page[DeliveryOut], name="list_deliveries")
    async def list_deliveries(subscription_id: uuid.UUID, session: DbSession,
                              principal: Subscriber, page: Pagination,
                              status: Annotated[DeliveryStatus | None, Query()] = None
                              ) -> Page[DeliveryOut]:
        await own_subscription(session, principal, subscription_id)
        return await deliveries_page(session, subscription_id, status, page)

    @router.post("/v1/webhook-subscriptions/{subscription_id}/deliveries/{delivery_id}/replay",
                 status_code=202, response_model=ReplayOut, name="replay_delivery")
    async def replay_delivery(subscription_id: uuid.UUID, delivery_id: uuid.UUID,
                              session: DbSession, principal: Subscriber) -> ReplayOut:
        await own_subscription(session, principal, subscription_id)
        replayed = await session.execute(
            _requeue(subscription_id).where(WebhookDelivery.id == delivery_id))
        if replayed.rowcount == 0:
            raise ProblemError(404, "WEBHOOK_DELIVERY_NOT_FOUND", "no such delivery")
        await record_audit(session, entity_type=ENTITY, entity_id=subscription_id,
                           action="delivery_replayed", actor_org=principal.org,
                           data={"delivery_id": str(delivery_id)})
        return ReplayOut(status=PENDING)

    @router.post("/v1/webhook-subscriptions/{subscription_id}/deliveries/replay",
                 status_code=202, response_model=BulkReplayOut, name="replay_deliveries")
    async def replay_deliveries(subscription_id: uuid.UUID, body: BulkReplayIn,
                                session: DbSession, principal: Subscriber) -> BulkReplayOut:
        """Queue again the deliveries in `statuses` (default: the dead letters) created in
        the window, oldest first, at most `limit` per call (call again while it is reached)."""
        await own_subscription(session, principal, subscription_id)
        replayed = await bulk_replay(session, subscription_id, body)
        return BulkReplayOut(replayed=replayed, limit=MAX_BULK_REPLAY)
