"""The webhook tables: subscriptions, one delivery per (event, subscription), the attempt log."""

import uuid
from datetime import datetime

from sqlalchemy import BigInteger
from sqlalchemy import Boolean
from sqlalchemy import DateTime
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy import text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from dkbuza_kit.columns import created_at
from dkbuza_kit.columns import uuid_pk
from dkbuza_kit.db import KitBase
from dkbuza_kit.models import OutboxEvent

# Delivery states: waiting for (another) attempt, done, or given up after the last attempt.
PENDING = "pending"
SUCCEEDED = "succeeded"
DEAD_LETTER = "dead_letter"
DELIVERY_STATUSES = (PENDING, SUCCEEDED, DEAD_LETTER)

# Attempt outcomes. `sending` is written before the request leaves, so a worker that dies
# mid-request leaves it behind; the next claim of that delivery marks it `abandoned`.
SENDING = "sending"
DELIVERED = "delivered"
FAILED = "failed"
REFUSED = "refused"
ABANDONED = "abandoned"


class WebhookSubscription(KitBase):
    """An outside party's subscription; it only ever receives events of its own organisation."""

    __tablename__ = "webhook_subscriptions"

    id: Mapped[uuid.UUID] = uuid_pk()
    org: Mapped[str] = mapped_column(String(100), nullable=False, index=True)
    url: Mapped[str] = mapped_column(String(2000), nullable=False)
    event_types: Mapped[list[str]] = mapped_column(JSONB, nullable=False)
    secret: Mapped[str] = mapped_column(String(200), nullable=False)
    all_orgs: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    created_by: Mapped[str] = mapped_column(String(200), nullable=False)
    created_at: Mapped[datetime] = created_at()


class WebhookDelivery(KitBase):
    """One event for one subscription; retried until delivered or dead-lettered.

    A worker claims a delivery by setting `lease_id`/`lease_until` and commits before sending;
    only the holder of the lease records the outcome, and an expired lease (the worker died)
    makes the delivery claimable again.
    """

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("subscription_id", "event_id"),
        Index("ix_webhook_deliveries_due", "subscription_id", "next_attempt_at",
              postgresql_where=text("status = 'pending'")),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    subscription_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("webhook_subscriptions.id", ondelete="CASCADE"), nullable=False, index=True
    )
    event_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("outbox_events.id", ondelete="CASCADE"), nullable=False
    )
    status: Mapped[str] = mapped_column(String(20), nullable=False, default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False,
                                                      index=True)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    lease_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = created_at()


class WebhookAttempt(KitBase):
    """The delivery log: one row per request made (or refused), written before it is sent."""

    __tablename__ = "webhook_attempts"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    delivery_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("webhook_deliveries.id", ondelete="CASCADE"), nullable=False, index=True
    )
    attempted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    outcome: Mapped[str] = mapped_column(String(20), nullable=False, default=SENDING)
    status_code: Mapped[int | None] = mapped_column(Integer)
    # A generic class only (`network_error`, `unexpected_status`, a refusal code), never the
    # receiver's answer or the transport's detail: the log must not work as a port scanner.
    error: Mapped[str | None] = mapped_column(Text)
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


# Fan-out scans only the undispatched events.
Index("ix_outbox_events_undispatched", OutboxEvent.created_at,
      postgresql_where=OutboxEvent.dispatched_at.is_(None))
