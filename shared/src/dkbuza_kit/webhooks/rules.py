"""Pure webhook rules: the retry schedule, who receives which event, the signed request."""

import base64
import json
import random
import secrets
from collections.abc import Collection
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from datetime import timedelta

from standardwebhooks import Webhook

from dkbuza_kit.models import OutboxEvent
from dkbuza_kit.webhooks.models import DEAD_LETTER
from dkbuza_kit.webhooks.models import PENDING
from dkbuza_kit.webhooks.models import SUCCEEDED

# The delays after the 1st, 2nd ... failed attempt: the schedule Svix documents for Standard
# Webhooks senders (docs.svix.com/retries): about 28 hours in all, then the dead letter.
RETRY_SCHEDULE: tuple[timedelta, ...] = (
    timedelta(seconds=5), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2),
    timedelta(hours=5), timedelta(hours=10), timedelta(hours=10),
)
MAX_ATTEMPTS = 1 + len(RETRY_SCHEDULE)
JITTER = 0.1  # +-10%, so that the retries for a recovering receiver do not all come at once


def retry_delay(failed_attempts: int, *, rng: random.Random | None = None) -> timedelta:
    """The wait after `failed_attempts` failures (the last step repeats beyond the schedule)."""
    step = RETRY_SCHEDULE[min(max(failed_attempts, 1), len(RETRY_SCHEDULE)) - 1]
    return step * (rng or random).uniform(1 - JITTER, 1 + JITTER)


@dataclass(frozen=True)
class NextState:
    status: str
    next_attempt_at: datetime | None = None
    delivered_at: datetime | None = None


def after_attempt(attempts: int, delivered: bool, now: datetime, *,
                  rng: random.Random | None = None) -> NextState:
    """A delivery's state after its `attempts`-th attempt."""
    if delivered:
        return NextState(SUCCEEDED, delivered_at=now)
    if attempts >= MAX_ATTEMPTS:
        return NextState(DEAD_LETTER)
    return NextState(PENDING, next_attempt_at=now + retry_delay(attempts, rng=rng))


def receives(subscription_org: str, all_orgs: bool, event_org: str | None) -> bool:
    """A subscription receives its own organisation's events, or all when it may see all."""
    return all_orgs or (event_org is not None and event_org == subscription_org)


def event_readers(event_type: str, event_roles: Mapping[str, Collection[str]] | None,
                  subscriber_roles: Collection[str]) -> frozenset[str]:
    """The roles that may receive `event_type`: as the service declares, else every role
    that may subscribe."""
    if event_roles is not None and event_type in event_roles:
        return frozenset(event_roles[event_type])
    return frozenset(subscriber_roles)


def forbidden_event_types(requested: Iterable[str], roles: Collection[str],
                          event_roles: Mapping[str, Collection[str]] | None,
                          subscriber_roles: Collection[str]) -> list[str]:
    """The requested types none of the caller's `roles` may read."""
    return sorted(t for t in requested
                  if not event_readers(t, event_roles, subscriber_roles) & set(roles))


def sees_all_orgs(requested: Iterable[str], roles: Collection[str], *, internal: bool,
                  all_orgs_roles: Collection[str],
                  event_roles: Mapping[str, Collection[str]] | None,
                  subscriber_roles: Collection[str]) -> bool:
    """Every organisation's events only when, for every requested type, one of the caller's
    cross-organisation roles may read it (the department's roles all are): a role that sees
    all organisations sees only the types it may read, even next to a company's own role."""
    wide = set(roles) if internal else set(roles) & set(all_orgs_roles)
    types = list(requested)
    return bool(wide and types) and all(event_readers(t, event_roles, subscriber_roles) & wide
                                        for t in types)


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
