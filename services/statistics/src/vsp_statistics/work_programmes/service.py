"""Work programmes: versions fixed by a CVOS decision, actions added after fixing go into a new
version (the fixed one never changes: it is the baseline for execution follow-up).

Progress of an action (state, completion date) is follow-up, not a change of the programme,
so it does not open a new version; adding an action, or changing an action's title, owner or
due date, is a change and does. The fixed version keeps the list of its actions; the values an
action had before a later change are in the audit trail (`changes` of the `updated` row).
"""

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dkbuza_kit.audit import record_audit
from dkbuza_kit.auth import Principal
from dkbuza_kit.problems import ProblemError
from vsp_statistics.roles import entity_scope
from vsp_statistics.common import (
    apply_patch,
    audit_update,
    bump_version,
    get_or_404,
    require_text,
)
from vsp_statistics.network.models import Objective, Programme
from vsp_statistics.network.service import existing_entity
from vsp_statistics.work_programmes.models import (
    FixedVersionAction,
    WorkProgramme,
    WorkProgrammeAction,
    WorkProgrammeVersion,
)
from vsp_statistics.work_programmes.schemas import (
    ActionIn,
    ActionPatch,
    ActionProgressIn,
    ActionState,
    FixVersionIn,
    VersionOut,
    VersionState,
    WorkProgrammeIn,
)


async def create(session: AsyncSession, body: WorkProgrammeIn) -> WorkProgramme:
    if body.programme_id and await session.get(Programme, body.programme_id) is None:
        raise ProblemError(422, "UNKNOWN_PROGRAMME", "no programme with this id")
    if await session.scalar(select(WorkProgramme.id).where(WorkProgramme.code == body.code)):
        raise ProblemError(409, "WORK_PROGRAMME_EXISTS", f"{body.code} already exists")
    programme = WorkProgramme(**body.model_dump())
    session.add(programme)
    await session.flush()
    session.add(WorkProgrammeVersion(work_programme_id=programme.id, number=1,
                                     state=VersionState.draft.value))
    await record_audit(session, entity_type="work_programme", entity_id=programme.id,
                       action="created")
    return programme


async def get(session: AsyncSession, work_programme_id: uuid.UUID) -> WorkProgramme:
    return await get_or_404(session, WorkProgramme, work_programme_id, "work programme",
                            "WORK_PROGRAMME_NOT_FOUND")


async def latest_version(session: AsyncSession, work_programme_id: uuid.UUID,
                         *, for_update: bool = False) -> WorkProgrammeVersion:
    stmt = (select(WorkProgrammeVersion)
            .where(WorkProgrammeVersion.work_programme_id == work_programme_id)
            .order_by(WorkProgrammeVersion.number.desc()).limit(1))
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.scalars(stmt)).one()


async def versions(session: AsyncSession, work_programme_id: uuid.UUID) -> list[VersionOut]:
    rows = (await session.scalars(
        select(WorkProgrammeVersion)
        .where(WorkProgrammeVersion.work_programme_id == work_programme_id)
        .order_by(WorkProgrammeVersion.number))).all()
    links = (await session.execute(
        select(FixedVersionAction.version_id, FixedVersionAction.action_id)
        .where(FixedVersionAction.version_id.in_([v.id for v in rows]))
        .order_by(FixedVersionAction.action_id))).all()
    fixed: dict[uuid.UUID, list[uuid.UUID]] = {}
    for version_id, action_id in links:
        fixed.setdefault(version_id, []).append(action_id)
    return [VersionOut(number=v.number, state=v.state,
                       cvos_decision_reference=v.cvos_decision_reference, fixed_on=v.fixed_on,
                       action_ids=fixed.get(v.id, [])) for v in rows]


async def fix_version(session: AsyncSession, programme: WorkProgramme, number: int,
                      body: FixVersionIn) -> None:
    version = await session.scalar(
        select(WorkProgrammeVersion).where(
            WorkProgrammeVersion.work_programme_id == programme.id,
            WorkProgrammeVersion.number == number).with_for_update())
    if version is None:
        raise ProblemError(404, "VERSION_NOT_FOUND", f"version {number} not found")
    if version.state == VersionState.fixed:
        raise ProblemError(409, "VERSION_ALREADY_FIXED", f"version {number} is already fixed")
    reference = require_text(body.cvos_decision_reference, "CVOS_DECISION_REQUIRED",
                             "a version is fixed only with a CVOS decision reference")
    if body.fixed_on is None:
        raise ProblemError(422, "CVOS_DECISION_REQUIRED", "the date of the CVOS decision is "
                           "required (fixed_on)")
    version.state = VersionState.fixed.value
    version.cvos_decision_reference = reference
    version.fixed_on = body.fixed_on
    action_ids = (await session.scalars(select(WorkProgrammeAction.id).where(
        WorkProgrammeAction.work_programme_id == programme.id))).all()
    session.add_all(FixedVersionAction(version_id=version.id, action_id=action_id)
                    for action_id in action_ids)
    await record_audit(session, entity_type="work_programme", entity_id=programme.id,
                       action="version_fixed", from_state="draft", to_state="fixed",
                       data={"version": number, "cvos_decision_reference": reference,
                             "fixed_on": body.fixed_on.isoformat(),
                             "actions": len(action_ids)})


async def draft_version(session: AsyncSession,
                        programme: WorkProgramme) -> WorkProgrammeVersion:
    """The version a change of the programme goes into: the latest if it is a draft, else a new
    draft (the fixed version stays as the CVOS decided it)."""
    version = await latest_version(session, programme.id, for_update=True)
    if version.state != VersionState.fixed:
        return version
    version = WorkProgrammeVersion(work_programme_id=programme.id, number=version.number + 1,
                                   state=VersionState.draft.value)
    session.add(version)
    await session.flush()
    await record_audit(session, entity_type="work_programme", entity_id=programme.id,
                       action="version_opened", to_state="draft",
                       data={"version": version.number})
    return version


async def add_action(session: AsyncSession, programme: WorkProgramme,
                     body: ActionIn) -> WorkProgrammeAction:
    await existing_entity(session, body.owner_entity_code)
    if body.objective_id and await session.get(Objective, body.objective_id) is None:
        raise ProblemError(422, "UNKNOWN_OBJECTIVE", "no objective with this id")
    version = await draft_version(session, programme)
    action = WorkProgrammeAction(
        work_programme_id=programme.id, objective_id=body.objective_id, title=body.title,
        owner_entity_code=body.owner_entity_code, due=str(body.due), due_last=body.due.last,
        state="planned", added_in_version=version.number)
    session.add(action)
    await session.flush()
    await record_audit(session, entity_type="work_programme_action", entity_id=action.id,
                       action="added", data={"version": version.number})
    return action


async def record_progress(session: AsyncSession, programme: WorkProgramme,
                          action_id: uuid.UUID, body: ActionProgressIn) -> WorkProgrammeAction:
    action = await get_action(session, programme, action_id, for_update=True)
    previous = action.state
    action.state = body.state.value
    action.completed_on = body.completed_on
    bump_version(action)
    await record_audit(session, entity_type="work_programme_action", entity_id=action.id,
                       action="progress", from_state=previous, to_state=action.state)
    return action


async def get_action(session: AsyncSession, programme: WorkProgramme, action_id: uuid.UUID, *,
                     owned_by: Principal | None = None,
                     for_update: bool = False) -> WorkProgrammeAction:
    """An action of the programme; with `owned_by` a network entity finds only its own."""
    stmt = select(WorkProgrammeAction).where(WorkProgrammeAction.id == action_id,
                                             WorkProgrammeAction.work_programme_id == programme.id)
    scope = entity_scope(owned_by) if owned_by is not None else None
    if scope is not None:
        stmt = stmt.where(WorkProgrammeAction.owner_entity_code == scope)
    if for_update:
        stmt = stmt.with_for_update()
    action = await session.scalar(stmt)
    if action is None:
        raise ProblemError(404, "ACTION_NOT_FOUND", "action not found")
    return action


PROGRAMME_FIELDS = frozenset({"title", "owner_entity_code", "due", "due_last"})


async def update_action(session: AsyncSession, principal: Principal, programme: WorkProgramme,
                        action: WorkProgrammeAction, body: ActionPatch) -> None:
    changes = body.changes()
    owner = changes.get("owner_entity_code", action.owner_entity_code)
    if owner != action.owner_entity_code:
        if entity_scope(principal) is not None:
            raise ProblemError(403, "OWNER_CHANGE_NOT_PERMITTED",
                               "only VSA staff may hand an action to another entity")
        await existing_entity(session, owner)
    if "due" in changes:
        due = changes.pop("due")
        changes.update(due=str(due), due_last=due.last)
    state = ActionState(changes.get("state", action.state))
    completed_on = changes.get("completed_on", action.completed_on)
    if (state is ActionState.completed) != (completed_on is not None):
        raise ProblemError(422, "COMPLETION_DATE_MISMATCH",
                           "completed_on is set exactly when the state is completed "
                           f"(state {state.value}, completed_on {completed_on})")
    diff = apply_patch(action, changes)
    diff.pop("due_last", None)  # follows `due`
    data = None
    if diff.keys() & PROGRAMME_FIELDS:
        data = {"version": (await draft_version(session, programme)).number}
    await audit_update(session, entity_type="work_programme_action", entity_id=action.id,
                       diff=diff, principal=principal, data=data)
