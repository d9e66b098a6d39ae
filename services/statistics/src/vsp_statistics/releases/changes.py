"""Date changes told truthfully: a reschedule or cancellation is requested with a reason and
takes effect only when a user holding the approving role, other than the requester, approves
it (an action with the approver's identity from the token, never a typed name).

The public sees the approved reschedules and a change log per release (announced, rescheduled,
cancelled, published, corrected), without user ids.
"""

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dkbuza_kit.audit import record_audit
from dkbuza_kit.auth import Principal
from dkbuza_kit.clock import Clock
from dkbuza_kit.clock import today_brussels
from dkbuza_kit.dates import PartialDate
from dkbuza_kit.db import add_unique
from dkbuza_kit.db import one_or_404
from vsp_statistics.errors import Errors
from vsp_statistics.releases import service
from vsp_statistics.releases.models import Release
from vsp_statistics.releases.models import ReleaseChangeRequest
from vsp_statistics.releases.models import ReleaseCorrection
from vsp_statistics.releases.models import ReleaseReschedule
from vsp_statistics.releases.models import ReleaseStatusChange
from vsp_statistics.releases.schemas import CancellationIn
from vsp_statistics.releases.schemas import ChangeDecisionIn
from vsp_statistics.releases.schemas import ChangeKind
from vsp_statistics.releases.schemas import ChangeLogEntry
from vsp_statistics.releases.schemas import LogKind
from vsp_statistics.releases.schemas import RequestState
from vsp_statistics.releases.schemas import RescheduleIn
from vsp_statistics.releases.workflow import OPEN_STATES
from vsp_statistics.releases.workflow import RELEASE_FLOW
from vsp_statistics.releases.workflow import ReleaseState

PENDING_INDEX = "uq_release_change_requests_pending"


def _reason(value: str | None, error) -> str:
    if value is None or not value.strip():
        raise error("a date change or cancellation must be explained (reason)")
    return value.strip()


def _open(release: Release) -> None:
    if release.state not in OPEN_STATES:
        raise Errors.RELEASE_CLOSED(f"a {release.state} release cannot be changed")


def _requestable(release: Release, reason: str | None, missing_reason) -> str:
    """A change may be requested of an open release, with a reason (returned stripped)."""
    _open(release)
    return _reason(reason, missing_reason)


def _check_new_target(release: Release, new_target: PartialDate, clock: Clock) -> None:
    if str(new_target) == release.target:
        raise Errors.TARGET_UNCHANGED("the new target equals the current one")
    service.check_target(new_target, today_brussels(clock))
    reference = PartialDate.parse(release.reference_period)
    if reference.last >= new_target.last:
        raise Errors.REFERENCE_PERIOD_NOT_ENDED(
            f"the reference period {reference} does not end before {new_target}")


async def _add_request(session: AsyncSession, principal: Principal, release: Release,
                       kind: ChangeKind, reason: str, clock: Clock,
                       new_target: str | None = None) -> ReleaseChangeRequest:
    request = ReleaseChangeRequest(
        release_id=release.id, kind=kind.value, new_target=new_target, reason=reason,
        state=RequestState.pending.value, requested_by=principal.sub,
        requested_org=principal.org, requested_at=clock.now())
    await add_unique(session, request, PENDING_INDEX, lambda: Errors.CHANGE_REQUEST_PENDING(
        "this release has a change request awaiting a decision"))
    await record_audit(session, entity_type="release", entity_id=release.id,
                       action=f"{kind.value}_requested", reason=reason, actor_org=principal.org,
                       data={"change_request_id": request.id, "new_target": new_target})
    return request


async def request_reschedule(session: AsyncSession, principal: Principal, release: Release,
                             body: RescheduleIn, clock: Clock) -> ReleaseChangeRequest:
    reason = _requestable(release, body.reason, Errors.RESCHEDULE_REASON_REQUIRED)
    _check_new_target(release, body.new_target, clock)
    return await _add_request(session, principal, release, ChangeKind.reschedule, reason, clock,
                              new_target=str(body.new_target))


async def request_cancellation(session: AsyncSession, principal: Principal, release: Release,
                               body: CancellationIn, clock: Clock) -> ReleaseChangeRequest:
    reason = _requestable(release, body.reason, Errors.REASON_REQUIRED)
    RELEASE_FLOW.check(release.state, ReleaseState.cancelled)
    return await _add_request(session, principal, release, ChangeKind.cancellation, reason,
                              clock)


async def get_request(session: AsyncSession, release: Release,
                      request_id: int) -> ReleaseChangeRequest:
    stmt = select(ReleaseChangeRequest).where(ReleaseChangeRequest.id == request_id,
                                              ReleaseChangeRequest.release_id == release.id)
    return await one_or_404(session, stmt, what="change request",
                            error=Errors.CHANGE_REQUEST_NOT_FOUND, for_update=True)


def _decidable(request: ReleaseChangeRequest, approver: Principal) -> None:
    if request.state != RequestState.pending:
        raise Errors.CHANGE_REQUEST_DECIDED(f"the request was {request.state}",
                                            state=request.state)
    if request.requested_by == approver.sub:
        raise Errors.SELF_APPROVAL_NOT_PERMITTED(
            "the change is approved by another user than the one who requested it")


def _decide(request: ReleaseChangeRequest, approver: Principal, state: RequestState,
            note: str | None, now: datetime) -> None:
    request.state = state.value
    request.decided_by = approver.sub
    request.decided_at = now
    request.decision_note = note


async def approve(session: AsyncSession, approver: Principal, release: Release,
                  request: ReleaseChangeRequest, body: ChangeDecisionIn,
                  clock: Clock) -> ReleaseChangeRequest:
    _decidable(request, approver)
    _open(release)
    now = clock.now()
    if request.kind == ChangeKind.reschedule:
        await _apply_reschedule(session, approver, release, request, clock)
    else:
        await _apply_cancellation(session, approver, release, request, now)
    _decide(request, approver, RequestState.approved, body.note, now)
    release.version += 1
    return request


async def reject(session: AsyncSession, approver: Principal, release: Release,
                 request: ReleaseChangeRequest, body: ChangeDecisionIn,
                 clock: Clock) -> ReleaseChangeRequest:
    _decidable(request, approver)
    note = _reason(body.note, Errors.REASON_REQUIRED)
    _decide(request, approver, RequestState.rejected, note, clock.now())
    await record_audit(session, entity_type="release", entity_id=release.id,
                       action=f"{request.kind}_rejected", reason=note,
                       actor_org=approver.org, data={"change_request_id": request.id})
    return request


async def _apply_reschedule(session: AsyncSession, approver: Principal, release: Release,
                            request: ReleaseChangeRequest, clock: Clock) -> None:
    new_target = PartialDate.parse(request.new_target or "")
    _check_new_target(release, new_target, clock)  # again: time passed since the request
    old = release.target
    service.set_target(release, new_target, today_brussels(clock))
    release.reschedule_count += 1
    session.add(ReleaseReschedule(release_id=release.id, old_target=old,
                                  new_target=release.target, reason=request.reason,
                                  approved_by=approver.sub, rescheduled_by=request.requested_by,
                                  rescheduled_at=clock.now()))
    await record_audit(session, entity_type="release", entity_id=release.id,
                       action="rescheduled", reason=request.reason, actor_org=approver.org,
                       data={"old_target": old, "new_target": release.target,
                             "change_request_id": request.id,
                             "requested_by": request.requested_by})
    await service.emit(session, release, "rescheduled",
                       {"old_target": old, "reason": request.reason})


async def _apply_cancellation(session: AsyncSession, approver: Principal, release: Release,
                              request: ReleaseChangeRequest, now: datetime) -> None:
    current = release.state
    RELEASE_FLOW.check(current, ReleaseState.cancelled)
    release.state = ReleaseState.cancelled.value
    release.cancel_reason = request.reason
    await service.record_status(session, release, current, release.state, request.reason,
                                approver, now, data={"change_request_id": request.id,
                                                     "requested_by": request.requested_by})
    await service.emit(session, release, "cancelled", {"from": current,
                                                       "reason": request.reason})


async def change_log(session: AsyncSession, release_id: uuid.UUID) -> list[ChangeLogEntry]:
    """The public history of one release, oldest first (no user ids, no internal review)."""
    entries: list[ChangeLogEntry] = []
    statuses = await session.scalars(
        select(ReleaseStatusChange).where(ReleaseStatusChange.release_id == release_id)
        .order_by(ReleaseStatusChange.id))
    for change in statuses:
        kind = _status_log_kind(change)
        if kind is not None:
            entries.append(ChangeLogEntry(at=change.changed_at, kind=kind, text=change.reason))
    reschedules = await session.scalars(
        select(ReleaseReschedule).where(ReleaseReschedule.release_id == release_id))
    entries += [ChangeLogEntry(at=r.rescheduled_at, kind=LogKind.rescheduled,
                               old_target=r.old_target, new_target=r.new_target, text=r.reason)
                for r in reschedules]
    corrections = await session.scalars(
        select(ReleaseCorrection).where(ReleaseCorrection.release_id == release_id))
    entries += [ChangeLogEntry(at=c.corrected_at, kind=LogKind.corrected, text=c.description)
                for c in corrections]
    return sorted(entries, key=lambda entry: entry.at)


def _status_log_kind(change: ReleaseStatusChange) -> LogKind | None:
    if change.from_state is None:
        return LogKind.announced
    if change.to_state in (ReleaseState.cancelled, ReleaseState.published):
        return LogKind(change.to_state)
    return None
