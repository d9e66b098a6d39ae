"""The initiative filters shared by the list API, the status overview and its exports."""

from dataclasses import dataclass
from datetime import date
from typing import Annotated

from fastapi import Depends
from fastapi import Query
from sqlalchemy import Select
from sqlalchemy import and_
from sqlalchemy import exists
from sqlalchemy import func
from sqlalchemy import literal
from sqlalchemy import or_
from sqlalchemy import select

from dkbuza_kit.db import where_given
from planning.errors import Errors
from planning.plans.models import ExpectedResult
from planning.plans.models import Initiative
from planning.plans.models import OperationalGoal
from planning.plans.models import Plan
from planning.plans.models import PolicyField
from planning.plans.models import StrategicGoal
from planning.plans.schemas import InitiativeKind
from planning.reporting.models import ReportingPeriod
from planning.reporting.models import StatusReport

NOT_REPORTED = "not_reported"
STATUS_VALUES = ("on_track", "attention_needed", "action_needed", "done", NOT_REPORTED)


@dataclass
class InitiativeFilters:
    plan_year: int | None = None
    policy_field: int | None = None
    strategic_goal: str | None = None
    operational_goal: str | None = None
    kind: InitiativeKind | None = None
    owner_team: str | None = None
    period: str | None = None
    status: str | None = None
    overdue: bool | None = None
    q: str | None = None
    include_archived: bool = False


async def _initiative_filters(
    plan_year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    policy_field: Annotated[int | None, Query(ge=1, le=99, description="beleidsveld number")]
    = None,
    strategic_goal: Annotated[str | None, Query(max_length=20, examples=["SD 3.1"])] = None,
    operational_goal: Annotated[str | None, Query(max_length=20, examples=["OD 3.2.3"])] = None,
    kind: InitiativeKind | None = None,
    owner_team: Annotated[str | None, Query(max_length=100)] = None,
    period: Annotated[str | None, Query(max_length=20, examples=["2025-T1"])] = None,
    status: Annotated[str | None, Query(pattern="^(on_track|attention_needed|action_needed|"
                                                "done|not_reported)$")] = None,
    overdue: Annotated[bool | None, Query(description="has an open result past its due period")]
    = None,
    q: Annotated[str | None, Query(min_length=2, max_length=200,
                                   description="search in titles and descriptions")] = None,
    include_archived: bool = False,
) -> InitiativeFilters:
    if status is not None and period is None:
        raise Errors.PERIOD_REQUIRED("filtering on status needs a period")
    return InitiativeFilters(plan_year, policy_field, strategic_goal, operational_goal, kind,
                             owner_team, period, status, overdue, q, include_archived)


InitiativeFilterParams = Annotated[InitiativeFilters, Depends(_initiative_filters)]


def status_column():
    return func.coalesce(StatusReport.status, literal(NOT_REPORTED))


def initiatives_query(filters: InitiativeFilters, today: date) -> Select:
    """SELECT Initiative, OD code, status-in-period, reported_at; joined and filtered."""
    stmt = (
        select(Initiative, OperationalGoal.code.label("od_code"),
               StrategicGoal.code.label("sd_code"), PolicyField.number.label("pf_number"))
        .join(OperationalGoal, OperationalGoal.id == Initiative.operational_goal_id)
        .join(StrategicGoal, StrategicGoal.id == OperationalGoal.strategic_goal_id)
        .join(PolicyField, PolicyField.id == StrategicGoal.policy_field_id)
        .join(Plan, Plan.id == Initiative.plan_id)
    )
    if filters.period is not None:
        stmt = (stmt.join(ReportingPeriod, and_(ReportingPeriod.plan_id == Plan.id,
                                                ReportingPeriod.code == filters.period))
                .outerjoin(StatusReport, and_(StatusReport.initiative_id == Initiative.id,
                                              StatusReport.period_id == ReportingPeriod.id))
                .add_columns(status_column().label("status"),
                             StatusReport.explanation, StatusReport.corrective_action,
                             StatusReport.updated_at.label("reported_at")))
        stmt = where_given(stmt, (status_column(), filters.status))
    stmt = where_given(stmt, (Plan.year, filters.plan_year), (PolicyField.number, filters.policy_field),
                             (StrategicGoal.code, filters.strategic_goal),
                             (OperationalGoal.code, filters.operational_goal))
    if filters.kind is not None:
        stmt = stmt.where(Initiative.kind == filters.kind.value)
    stmt = where_given(stmt, (Initiative.owner_team, filters.owner_team))
    if not filters.include_archived:
        stmt = stmt.where(Initiative.archived.is_(False))
    if filters.overdue is not None:
        late = exists().where(ExpectedResult.initiative_id == Initiative.id,
                              ExpectedResult.state == "open", ExpectedResult.due_last < today,
                              ExpectedResult.archived.is_(False))
        stmt = stmt.where(late if filters.overdue else ~late)
    if filters.q:
        document = func.to_tsvector("dutch", Initiative.title + " " + Initiative.description)
        escaped = filters.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        stmt = stmt.where(or_(document.op("@@")(func.plainto_tsquery("dutch", filters.q)),
                              Initiative.title.ilike(pattern),
                              Initiative.description.ilike(pattern)))
    return stmt.order_by(Plan.year, Initiative.plan_id, PolicyField.number,
                         StrategicGoal.position, OperationalGoal.position, Initiative.position)
