"""Use cases of changes during the year. Every change is audited with its reason; a due's
original (as the plan printed it) is kept on the row and every change in `due_changes`."""


from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dkbuza_kit.audit import add_audited
from dkbuza_kit.audit import record_audit
from dkbuza_kit.auth import Principal
from dkbuza_kit.clock import Clock
from dkbuza_kit.concurrency import bump_version
from dkbuza_kit.db import get_or_404
from dkbuza_kit.errors import KitErrors
from dkbuza_kit.timeline import check_timeline
from dkbuza_kit.types import in_date_window
from planning.amendments.schemas import DueChangeIn
from planning.amendments.schemas import InitiativeIn
from planning.amendments.schemas import ResultIn
from planning.errors import Errors
from planning.plan_import.due_moments import DueMoment
from planning.plans.models import DueChange
from planning.plans.models import ExpectedResult
from planning.plans.models import Initiative
from planning.plans.models import OperationalGoal
from planning.plans.models import Plan
from planning.plans.models import ResultMilestone
from planning.plans.service import plan_drafting_start


def read_due(value: str, plan_year: int, clock: Clock) -> DueMoment:
    """A due a manager sends: a valid moment, inside the date window, not before the plan was
    drafted (a planned moment may lie in the future)."""
    try:
        moment = DueMoment.parse(value)
    except ValueError as exc:
        raise Errors.DUE_INVALID(str(exc), errors=[{"field": "due", "message": str(exc)}]) from exc
    if not (in_date_window(moment.first) and in_date_window(moment.last)):
        raise KitErrors.DATE_OUT_OF_WINDOW(f"due {value} lies outside 1900..2099", field="due")
    check_timeline("due", moment.first, now=clock.now(), allow_future=True,
                   origin=("plan_drafting_start", plan_drafting_start(plan_year)))
    return moment


async def plan_of_initiative(session: AsyncSession, initiative_id: int) -> Plan:
    plan = await session.scalar(select(Plan).join(Initiative, Initiative.plan_id == Plan.id)
                                .where(Initiative.id == initiative_id))
    if plan is None:
        raise Errors.INITIATIVE_NOT_FOUND("initiative not found")
    return plan


def _set_due(row: ExpectedResult | ResultMilestone, moment: DueMoment) -> None:
    row.due, row.due_precision = str(moment), moment.precision
    row.due_first, row.due_last = moment.first, moment.last


async def change_due(session: AsyncSession, result: ExpectedResult, body: DueChangeIn,
                     principal: Principal, clock: Clock) -> ExpectedResult:
    plan = await plan_of_initiative(session, result.initiative_id)
    moment = read_due(body.due, plan.year, clock)
    target: ExpectedResult | ResultMilestone = result
    if body.milestone_id is not None:
        target = await session.get(ResultMilestone, body.milestone_id)
        if target is None or target.result_id != result.id:
            raise Errors.MILESTONE_NOT_FOUND("no such milestone of this result")
    before = target.due
    _set_due(target, moment)
    if target is not result and result.due_last is not None and moment.last > result.due_last:
        _set_due(result, moment)  # the result is due by its latest milestone
    result.timing = "dated"
    bump_version(result)
    session.add(DueChange(result_id=result.id, milestone_id=body.milestone_id, from_due=before,
                          to_due=str(moment), reason=body.reason, changed_by=principal.sub,
                          changed_at=clock.now()))
    await record_audit(session, entity_type="expected_result", entity_id=result.id,
                       action="due_changed", reason=body.reason,
                       data={"from": before, "to": str(moment), "milestone_id": body.milestone_id})
    return result


async def add_initiative(session: AsyncSession, body: InitiativeIn) -> Initiative:
    od = await get_or_404(session, OperationalGoal, body.operational_goal_id,
                          what="operational goal", error=Errors.OPERATIONAL_GOAL_NOT_FOUND)
    plan = await session.get(Plan, od.plan_id)
    position = 1 + (await session.scalar(select(func.coalesce(func.max(Initiative.position), 0))
                                         .where(Initiative.operational_goal_id == od.id)))
    initiative = Initiative(
        plan_id=od.plan_id, operational_goal_id=od.id,
        code=f"{od.code.removeprefix('OD ')}-{position:02d}", title=body.title,
        kind=body.kind.value, description=body.description, owner_team=body.owner_team,
        partners=[], tags=[], archived=False, position=position,
        added_after_adoption=plan.state != "draft")
    await add_audited(session, initiative, entity_type="initiative", action="added", reason=body.reason,
                      data={"code": initiative.code, "after_adoption": initiative.added_after_adoption})
    return initiative


async def add_result(session: AsyncSession, body: ResultIn, clock: Clock) -> ExpectedResult:
    plan = await plan_of_initiative(session, body.initiative_id)
    if body.continuous and body.due:
        raise Errors.DUE_INVALID("a continuous result has no due", errors=[{"field": "due"}])
    moment = read_due(body.due, plan.year, clock) if body.due else None
    position = 1 + (await session.scalar(select(func.coalesce(func.max(ExpectedResult.position), 0))
                                         .where(ExpectedResult.initiative_id == body.initiative_id)))
    result = ExpectedResult(
        initiative_id=body.initiative_id, position=position, text=body.text, state="open",
        timing="continuous" if body.continuous else ("dated" if moment else "undated"),
        original_due=str(moment) if moment else None, added_after_adoption=plan.state != "draft")
    if moment:
        _set_due(result, moment)
    await add_audited(session, result, entity_type="expected_result", action="added", reason=body.reason,
                      data={"due": result.due})
    return result


async def archive_result(session: AsyncSession, result: ExpectedResult, reason: str) -> ExpectedResult:
    if not result.archived:
        result.archived = True
        bump_version(result)
        await record_audit(session, entity_type="expected_result", entity_id=result.id,
                           action="archived", reason=reason)
    return result


def due_changes_query(result_id: int):
    return select(DueChange).where(DueChange.result_id == result_id).order_by(DueChange.id)


def milestones_query(result_id: int):
    return (select(ResultMilestone).where(ResultMilestone.result_id == result_id)
            .order_by(ResultMilestone.position))


