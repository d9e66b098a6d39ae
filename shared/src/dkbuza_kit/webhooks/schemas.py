"""Request and response bodies of `/v1/webhook-subscriptions`."""

import uuid
from datetime import datetime
from typing import Annotated
from typing import Literal

from pydantic import AwareDatetime
from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field
from pydantic import HttpUrl

from dkbuza_kit.types import BoundedDateTime

# An instant with its offset, within the kit's calendar window (1900-2099).
Instant = Annotated[AwareDatetime, BoundedDateTime]
DeliveryStatus = Literal["pending", "succeeded", "dead_letter"]
AttemptOutcome = Literal["sending", "delivered", "failed", "refused", "abandoned"]


class SubscriptionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: HttpUrl = Field(description="https only, a public internet address")
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
    outcome: AttemptOutcome = Field(description="`sending` while in flight (or when the worker "
                                                "died); `abandoned`: outcome unknown")
    status_code: int | None = Field(description="the receiver's HTTP status, if it answered")
    error: str | None = Field(description="a generic class: `network_error`, "
                                          "`unexpected_status` or a refusal code")
    duration_ms: int | None


class DeliveryOut(BaseModel):
    id: uuid.UUID
    event_id: uuid.UUID
    event_type: str
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime
    delivered_at: datetime | None
    log: list[AttemptOut]


class BulkReplayIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    statuses: list[DeliveryStatus] = Field(default=["dead_letter"], min_length=1,
                                           description="replay deliveries in these states")
    created_from: Instant | None = Field(None, description="deliveries created at or "
                                                                 "after this instant")
    created_before: Instant | None = Field(None, description="... and before this one")


class BulkReplayOut(BaseModel):
    replayed: int = Field(description="deliveries queued again (at most `limit` per call; "
                                      "call again while it equals `limit`)")
    limit: int


class ReplayOut(BaseModel):
    status: DeliveryStatus
