"""Use cases on the plan tree: lookups, initiative updates, expected result states."""

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dkbuza_kit.audit import record_audit
from dkbuza_kit.clock import Clock
from dkbuza_kit.concurrency import bump_version
from dkbuza_kit.statemachine import TransitionTable
from dkbuza_kit.timeline import check_timeline
from planning.errors import Errors
from planning.plans.models import ExpectedResult
from planning.plans.models import Initiative
from planning.plans.models import Plan
from planning.plans.schemas import ExpectedResultPatch
from planning.plans.schemas import InitiativePatch
from planning.plans.schemas import PlanState
from planning.plans.schemas import ResultState

PLAN_STATES = TransitionTable("plan", {
    PlanState.draft: {PlanState.adopted},
    PlanState.adopted: {PlanState.closed},
    PlanState.closed: {PlanState.adopted},  # reopened to correct the year's last reports
})


async def change_plan_state(session: AsyncSession, plan: Plan, state: PlanState) -> Plan:
    before = plan.state
    PLAN_STATES.check(before, state)
    plan.state = state.value
    await record_audit(session, entity_type="plan", entity_id=plan.id, action="state_changed",
                       from_state=before, to_state=plan.state)
    return plan


async def plan_by_year(session: AsyncSession, year: int) -> Plan:
    plan = await session.scalar(select(Plan).where(Plan.year == year))
    if plan is None:
        raise Errors.PLAN_NOT_FOUND(f"plan {year} not found")
    return plan


async def update_initiative(session: AsyncSession, initiative: Initiative,
                            patch: InitiativePatch) -> Initiative:
    changes = patch.model_dump(exclude_unset=True, mode="json")
    for name, value in changes.items():
        if name in ("partners", "tags") and value is None:
            value = []
        setattr(initiative, name, value)
    bump_version(initiative)
    await record_audit(session, entity_type="initiative", entity_id=initiative.id,
                       action="updated", data=changes)
    return initiative


def plan_drafting_start(plan_year: int) -> date:
    """The origin of a plan's facts: a plan is drafted during the year before it runs, so
    nothing in it can have been achieved before 1 January of that year."""
    return date(plan_year - 1, 1, 1)


def check_result_change(patch: ExpectedResultPatch, plan_year: int, clock: Clock) -> None:
    """Rules of a result's state: achieved needs a date, not in the future and not before the
    plan was drafted; dropped needs a reason."""
    if patch.state is ResultState.achieved:
        if patch.achieved_on is None:
            raise Errors.ACHIEVED_DATE_REQUIRED("an achieved result needs a date")
        check_timeline("achieved_on", patch.achieved_on, now=clock.now(),
                       origin=("plan_drafting_start", plan_drafting_start(plan_year)))
    if patch.state is ResultState.dropped and not (patch.dropped_reason or "").strip():
        raise Errors.DROP_REASON_REQUIRED("a dropped result needs a reason")


async def change_result_state(session: AsyncSession, result: ExpectedResult,
                              patch: ExpectedResultPatch, clock: Clock) -> ExpectedResult:
    plan_year = await session.scalar(select(Plan.year).join(
        Initiative, Initiative.plan_id == Plan.id).where(Initiative.id == result.initiative_id))
    check_result_change(patch, plan_year, clock)
    before = result.state
    result.state = patch.state.value
    result.achieved_on = patch.achieved_on if patch.state is ResultState.achieved else None
    result.dropped_reason = (patch.dropped_reason if patch.state is ResultState.dropped
                             else None)
    bump_version(result)
    await record_audit(session, entity_type="expected_result", entity_id=result.id,
                       action="state_changed", from_state=before, to_state=result.state,
                       reason=result.dropped_reason)
    return result
