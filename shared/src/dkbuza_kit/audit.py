"""Audit rows and outbox events, written in the caller's transaction."""

from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from dkbuza_kit.context import actor_var, request_id_var
from dkbuza_kit.models import AuditEvent, OutboxEvent

SYSTEM_ACTOR = "system"


async def record_audit(
    session: AsyncSession,
    *,
    entity_type: str,
    entity_id: Any,
    action: str,
    from_state: str | None = None,
    to_state: str | None = None,
    reason: str | None = None,
    data: dict[str, Any] | None = None,
    actor: str | None = None,
    actor_org: str | None = None,
) -> None:
    """Append who did what to which object; the request's actor unless one is given."""
    await session.execute(
        insert(AuditEvent).values(
            actor=actor or actor_var.get() or SYSTEM_ACTOR,
            actor_org=actor_org,
            request_id=request_id_var.get(),
            entity_type=entity_type,
            entity_id=str(entity_id),
            action=action,
            from_state=from_state,
            to_state=to_state,
            reason=reason,
            data=data,
        )
    )


async def emit_event(
    session: AsyncSession,
    type: str,
    *,
    subject: Any,
    data: dict[str, Any],
    org: str | None = None,
) -> None:
    """Write a domain event to the outbox; it exists if and only if the transaction commits."""
    await session.execute(
        insert(OutboxEvent).values(type=type, subject=str(subject), data=data, org=org)
    )
