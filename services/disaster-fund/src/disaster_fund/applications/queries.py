"""Reading dossiers: object visibility, lookups of a dossier and its parts."""

import uuid

from sqlalchemy import Select
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from disaster_fund import roles
from disaster_fund import turnaround
from disaster_fund.applications.models import Appeal
from disaster_fund.applications.models import Application
from disaster_fund.applications.models import ApplicationEvent
from disaster_fund.applications.models import DamageItem
from disaster_fund.applications.models import Decision
from disaster_fund.applications.models import ExpertReport
from disaster_fund.applications.models import Pause
from disaster_fund.disasters.models import Disaster
from disaster_fund.errors import Errors
from disaster_fund.rules import service as rules
from disaster_fund.workflow import ApplicationState
from dkbuza_kit.auth import Principal
from dkbuza_kit.db import one_or_404

A = ApplicationState


def visible(stmt: Select, principal: Principal) -> Select:
    """Object rules in SQL: staff see all, an expert the assigned dossiers, a municipality its
    own, a citizen their own."""
    if principal.has_any(*roles.STAFF):
        return stmt
    if principal.has_any(roles.EXPERT):
        return stmt.where(Application.expert_sub == principal.sub)
    if principal.has_any(roles.MUNICIPALITY):
        return stmt.where(Application.applicant_org == principal.org)
    return stmt.where(Application.applicant_sub == principal.sub)


async def get(session: AsyncSession, application_id: uuid.UUID, principal: Principal | None,
              *, for_update: bool = False) -> Application:
    stmt = select(Application).where(Application.id == application_id)
    if principal is not None:
        stmt = visible(stmt, principal)
    return await one_or_404(session, stmt, what="application",
                            for_update=for_update)


async def items_of(session: AsyncSession, application_id: uuid.UUID) -> list[DamageItem]:
    return list((await session.scalars(select(DamageItem).where(
        DamageItem.application_id == application_id).order_by(DamageItem.position))).all())


async def rule_set_for(session: AsyncSession, disaster: Disaster):
    rule_set = await rules.current_for_event(session, disaster.event_start)
    return rule_set, rules.content_of(rule_set)


async def pauses_of(session: AsyncSession, application_id: uuid.UUID) -> list[Pause]:
    return list((await session.scalars(select(Pause).where(Pause.application_id == application_id)
                                       .order_by(Pause.started_at))).all())


async def latest_report(session: AsyncSession, application_id: uuid.UUID) -> ExpertReport | None:
    return await session.scalar(select(ExpertReport).where(
        ExpertReport.application_id == application_id)
        .order_by(ExpertReport.created_at.desc(), ExpertReport.id).limit(1))


async def decisions_of(session: AsyncSession, application_id: uuid.UUID) -> list[Decision]:
    return list((await session.scalars(select(Decision).where(
        Decision.application_id == application_id).order_by(Decision.version))).all())


async def current_decision(session: AsyncSession, application: Application) -> Decision:
    decision = await session.scalar(select(Decision).where(
        Decision.application_id == application.id,
        Decision.version == application.decision_version))
    if decision is None:
        raise Errors.NO_DECISION("the dossier has no decision yet")
    return decision


async def open_appeal(session: AsyncSession, application_id: uuid.UUID) -> Appeal | None:
    return await session.scalar(select(Appeal).where(Appeal.application_id == application_id,
                                                     Appeal.status == "open"))


async def count_open(session: AsyncSession, disaster_id: uuid.UUID) -> int:
    return int(await session.scalar(select(func.count()).select_from(Application).where(
        Application.disaster_id == disaster_id, Application.completed_on.is_(None),
        Application.state.not_in([A.withdrawn.value, A.inadmissible.value]))) or 0)


async def state_entries(session: AsyncSession,
                        application: Application) -> list[turnaround.StateEntry]:
    """The dossier's states with their entry moments; the clock starts at receipt (paper:
    the receipt date, earlier than the submitted event)."""
    events = (await session.scalars(select(ApplicationEvent).where(
        ApplicationEvent.application_id == application.id,
        ApplicationEvent.to_state.is_not(None),
        ApplicationEvent.action.in_(["submitted", "transition"]))
        .order_by(ApplicationEvent.occurred_at, ApplicationEvent.id))).all()
    entries = [turnaround.StateEntry(e.occurred_at, e.to_state) for e in events]  # type: ignore[arg-type]
    if entries and events[0].action == "submitted":
        entries[0] = turnaround.StateEntry(application.received_at, entries[0].state)
    return entries
