"""Release use cases: announce, move through the workflow, reschedule, publish, correct."""

import uuid
from datetime import date, datetime, time

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from dkbuza_kit.audit import emit_event, record_audit
from dkbuza_kit.auth import Principal
from dkbuza_kit.calendar import brussels_date
from dkbuza_kit.clock import BRUSSELS, Clock, today_brussels
from dkbuza_kit.dates import PartialDate, Precision
from dkbuza_kit.problems import ProblemError
from vsp_statistics.access import STAFF, entity_scope
from vsp_statistics.common import require_text
from vsp_statistics.official_statistics.models import OfficialStatistic
from vsp_statistics.official_statistics.service import get_statistic, on_list_as_of
from vsp_statistics.releases.announcement import exact_day_required
from vsp_statistics.releases.models import (
    PreReleaseAccess,
    Release,
    ReleaseCorrection,
    ReleaseReschedule,
    ReleaseStatusChange,
)
from vsp_statistics.releases.punctuality import release_punctuality
from vsp_statistics.releases.schemas import (
    CorrectionIn,
    PreReleaseAccessIn,
    PunctualityOut,
    ReleaseIn,
    ReleaseOut,
    RescheduleIn,
    TransitionIn,
)
from vsp_statistics.releases.timeliness import time_lag_days
from vsp_statistics.releases.workflow import (
    ALLOWED,
    OPEN_STATES,
    IllegalTransition,
    ReleaseState,
    check_transition,
)


def release_uid(release_id: uuid.UUID, domain: str) -> str:
    """The calendar UID: derived from the release id only, so a reschedule never changes it."""
    return f"release-{release_id}@{domain}"


def scheduled_moment(release: Release) -> datetime | None:
    """The target day at the release time in Brussels; None while the day is not known."""
    if release.target_precision != Precision.day:
        return None
    return datetime.combine(release.target_first, release.release_time, tzinfo=BRUSSELS)


def to_out(release: Release, statistic: OfficialStatistic, today: date,
           uid_domain: str) -> ReleaseOut:
    both = release_punctuality(PartialDate.parse(release.target),
                               PartialDate.parse(release.first_announced_target),
                               release.published_on, today)
    return ReleaseOut(
        id=release.id, uid=release_uid(release.id, uid_domain), statistic_id=statistic.id,
        statistic_code=statistic.code, statistic_title=statistic.title,
        entity_code=statistic.entity_code, theme=statistic.theme,
        reference_period=release.reference_period, vintage=release.vintage,
        target=release.target, target_precision=release.target_precision,
        first_announced_target=release.first_announced_target,
        reschedule_count=release.reschedule_count, release_time=release.release_time,
        scheduled_at=scheduled_moment(release), state=release.state,
        cancel_reason=release.cancel_reason, published_at=release.published_at,
        published_with_override=release.published_with_override,
        punctuality=PunctualityOut(status=both.current.status, days=both.current.days),
        punctuality_strict=PunctualityOut(status=both.strict.status, days=both.strict.days),
        time_lag_days=(time_lag_days(release.reference_period, release.published_on)
                       if release.published_on else None),
        version=release.version,
    )


def scoped_releases(principal: Principal) -> Select:
    """(Release, OfficialStatistic) rows the caller may see: an entity only its own."""
    stmt = select(Release, OfficialStatistic).join(
        OfficialStatistic, OfficialStatistic.id == Release.statistic_id)
    scope = entity_scope(principal)
    if scope is not None:
        stmt = stmt.where(OfficialStatistic.entity_code == scope)
    return stmt


async def get_release(session: AsyncSession, principal: Principal, release_id: uuid.UUID,
                      *, for_update: bool = False) -> tuple[Release, OfficialStatistic]:
    stmt = scoped_releases(principal).where(Release.id == release_id)
    if for_update:
        stmt = stmt.with_for_update(of=Release)
    row = (await session.execute(stmt)).first()
    if row is None:
        raise ProblemError(404, "RELEASE_NOT_FOUND", "release not found")
    return row[0], row[1]


def _check_target(target: PartialDate, today: date) -> None:
    if target.last < today:
        raise ProblemError(422, "TARGET_IN_PAST", f"the target {target} lies in the past")
    if exact_day_required(target, today):
        raise ProblemError(422, "EXACT_DATE_REQUIRED",
                           f"the target {target} is less than 28 days away: announce the "
                           "exact day")


def _set_target(release: Release, target: PartialDate, today: date) -> None:
    release.target = str(target)
    release.target_precision = target.precision.value
    release.target_first = target.first
    release.target_last = target.last
    release.exact_day_announced_on = today if target.precision is Precision.day else None


async def _record_status(session: AsyncSession, release: Release, from_state: str | None,
                         to_state: str, reason: str | None, principal: Principal,
                         now: datetime, *, action: str | None = None,
                         data: dict | None = None) -> None:
    session.add(ReleaseStatusChange(release_id=release.id, from_state=from_state,
                                    to_state=to_state, reason=reason, changed_by=principal.sub,
                                    changed_at=now))
    await record_audit(session, entity_type="release", entity_id=release.id,
                       action=action or f"to_{to_state}", from_state=from_state,
                       to_state=to_state, reason=reason, data=data, actor_org=principal.org)


async def _emit(session: AsyncSession, release: Release, event: str, data: dict) -> None:
    """Outbox event for webhook subscribers, scoped to the producing entity."""
    entity = await session.scalar(select(OfficialStatistic.entity_code)
                                  .where(OfficialStatistic.id == release.statistic_id))
    await emit_event(session, f"release.{event}", subject=release.id, org=entity,
                     data={"statistic_id": str(release.statistic_id), "target": release.target,
                           "reference_period": release.reference_period, **data})


async def create_release(session: AsyncSession, principal: Principal, body: ReleaseIn,
                         clock: Clock, default_release_time: time) -> Release:
    today = today_brussels(clock)
    try:
        statistic = await get_statistic(session, principal, body.statistic_id)
    except ProblemError as exc:
        raise ProblemError(422, "UNKNOWN_STATISTIC", "no such official statistic") from exc
    if not await session.scalar(on_list_as_of(today, among=[statistic.id])):
        raise ProblemError(409, "STATISTIC_NOT_ON_LIST", "the statistic is not on the VSP list")
    _check_target(body.target, today)
    duplicate = await session.scalar(select(func.count()).select_from(Release).where(
        Release.statistic_id == statistic.id,
        Release.reference_period == str(body.reference_period),
        Release.vintage == body.vintage.value,
        Release.state != ReleaseState.cancelled.value))
    if duplicate:
        raise ProblemError(409, "RELEASE_EXISTS", "this statistic already has a release of this "
                           "reference period and vintage")
    release = Release(
        statistic_id=statistic.id, reference_period=str(body.reference_period),
        reference_period_end=body.reference_period.last, vintage=body.vintage.value,
        first_announced_target=str(body.target), first_announced_first=body.target.first,
        first_announced_last=body.target.last,
        release_time=body.release_time or default_release_time,
        state=ReleaseState.planned.value, created_by=principal.sub,
    )
    _set_target(release, body.target, today)
    session.add(release)
    await session.flush()
    await _record_status(session, release, None, release.state, None, principal, clock.now(),
                         action="announced", data={"target": release.target})
    await _emit(session, release, "announced", {})
    return release


async def transition(session: AsyncSession, principal: Principal, release: Release,
                     body: TransitionIn, clock: Clock) -> Release:
    current = ReleaseState(release.state)
    try:
        check_transition(current, body.to)
    except IllegalTransition as exc:
        raise ProblemError(409, "ILLEGAL_TRANSITION", str(exc), current_state=current.value,
                           allowed=sorted(state.value for state in ALLOWED[current])) from exc
    now = clock.now()
    action = None
    data = None
    if body.to is ReleaseState.cancelled:
        release.cancel_reason = require_text(body.reason, "REASON_REQUIRED",
                                             "a cancellation needs a reason")
    if body.to is ReleaseState.published:
        moment = scheduled_moment(release)
        if moment is None:
            raise ProblemError(409, "TARGET_DATE_NOT_EXACT",
                               "a release is published on an exact, announced day")
        if now < moment:
            if not body.override_early_publication:
                raise ProblemError(409, "PUBLICATION_BEFORE_SCHEDULED_TIME",
                                   f"the release is scheduled for {moment.isoformat()}",
                                   scheduled_at=moment.isoformat())
            if not principal.has_any(STAFF):
                raise ProblemError(403, "OVERRIDE_NOT_PERMITTED",
                                   "only VSA staff may publish before the scheduled moment")
            require_text(body.reason, "REASON_REQUIRED", "an early publication needs a reason")
            release.published_with_override = True
            action = "published_with_override"
            data = {"scheduled_at": moment.isoformat(), "published_at": now.isoformat()}
        release.published_at = now
        release.published_on = brussels_date(now)
    release.state = body.to.value
    release.version += 1
    await _record_status(session, release, current.value, body.to.value, body.reason,
                         principal, now, action=action, data=data)
    await _emit(session, release, body.to.value, {"from": current.value, "reason": body.reason})
    return release


async def reschedule(session: AsyncSession, principal: Principal, release: Release,
                     body: RescheduleIn, clock: Clock) -> ReleaseReschedule:
    if release.state not in OPEN_STATES:
        raise ProblemError(409, "RELEASE_CLOSED", f"a {release.state} release cannot be moved")
    reason = require_text(body.reason, "RESCHEDULE_REASON_REQUIRED",
                          "a date change must be explained (reason)")
    approver = require_text(body.approved_by, "RESCHEDULE_APPROVER_REQUIRED",
                            "a date change must be approved (approved_by)")
    if str(body.new_target) == release.target:
        raise ProblemError(422, "TARGET_UNCHANGED", "the new target equals the current one")
    today = today_brussels(clock)
    _check_target(body.new_target, today)
    old = release.target
    _set_target(release, body.new_target, today)
    release.reschedule_count += 1
    release.version += 1
    entry = ReleaseReschedule(release_id=release.id, old_target=old,
                              new_target=release.target, reason=reason, approved_by=approver,
                              rescheduled_by=principal.sub, rescheduled_at=clock.now())
    session.add(entry)
    await session.flush()
    await record_audit(session, entity_type="release", entity_id=release.id,
                       action="rescheduled", reason=reason, actor_org=principal.org,
                       data={"old_target": old, "new_target": release.target,
                             "approved_by": approver})
    await _emit(session, release, "rescheduled", {"old_target": old, "reason": reason})
    return entry


async def add_pre_release_access(session: AsyncSession, principal: Principal, release: Release,
                                 body: PreReleaseAccessIn) -> PreReleaseAccess:
    if release.state not in OPEN_STATES:
        raise ProblemError(409, "RELEASE_CLOSED",
                           f"pre-release access is granted before publication, not when "
                           f"{release.state}")
    entry = PreReleaseAccess(release_id=release.id, granted_by=principal.sub,
                             **body.model_dump())
    session.add(entry)
    await session.flush()
    await record_audit(session, entity_type="release", entity_id=release.id,
                       action="pre_release_access_granted", actor_org=principal.org,
                       data={"person_name": body.person_name,
                             "organisation": body.organisation})
    return entry


async def add_correction(session: AsyncSession, principal: Principal, release: Release,
                         body: CorrectionIn, clock: Clock) -> ReleaseCorrection:
    if release.state != ReleaseState.published:
        raise ProblemError(409, "RELEASE_NOT_PUBLISHED",
                           "corrections are logged for published releases")
    entry = ReleaseCorrection(release_id=release.id, description=body.description,
                              corrected_by=principal.sub, corrected_at=clock.now())
    session.add(entry)
    await session.flush()
    await record_audit(session, entity_type="release", entity_id=release.id,
                       action="corrected", reason=body.description, actor_org=principal.org)
    return entry
