"""The nested plan tree: policy fields > SDs > ODs > initiatives with their status in a period.

A handful of ordered queries assembled in memory (a plan has a few hundred nodes); goals
without children stay in the tree with empty lists.
"""

from collections import defaultdict
from datetime import date

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from planning.errors import Errors
from planning.plans.filters import NOT_REPORTED
from planning.plans.models import ExpectedResult
from planning.plans.models import Initiative
from planning.plans.models import OperationalGoal
from planning.plans.models import Plan
from planning.plans.models import PolicyField
from planning.plans.models import StrategicGoal
from planning.plans.schemas import InitiativeNode
from planning.plans.schemas import OperationalGoalNode
from planning.plans.schemas import PlanOut
from planning.plans.schemas import PlanTree
from planning.plans.schemas import PolicyFieldNode
from planning.plans.schemas import ResultCounts
from planning.plans.schemas import StrategicGoalNode
from planning.reporting.models import ReportingPeriod
from planning.reporting.models import StatusReport
from planning.reporting.queries import current_period


async def _period(session: AsyncSession, plan: Plan, code: str | None,
                  today: date) -> ReportingPeriod | None:
    if code is None:
        current = await current_period(session, today, plan.id)
        return current[0] if current else None
    period = await session.scalar(select(ReportingPeriod).where(
        ReportingPeriod.plan_id == plan.id, ReportingPeriod.code == code))
    if period is None:
        raise Errors.UNKNOWN_PERIOD(f"plan {plan.year} has no reporting period {code}")
    return period


async def plan_tree(session: AsyncSession, plan: Plan, *, period_code: str | None,
                    include_archived: bool, today: date) -> PlanTree:
    period = await _period(session, plan, period_code, today)
    fields = (await session.scalars(select(PolicyField).where(PolicyField.plan_id == plan.id)
                                    .order_by(PolicyField.number))).all()
    goals = (await session.scalars(select(StrategicGoal).where(StrategicGoal.plan_id == plan.id)
                                   .order_by(StrategicGoal.position, StrategicGoal.id))).all()
    ods = (await session.scalars(select(OperationalGoal).where(
        OperationalGoal.plan_id == plan.id)
        .order_by(OperationalGoal.position, OperationalGoal.id))).all()
    initiative_query = select(Initiative).where(Initiative.plan_id == plan.id)
    if not include_archived:
        initiative_query = initiative_query.where(Initiative.archived.is_(False))
    initiatives = (await session.scalars(
        initiative_query.order_by(Initiative.position, Initiative.id))).all()

    statuses: dict[int, str] = {}
    if period is not None:
        statuses = dict((await session.execute(
            select(StatusReport.initiative_id, StatusReport.status)
            .where(StatusReport.period_id == period.id))).all())
    results: dict[int, ResultCounts] = defaultdict(ResultCounts)
    for initiative_id, state, count in (await session.execute(
            select(ExpectedResult.initiative_id, ExpectedResult.state, func.count())
            .join(Initiative, Initiative.id == ExpectedResult.initiative_id)
            .where(Initiative.plan_id == plan.id)
            .group_by(ExpectedResult.initiative_id, ExpectedResult.state))):
        setattr(results[initiative_id], state, count)

    initiatives_by_od: dict[int, list[InitiativeNode]] = defaultdict(list)
    for ini in initiatives:
        initiatives_by_od[ini.operational_goal_id].append(InitiativeNode(
            id=ini.id, code=ini.code, title=ini.title, kind=ini.kind, owner_team=ini.owner_team,
            archived=ini.archived,
            status=statuses.get(ini.id, NOT_REPORTED) if period is not None else None,
            results=results[ini.id]))
    ods_by_goal: dict[int, list[OperationalGoalNode]] = defaultdict(list)
    for od in ods:
        ods_by_goal[od.strategic_goal_id].append(OperationalGoalNode(
            id=od.id, code=od.code, title=od.title, initiatives=initiatives_by_od[od.id]))
    goals_by_field: dict[int, list[StrategicGoalNode]] = defaultdict(list)
    for goal in goals:
        goals_by_field[goal.policy_field_id].append(StrategicGoalNode(
            id=goal.id, code=goal.code, title=goal.title,
            operational_goals=ods_by_goal[goal.id]))
    return PlanTree(
        plan=PlanOut.model_validate(plan), period=period.code if period else None,
        policy_fields=[PolicyFieldNode(id=f.id, number=f.number, title=f.title,
                                       strategic_goals=goals_by_field[f.id]) for f in fields])
