"""Audit rows and outbox events, written in the caller's transaction.

`record_audit` / `emit_event` insert at once; `audit_row` / `outbox_row` give the same rows as
values, for a hot path that folds them into one multi-row statement with other inserts.
"""

import uuid
from typing import Any
from typing import TypeVar

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from dkbuza_kit.context import actor_var
from dkbuza_kit.context import request_id_var
from dkbuza_kit.models import AuditEvent
from dkbuza_kit.models import OutboxEvent

SYSTEM_ACTOR = "system"
Row = TypeVar("Row")


def audit_row(*, entity_type: str, entity_id: Any, action: str, from_state: str | None = None,
              to_state: str | None = None, reason: str | None = None,
              data: dict[str, Any] | None = None, actor: str | None = None,
              actor_org: str | None = None) -> dict[str, Any]:
    """`audit_events` values: who did what to which object (the request's actor unless given);
    id and occurred_at come from the database."""
    return dict(actor=actor or actor_var.get() or SYSTEM_ACTOR, actor_org=actor_org,
                request_id=request_id_var.get(), entity_type=entity_type,
                entity_id=str(entity_id), action=action, from_state=from_state,
                to_state=to_state, reason=reason, data=data)


def outbox_row(type: str, *, subject: Any, data: dict[str, Any],
               org: str | None = None) -> dict[str, Any]:
    """`outbox_events` values (created_at from the database; not yet dispatched)."""
    return dict(id=uuid.uuid4(), type=type, subject=str(subject), data=data, org=org,
                dispatched_at=None)


async def record_audit(session: AsyncSession, **fields: Any) -> None:
    """Append an audit row (keyword arguments of `audit_row`)."""
    await session.execute(insert(AuditEvent).values(audit_row(**fields)))


async def add_audited(session: AsyncSession, row: Row, *, entity_type: str, action: str,
                      entity_id: Any = None, **fields: Any) -> Row:
    """Insert an ORM row and audit it: the flush gives the row its id, which the audit row names
    unless `entity_id` names another object (the parent whose history the row joins). The
    arguments are evaluated before the flush: audit data that needs the new row's id is written
    after it with `record_audit`."""
    session.add(row)
    await session.flush()
    await record_audit(session, entity_type=entity_type, action=action,
                       entity_id=row.id if entity_id is None else entity_id, **fields)
    return row


async def emit_event(session: AsyncSession, type: str, *, subject: Any, data: dict[str, Any],
                     org: str | None = None) -> None:
    """Write a domain event to the outbox; it exists if and only if the transaction commits."""
    await session.execute(insert(OutboxEvent).values(outbox_row(type, subject=subject, data=data,
                                                                org=org)))
