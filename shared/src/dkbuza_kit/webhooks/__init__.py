"""Signed, retried, replayable webhooks fed by the outbox (Standard Webhooks).

- Outside parties subscribe (an https URL at a public address, event types; a secret is
  generated and shown once). A subscription receives only the event types one of its
  creator's roles may read (the service declares them per type), and only events of its own
  organisation unless its creator may see every organisation's objects for all those types:
  the department (`dkbuza`) and the roles a service names (e.g. customs for licences).
- `targets`: the SSRF policy, checked at registration and again at every delivery.
- `delivery` / `dispatcher`: the worker fans undispatched outbox events out to one delivery per
  matching subscription, then claims, commits, sends (outside any transaction) and records
  each delivery, concurrently with a per-subscription limit; the attempt log is written before
  each request; retries follow `rules.RETRY_SCHEDULE` (about 28 h) and end in `dead_letter`.
  At least once: consumers dedupe on `webhook-id` (the event id).
- `router`: `/v1/webhook-subscriptions`, the delivery log and replay (one or in bulk).
Services mount it through `create_app(webhook_events=..., webhook_event_roles=...)`; the worker
(`dkbuza_kit.jobs.run_worker`) runs the dispatcher.
"""

from dkbuza_kit.webhooks.delivery import DeliveryOptions
from dkbuza_kit.webhooks.delivery import claim_due
from dkbuza_kit.webhooks.delivery import fan_out
from dkbuza_kit.webhooks.delivery import record
from dkbuza_kit.webhooks.delivery import send
from dkbuza_kit.webhooks.dispatcher import Dispatcher
from dkbuza_kit.webhooks.dispatcher import deliver_pending
from dkbuza_kit.webhooks.models import DEAD_LETTER
from dkbuza_kit.webhooks.models import PENDING
from dkbuza_kit.webhooks.models import SUCCEEDED
from dkbuza_kit.webhooks.models import WebhookAttempt
from dkbuza_kit.webhooks.models import WebhookDelivery
from dkbuza_kit.webhooks.models import WebhookSubscription
from dkbuza_kit.webhooks.router import webhook_router
from dkbuza_kit.webhooks.rules import MAX_ATTEMPTS
from dkbuza_kit.webhooks.rules import RETRY_SCHEDULE
from dkbuza_kit.webhooks.rules import after_attempt
from dkbuza_kit.webhooks.rules import receives
from dkbuza_kit.webhooks.rules import retry_delay
from dkbuza_kit.webhooks.rules import signed_request
from dkbuza_kit.webhooks.targets import TargetPolicy
from dkbuza_kit.webhooks.targets import TargetRefused


def register_webhook_tasks(registry, *, every_seconds: int = 5) -> None:
    """The fan-out as a scheduled job too (the dispatcher also fans out on every poll), for
    workers that run jobs only; idempotent."""
    if "webhooks.fan-out" not in registry.tasks:
        registry.every("webhooks.fan-out", every_seconds)(fan_out)


__all__ = ["DEAD_LETTER", "MAX_ATTEMPTS", "PENDING", "RETRY_SCHEDULE", "SUCCEEDED",
           "DeliveryOptions", "Dispatcher", "TargetPolicy", "TargetRefused", "WebhookAttempt",
           "WebhookDelivery", "WebhookSubscription", "after_attempt", "claim_due",
           "deliver_pending", "fan_out", "receives", "record", "register_webhook_tasks",
           "retry_delay", "send", "signed_request", "webhook_router"]
