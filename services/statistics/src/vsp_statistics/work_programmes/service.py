"""Work programmes: versions fixed by a CVOS decision, actions added after fixing go into a new
version (the fixed one never changes: it is the baseline for execution follow-up).

Progress of an action (state, completion date) is follow-up, not a change of the programme,
so it does not open a new version; adding an action, or changing an action's title, owner or
due date, is a change and does. The fixed version keeps the list of its actions; the values an
action had before a later change are in the audit trail (`changes` of the `updated` row).
"""

import uuid

from sqlalchemy import Select
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dkbuza_kit.audit import add_audited
from dkbuza_kit.audit import record_audit
from dkbuza_kit.auth import Principal
from dkbuza_kit.clock import Clock
from dkbuza_kit.concurrency import bump_version
from dkbuza_kit.db import get_or_404
from dkbuza_kit.db import one_or_404
from dkbuza_kit.db import where_given
from dkbuza_kit.timeline import check_timeline
from vsp_statistics.errors import Errors
from vsp_statistics.network.models import Objective
from vsp_statistics.network.models import Programme
from vsp_statistics.network.service import existing_entity
from vsp_statistics.patching import apply_patch
from vsp_statistics.patching import audit_update
from vsp_statistics.roles import entity_scope
from vsp_statistics.work_programmes.models import FixedVersionAction
from vsp_statistics.work_programmes.models import WorkProgramme
from vsp_statistics.work_programmes.models import WorkProgrammeAction
from vsp_statistics.work_programmes.models import WorkProgrammeVersion
from vsp_statistics.work_programmes.schemas import ActionIn
from vsp_statistics.work_programmes.schemas import ActionPatch
from vsp_statistics.work_programmes.schemas import ActionProgressIn
from vsp_statistics.work_programmes.schemas import ActionState
from vsp_statistics.work_programmes.schemas import FixVersionIn
from vsp_statistics.work_programmes.schemas import VersionOut
from vsp_statistics.work_programmes.schemas import VersionState
from vsp_statistics.work_programmes.schemas import WorkProgrammeIn


async def create(session: AsyncSession, body: WorkProgrammeIn) -> WorkProgramme:
    if body.programme_id and await session.get(Programme, body.programme_id) is None:
        raise Errors.UNKNOWN_PROGRAMME("no programme with this id")
    if await session.scalar(select(WorkProgramme.id).where(WorkProgramme.code == body.code)):
        raise Errors.WORK_PROGRAMME_EXISTS(f"{body.code} already exists")
    programme = WorkProgramme(**body.model_dump())
    session.add(programme)
    await session.flush()
    session.add(WorkProgrammeVersion(work_programme_id=programme.id, number=1,
                                     state=VersionState.draft.value))
    await record_audit(session, entity_type="work_programme", entity_id=programme.id,
                       action="created")
    return programme


async def get(session: AsyncSession, work_programme_id: uuid.UUID) -> WorkProgramme:
    return await get_or_404(session, WorkProgramme, work_programme_id, what="work programme")


def programme_list() -> Select:
    return select(WorkProgramme).order_by(WorkProgramme.start_year, WorkProgramme.code)


def action_list(work_programme_id: uuid.UUID, owner_entity_code: str | None) -> Select:
    stmt = (select(WorkProgrammeAction)
            .where(WorkProgrammeAction.work_programme_id == work_programme_id)
            .order_by(WorkProgrammeAction.due_last, WorkProgrammeAction.id))
    stmt = where_given(stmt, (WorkProgrammeAction.owner_entity_code, owner_entity_code))
    return stmt


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
                      body: FixVersionIn, clock: Clock) -> None:
    version = await session.scalar(
        select(WorkProgrammeVersion).where(
            WorkProgrammeVersion.work_programme_id == programme.id,
            WorkProgrammeVersion.number == number).with_for_update())
    if version is None:
        raise Errors.VERSION_NOT_FOUND(f"version {number} not found")
    if version.state == VersionState.fixed:
        raise Errors.VERSION_ALREADY_FIXED(f"version {number} is already fixed")
    reference = (body.cvos_decision_reference or "").strip()
    if not reference:
        raise Errors.CVOS_DECISION_REQUIRED("a version is fixed only with a CVOS decision "
                                            "reference")
    if body.fixed_on is None:
        raise Errors.CVOS_DECISION_REQUIRED("the date of the CVOS decision is required "
                                            "(fixed_on)")
    # The CVOS decided: a fact, not in the future.
    check_timeline("fixed_on", body.fixed_on, now=clock.now())
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
    await session.flush()


async def draft_version(session: AsyncSession,
                        programme: WorkProgramme) -> WorkProgrammeVersion:
    """The version a change of the programme goes into: the latest if it is a draft, else a new
    draft (the fixed version stays as the CVOS decided it)."""
    version = await latest_version(session, programme.id, for_update=True)
    if version.state != VersionState.fixed:
        return version
    version = WorkProgrammeVersion(work_programme_id=programme.id, number=version.number + 1,
                                   state=VersionState.draft.value)
    await add_audited(session, version, entity_type="work_programme", entity_id=programme.id,
                      action="version_opened", to_state="draft", data={"version": version.number})
    return version


async def add_action(session: AsyncSession, programme: WorkProgramme,
                     body: ActionIn) -> WorkProgrammeAction:
    await existing_entity(session, body.owner_entity_code)
    if body.objective_id and await session.get(Objective, body.objective_id) is None:
        raise Errors.UNKNOWN_OBJECTIVE("no objective with this id")
    version = await draft_version(session, programme)
    action = WorkProgrammeAction(
        work_programme_id=programme.id, objective_id=body.objective_id, title=body.title,
        owner_entity_code=body.owner_entity_code, due=str(body.due), due_last=body.due.last,
        state="planned", added_in_version=version.number)
    await add_audited(session, action, entity_type="work_programme_action", action="added",
                      data={"version": version.number})
    return action


async def record_progress(session: AsyncSession, programme: WorkProgramme,
                          action_id: uuid.UUID, body: ActionProgressIn,
                          clock: Clock) -> WorkProgrammeAction:
    action = await get_action(session, programme, action_id, for_update=True)
    check_timeline("completed_on", body.completed_on, now=clock.now())
    previous = action.state
    action.state = body.state.value
    action.completed_on = body.completed_on
    bump_version(action)
    await record_audit(session, entity_type="work_programme_action", entity_id=action.id,
                       action="progress", from_state=previous, to_state=action.state)
    return action


def actions_of(programme: WorkProgramme, *, owned_by: Principal | None = None) -> Select:
    """The programme's actions; with `owned_by` a network entity finds only its own."""
    stmt = select(WorkProgrammeAction).where(WorkProgrammeAction.work_programme_id == programme.id)
    scope = entity_scope(owned_by) if owned_by is not None else None
    stmt = where_given(stmt, (WorkProgrammeAction.owner_entity_code, scope))
    return stmt


async def get_action(session: AsyncSession, programme: WorkProgramme, action_id: uuid.UUID, *,
                     owned_by: Principal | None = None,
                     for_update: bool = False) -> WorkProgrammeAction:
    """An action of the programme; with `owned_by` a network entity finds only its own."""
    stmt = actions_of(programme, owned_by=owned_by).where(WorkProgrammeAction.id == action_id)
    return await one_or_404(session, stmt, what="action", error=Errors.ACTION_NOT_FOUND,
                            for_update=for_update)


PROGRAMME_FIELDS = frozenset({"title", "owner_entity_code", "due", "due_last"})


async def update_action(session: AsyncSession, principal: Principal, programme: WorkProgramme,
                        action: WorkProgrammeAction, body: ActionPatch, clock: Clock) -> None:
    changes = body.changes()
    check_timeline("completed_on", changes.get("completed_on"), now=clock.now())
    owner = changes.get("owner_entity_code", action.owner_entity_code)
    if owner != action.owner_entity_code:
        if entity_scope(principal) is not None:
            raise Errors.OWNER_CHANGE_NOT_PERMITTED(
                "only VSA staff may hand an action to another entity")
        await existing_entity(session, owner)
    if "due" in changes:
        due = changes.pop("due")
        changes.update(due=str(due), due_last=due.last)
    state = ActionState(changes.get("state", action.state))
    completed_on = changes.get("completed_on", action.completed_on)
    if (state is ActionState.completed) != (completed_on is not None):
        raise Errors.COMPLETION_DATE_MISMATCH(
            "completed_on is set exactly when the state is completed "
            f"(state {state.value}, completed_on {completed_on})")
    diff = apply_patch(action, changes)
    diff.pop("due_last", None)  # follows `due`
    data = None
    if diff.keys() & PROGRAMME_FIELDS:
        data = {"version": (await draft_version(session, programme)).number}
    await audit_update(session, entity_type="work_programme_action", entity_id=action.id,
                       diff=diff, principal=principal, data=data)
