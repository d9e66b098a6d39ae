"""The dossier's event table and audit trail, written together."""

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from disaster_fund.applications.models import Application
from disaster_fund.applications.models import ApplicationEvent
from disaster_fund.workflow import ApplicationState
from dkbuza_kit.audit import record_audit

A = ApplicationState


async def log_event(session: AsyncSession, application: Application, action: str, from_state: str | None,
               to_state: str | None, actor: str, at: datetime, reason: str | None = None,
               data: dict | None = None) -> None:
    session.add(ApplicationEvent(application_id=application.id, occurred_at=at, actor=actor,
                                 action=action, from_state=from_state, to_state=to_state,
                                 reason=reason, data=data))
    await record_audit(session, entity_type="application", entity_id=application.id,
                       action=action, from_state=from_state, to_state=to_state, reason=reason,
                       data=data, actor=actor)
