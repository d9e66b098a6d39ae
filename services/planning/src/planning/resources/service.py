"""Use cases of resources: recorded per initiative and period, totals per OD / SD in SQL."""

from collections.abc import AsyncIterator
from typing import Any
from typing import Literal

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dkbuza_kit.audit import record_audit
from dkbuza_kit.concurrency import bump_version
from dkbuza_kit.db import add_unique
from dkbuza_kit.db import where_given
from planning.errors import Errors
from planning.plans.models import Initiative
from planning.plans.models import OperationalGoal
from planning.plans.models import Plan
from planning.plans.models import StrategicGoal
from planning.reporting.models import ReportingPeriod
from planning.resources.models import InitiativeResources
from planning.resources.schemas import ResourcesIn
from planning.resources.schemas import ResourcesPatch

AMOUNTS = ("budget_planned", "budget_committed", "fte_planned", "fte_committed")
EXPORT_HEADER = ["plan_year", "period", "strategic_goal", "operational_goal", "initiative",
                 "title", *AMOUNTS]


async def record_resources(session: AsyncSession, body: ResourcesIn) -> InitiativeResources:
    initiative = await session.get(Initiative, body.initiative_id)
    if initiative is None:
        raise Errors.INITIATIVE_NOT_FOUND("initiative not found")
    period = await session.get(ReportingPeriod, body.period_id)
    if period is None or period.plan_id != initiative.plan_id:
        raise Errors.PERIOD_NOT_FOUND("reporting period of this plan not found")
    row = InitiativeResources(**body.model_dump())
    await add_unique(session, row, "uq_initiative_resources_initiative_id_period_id",
                     lambda: Errors.RESOURCES_EXIST("the initiative has resources for this period; "
                                                    "change them with PATCH"))
    await record_audit(session, entity_type="initiative_resources", entity_id=row.id,
                       action="recorded", data=body.model_dump(mode="json"))
    return row


async def change_resources(session: AsyncSession, row: InitiativeResources,
                           patch: ResourcesPatch) -> InitiativeResources:
    changes = patch.changes()
    if any(value is None for value in changes.values()):
        raise Errors.FIELD_NOT_NULLABLE("amounts cannot be emptied; send 0")
    for name, value in changes.items():
        setattr(row, name, value)
    bump_version(row)
    await record_audit(session, entity_type="initiative_resources", entity_id=row.id,
                       action="changed", data=patch.model_dump(exclude_unset=True, mode="json"))
    return row


def totals_query(plan_year: int, level: Literal["operational_goal", "strategic_goal"],
                 period_id: int | None):
    goal = OperationalGoal if level == "operational_goal" else StrategicGoal
    stmt = (select(goal.code, goal.title,
                   *[func.coalesce(func.sum(getattr(InitiativeResources, name)), 0).label(name)
                     for name in AMOUNTS],
                   func.count(func.distinct(InitiativeResources.initiative_id)).label("initiatives"))
            .select_from(InitiativeResources)
            .join(Initiative, Initiative.id == InitiativeResources.initiative_id)
            .join(OperationalGoal, OperationalGoal.id == Initiative.operational_goal_id)
            .join(StrategicGoal, StrategicGoal.id == OperationalGoal.strategic_goal_id)
            .join(Plan, Plan.id == Initiative.plan_id)
            .where(Plan.year == plan_year)
            .group_by(goal.id, goal.code, goal.title, goal.position)
            .order_by(goal.code))
    stmt = where_given(stmt, (InitiativeResources.period_id, period_id))
    return stmt


async def export_rows(session: AsyncSession, plan_year: int) -> AsyncIterator[list[Any]]:
    stmt = (select(Plan.year, ReportingPeriod.code, StrategicGoal.code, OperationalGoal.code,
                   Initiative.code, Initiative.title,
                   *[getattr(InitiativeResources, name) for name in AMOUNTS])
            .join(Initiative, Initiative.id == InitiativeResources.initiative_id)
            .join(ReportingPeriod, ReportingPeriod.id == InitiativeResources.period_id)
            .join(OperationalGoal, OperationalGoal.id == Initiative.operational_goal_id)
            .join(StrategicGoal, StrategicGoal.id == OperationalGoal.strategic_goal_id)
            .join(Plan, Plan.id == Initiative.plan_id)
            .where(Plan.year == plan_year)
            .order_by(ReportingPeriod.starts_on, Initiative.code))
    result = await session.stream(stmt.execution_options(yield_per=500))
    async for row in result:
        yield list(row)
