"""HTTP for plans, the import, and the tree (policy fields, SDs, ODs, initiatives, results)."""

from datetime import datetime
from pathlib import PureWindowsPath
from typing import Annotated

from fastapi import APIRouter
from fastapi import File
from fastapi import Query
from fastapi import Request
from fastapi import Response
from fastapi import UploadFile
from sqlalchemy import func
from sqlalchemy import select

from dkbuza_kit.clock import ClockDep
from dkbuza_kit.clock import today_brussels
from dkbuza_kit.concurrency import lock_for_change
from dkbuza_kit.concurrency import set_etag
from dkbuza_kit.db import DbSession
from dkbuza_kit.db import get_or_404
from dkbuza_kit.db import where_given
from dkbuza_kit.errors import AUTH_ERRORS
from dkbuza_kit.errors import IF_MATCH_ERRORS
from dkbuza_kit.errors import KitErrors
from dkbuza_kit.errors import responses
from dkbuza_kit.openapi import IF_MATCH
from dkbuza_kit.openapi import RETURNS_ETAG
from dkbuza_kit.pagination import Page
from dkbuza_kit.pagination import Pagination
from dkbuza_kit.pagination import page_of
from dkbuza_kit.pagination import paginate
from planning.errors import Errors
from planning.plan_import.service import decode_and_parse
from planning.plan_import.service import import_plan
from planning.plans import service
from planning.plans.filters import InitiativeFilterParams
from planning.plans.filters import initiatives_query
from planning.plans.models import ExpectedResult
from planning.plans.models import Initiative
from planning.plans.models import OperationalGoal
from planning.plans.models import Plan
from planning.plans.models import PolicyField
from planning.plans.models import StrategicGoal
from planning.plans.schemas import ExpectedResultOut
from planning.plans.schemas import ExpectedResultPatch
from planning.plans.schemas import ImportReport
from planning.plans.schemas import InitiativeListItem
from planning.plans.schemas import InitiativeOut
from planning.plans.schemas import InitiativePatch
from planning.plans.schemas import OperationalGoalOut
from planning.plans.schemas import PlanOut
from planning.plans.schemas import PlanPatch
from planning.plans.schemas import PlanTree
from planning.plans.schemas import PolicyFieldOut
from planning.plans.schemas import StrategicGoalOut
from planning.plans.tree import plan_tree
from planning.reporting.models import StatusReport
from planning.roles import Manager
from planning.roles import Reader
from planning.roles import ReporterOrManager
from planning.roles import ensure_team_access

router = APIRouter(tags=["plans"])


MAX_UPLOAD_BYTES = 5_000_000


@router.post("/v1/plans/import", response_model=ImportReport, status_code=201)
async def import_plan_file(
    session: DbSession, principal: Manager,
    file: Annotated[UploadFile, File(description="text export of the ondernemingsplan")],
    replace: Annotated[bool, Query(description="replace an existing plan of the same year")]
    = False,
) -> ImportReport:
    """Import a plan text export: all-or-nothing; 409 when the year exists without replace."""
    data = await file.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise Errors.PAYLOAD_TOO_LARGE("the plan file is too large")
    parsed = decode_and_parse(data)
    report = await import_plan(session, parsed, replace=replace,
                               filename=PureWindowsPath(file.filename or "").name or None)
    return ImportReport.model_validate(report)


@router.get("/v1/plans", response_model=Page[PlanOut])
async def list_plans(session: DbSession, _: Reader, page: Pagination) -> Page[PlanOut]:
    return await page_of(session, select(Plan).order_by(Plan.year), page)


@router.get("/v1/plans/{plan_id}", response_model=PlanOut)
async def get_plan(plan_id: int, session: DbSession, _: Reader) -> Plan:
    return await get_or_404(session, Plan, plan_id, what="plan", error=Errors.PLAN_NOT_FOUND)


@router.get("/v1/plans/{plan_id}/tree", response_model=PlanTree)
async def get_plan_tree(
    plan_id: int, session: DbSession, _: Reader, clock: ClockDep,
    period: Annotated[str | None, Query(max_length=20, examples=["2025-T1"],
                                        description="default: the plan's current period")]
    = None,
    include_archived: bool = False,
) -> PlanTree:
    """Policy fields > SDs > ODs > initiatives, each initiative with its status in the period
    and its expected results counted per state."""
    plan = await get_or_404(session, Plan, plan_id, what="plan", error=Errors.PLAN_NOT_FOUND)
    return await plan_tree(session, plan, period_code=period, include_archived=include_archived,
                           today=today_brussels(clock))


@router.patch("/v1/plans/{plan_id}", response_model=PlanOut,
              responses=responses(Errors.PLAN_NOT_FOUND, KitErrors.ILLEGAL_TRANSITION,
                                  *AUTH_ERRORS))
async def update_plan(plan_id: int, body: PlanPatch, session: DbSession, _: Manager) -> Plan:
    """Adopt (draft -> adopted), close (adopted -> closed) or reopen (closed -> adopted)."""
    plan = await get_or_404(session, Plan, plan_id, what="plan", error=Errors.PLAN_NOT_FOUND)
    return await service.change_plan_state(session, plan, body.state)


@router.get("/v1/policy-fields", response_model=Page[PolicyFieldOut])
async def list_policy_fields(session: DbSession, _: Reader, page: Pagination,
                             plan_year: Annotated[int | None, Query(ge=2000, le=2100)] = None
                             ) -> Page[PolicyFieldOut]:
    stmt = select(PolicyField).join(Plan, Plan.id == PolicyField.plan_id)
    stmt = where_given(stmt, (Plan.year, plan_year))
    return await page_of(session, stmt.order_by(Plan.year, PolicyField.number), page)


@router.get("/v1/strategic-goals", response_model=Page[StrategicGoalOut])
async def list_strategic_goals(
    session: DbSession, _: Reader, page: Pagination,
    plan_year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    policy_field: Annotated[int | None, Query(ge=1, le=99)] = None,
) -> Page[StrategicGoalOut]:
    stmt = (select(StrategicGoal).join(Plan, Plan.id == StrategicGoal.plan_id)
            .join(PolicyField, PolicyField.id == StrategicGoal.policy_field_id))
    stmt = where_given(stmt, (Plan.year, plan_year), (PolicyField.number, policy_field))
    stmt = stmt.order_by(Plan.year, PolicyField.number, StrategicGoal.position)
    return await page_of(session, stmt, page)


@router.get("/v1/operational-goals", response_model=Page[OperationalGoalOut])
async def list_operational_goals(
    session: DbSession, _: Reader, page: Pagination,
    plan_year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    strategic_goal: Annotated[str | None, Query(max_length=20)] = None,
) -> Page[OperationalGoalOut]:
    stmt = (select(OperationalGoal).join(Plan, Plan.id == OperationalGoal.plan_id)
            .join(StrategicGoal, StrategicGoal.id == OperationalGoal.strategic_goal_id)
            .join(PolicyField, PolicyField.id == StrategicGoal.policy_field_id))
    stmt = where_given(stmt, (Plan.year, plan_year), (StrategicGoal.code, strategic_goal))
    stmt = stmt.order_by(Plan.year, PolicyField.number, StrategicGoal.position,
                         OperationalGoal.position)
    return await page_of(session, stmt, page)


@router.get("/v1/initiatives", response_model=Page[InitiativeListItem])
async def list_initiatives(session: DbSession, _: Reader, page: Pagination,
                           filters: InitiativeFilterParams, clock: ClockDep
                           ) -> Page[InitiativeListItem]:
    """Flat list with filters; with `period` each item carries its status in that period."""
    today = today_brussels(clock)
    last_report = (select(func.max(StatusReport.updated_at))
                   .where(StatusReport.initiative_id == Initiative.id)
                   .correlate(Initiative).scalar_subquery())
    stmt = initiatives_query(filters, today).add_columns(last_report.label("last_report"))
    rows, total = await paginate(session, stmt, page, scalars=False)
    items = []
    for row in rows:
        mapping = row._mapping
        last: datetime | None = mapping["last_report"]
        item = InitiativeListItem.model_validate(
            {**InitiativeOut.model_validate(mapping[Initiative]).model_dump(),
             "operational_goal_code": mapping["od_code"],
             "status_in_period": mapping.get("status"),
             "days_since_last_report": (today - last.date()).days if last else None})
        items.append(item)
    return Page.of(items, total, page)


@router.get("/v1/initiatives/{initiative_id}", response_model=InitiativeOut, dependencies=[RETURNS_ETAG])
async def get_initiative(initiative_id: int, session: DbSession, _: Reader,
                         response: Response) -> Initiative:
    initiative = await get_or_404(session, Initiative, initiative_id, what="initiative",
                                  error=Errors.INITIATIVE_NOT_FOUND)
    set_etag(response, initiative.version)
    return initiative


@router.patch("/v1/initiatives/{initiative_id}", response_model=InitiativeOut,
              responses=responses(Errors.INITIATIVE_NOT_FOUND, *IF_MATCH_ERRORS, *AUTH_ERRORS),
              dependencies=[IF_MATCH])
async def update_initiative(initiative_id: int, body: InitiativePatch, request: Request,
                            response: Response, session: DbSession, _: Manager) -> Initiative:
    """Owner team, partners, tags, kind, archived flag (If-Match required)."""
    initiative = await lock_for_change(session, Initiative, initiative_id, request,
                                       what="initiative", not_found=Errors.INITIATIVE_NOT_FOUND)
    await service.update_initiative(session, initiative, body)
    set_etag(response, initiative.version)
    return initiative


@router.get("/v1/expected-results", response_model=Page[ExpectedResultOut])
async def list_expected_results(
    session: DbSession, _: Reader, page: Pagination,
    initiative_id: int | None = None,
    state: Annotated[str | None, Query(pattern="^(open|achieved|dropped)$")] = None,
) -> Page[ExpectedResultOut]:
    stmt = select(ExpectedResult)
    stmt = where_given(stmt, (ExpectedResult.initiative_id, initiative_id), (ExpectedResult.state, state))
    stmt = stmt.order_by(ExpectedResult.initiative_id, ExpectedResult.position)
    return await page_of(session, stmt, page)


@router.patch("/v1/expected-results/{result_id}", response_model=ExpectedResultOut,
              responses=responses(Errors.EXPECTED_RESULT_NOT_FOUND, Errors.NOT_YOUR_TEAM,
                                  Errors.ACHIEVED_DATE_REQUIRED, KitErrors.DATE_IN_FUTURE,
                                  Errors.DROP_REASON_REQUIRED, *IF_MATCH_ERRORS, *AUTH_ERRORS),
              dependencies=[IF_MATCH])
async def update_expected_result(result_id: int, body: ExpectedResultPatch, request: Request,
                                 response: Response, session: DbSession,
                                 principal: ReporterOrManager, clock: ClockDep) -> ExpectedResult:
    """Mark a result achieved (with date) or dropped (with reason), or reopen it.

    If-Match required: the ETag is `"<version>"` of the result as listed."""
    result = await lock_for_change(session, ExpectedResult, result_id, request,
                                   what="expected result",
                                   not_found=Errors.EXPECTED_RESULT_NOT_FOUND)
    initiative = await session.get(Initiative, result.initiative_id)
    ensure_team_access(principal, initiative.owner_team if initiative else None)
    changed = await service.change_result_state(session, result, body, clock)
    set_etag(response, changed.version)
    return changed
