"""Release use cases: announce, move through the workflow, publish, pre-release access, correct.

Date changes (reschedule, cancellation) are requested and approved in `changes.py`; historic
releases come in through `history.py`.
"""

import uuid
from datetime import date
from datetime import datetime
from datetime import time

from sqlalchemy import Select
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dkbuza_kit.audit import add_audited
from dkbuza_kit.audit import emit_event
from dkbuza_kit.audit import record_audit
from dkbuza_kit.auth import Principal
from dkbuza_kit.calendar import brussels_date
from dkbuza_kit.clock import BRUSSELS
from dkbuza_kit.clock import Clock
from dkbuza_kit.clock import today_brussels
from dkbuza_kit.dates import PartialDate
from dkbuza_kit.dates import Precision
from dkbuza_kit.db import add_unique
from dkbuza_kit.db import where_given
from dkbuza_kit.problems import ProblemError
from vsp_statistics.errors import Errors
from vsp_statistics.official_statistics.models import OfficialStatistic
from vsp_statistics.official_statistics.service import get_statistic
from vsp_statistics.official_statistics.service import on_list_as_of
from vsp_statistics.releases.announcement import exact_day_required
from vsp_statistics.releases.models import PreReleaseAccess
from vsp_statistics.releases.models import Release
from vsp_statistics.releases.models import ReleaseCorrection
from vsp_statistics.releases.models import ReleaseStatusChange
from vsp_statistics.releases.punctuality import release_punctuality
from vsp_statistics.releases.reference_period import ended_before
from vsp_statistics.releases.reference_period import matches_periodicity
from vsp_statistics.releases.schemas import CorrectionIn
from vsp_statistics.releases.schemas import PreReleaseAccessIn
from vsp_statistics.releases.schemas import PunctualityOut
from vsp_statistics.releases.schemas import ReleaseIn
from vsp_statistics.releases.schemas import ReleaseOut
from vsp_statistics.releases.schemas import TransitionIn
from vsp_statistics.releases.timeliness import time_lag_days
from vsp_statistics.releases.workflow import OPEN_STATES
from vsp_statistics.releases.workflow import RELEASE_FLOW
from vsp_statistics.releases.workflow import ReleaseState
from vsp_statistics.roles import STAFF
from vsp_statistics.roles import entity_scope

LIVE_EDITION_INDEX = "uq_releases_live_edition"


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
        release_type=release.release_type, target=release.target,
        target_precision=release.target_precision,
        first_announced_target=release.first_announced_target,
        reschedule_count=release.reschedule_count, release_time=release.release_time,
        scheduled_at=scheduled_moment(release), state=release.state,
        cancel_reason=release.cancel_reason, published_at=release.published_at,
        published_with_override=release.published_with_override,
        output_url=release.output_url, recorded_from_history=release.recorded_from_history,
        punctuality=PunctualityOut(status=both.current.status, days=both.current.days),
        punctuality_strict=PunctualityOut(status=both.strict.status, days=both.strict.days),
        time_lag_days=(time_lag_days(release.reference_period, release.published_on)
                       if release.published_on else None),
        version=release.version,
    )


def public_releases() -> Select:
    """(Release, OfficialStatistic) rows: releases are public (announced to everyone)."""
    return select(Release, OfficialStatistic).join(
        OfficialStatistic, OfficialStatistic.id == Release.statistic_id)


def scoped_releases(principal: Principal) -> Select:
    """(Release, OfficialStatistic) rows the caller may change: an entity only its own."""
    stmt = public_releases()
    scope = entity_scope(principal)
    stmt = where_given(stmt, (OfficialStatistic.entity_code, scope))
    return stmt


async def _one(session: AsyncSession, stmt: Select) -> tuple[Release, OfficialStatistic]:
    row = (await session.execute(stmt)).first()
    if row is None:
        raise Errors.RELEASE_NOT_FOUND("release not found")
    return row[0], row[1]


async def get_public_release(session: AsyncSession,
                             release_id: uuid.UUID) -> tuple[Release, OfficialStatistic]:
    return await _one(session, public_releases().where(Release.id == release_id))


async def get_release(session: AsyncSession, principal: Principal, release_id: uuid.UUID,
                      *, for_update: bool = False) -> tuple[Release, OfficialStatistic]:
    """The release if the caller may change it (another entity's: 404), optionally locked."""
    stmt = scoped_releases(principal).where(Release.id == release_id)
    if for_update:
        stmt = stmt.with_for_update(of=Release)
    return await _one(session, stmt)


def check_target(target: PartialDate, today: date) -> None:
    if target.last < today:
        raise Errors.TARGET_IN_PAST(f"the target {target} lies in the past")
    if exact_day_required(target, today):
        raise Errors.EXACT_DATE_REQUIRED(f"the target {target} is less than 28 days away: "
                                         "announce the exact day")


def check_reference_period(statistic: OfficialStatistic, reference_period: PartialDate,
                           reported_on: date, what: str) -> None:
    """The period matches the periodicity and has ended before `reported_on` (`what`)."""
    if not matches_periodicity(reference_period, statistic.periodicity):
        raise Errors.REFERENCE_PERIOD_PERIODICITY(
            f"a {statistic.periodicity} statistic does not report on {reference_period}",
            periodicity=statistic.periodicity, reference_period=str(reference_period))
    if not ended_before(reference_period, reported_on):
        raise Errors.REFERENCE_PERIOD_NOT_ENDED(
            f"the reference period {reference_period} ends {reference_period.last}, not before "
            f"the {what} {reported_on}", reference_period_end=reference_period.last.isoformat(),
            bound=what, bound_value=reported_on.isoformat())


def check_release_time(value: time | None) -> None:
    if value is not None and value.tzinfo is not None:
        raise Errors.RELEASE_TIME_WITH_OFFSET(
            f"release_time {value.isoformat()} carries an offset; send the Brussels wall-clock "
            "time (e.g. 09:30)", field="release_time")


def set_target(release: Release, target: PartialDate, today: date) -> None:
    release.target = str(target)
    release.target_precision = target.precision.value
    release.target_first = target.first
    release.target_last = target.last
    release.exact_day_announced_on = today if target.precision is Precision.day else None


async def insert_release(session: AsyncSession, release: Release) -> None:
    """Add and flush; the live-edition index refuses a second live release (409)."""
    await add_unique(session, release, LIVE_EDITION_INDEX, lambda: Errors.RELEASE_EXISTS(
        "this statistic already has a live release of this reference period and vintage",
        statistic_id=str(release.statistic_id), reference_period=release.reference_period,
        vintage=release.vintage))


async def record_status(session: AsyncSession, release: Release, from_state: str | None,
                        to_state: str, reason: str | None, principal: Principal,
                        now: datetime, *, action: str | None = None,
                        data: dict | None = None) -> None:
    session.add(ReleaseStatusChange(release_id=release.id, from_state=from_state,
                                    to_state=to_state, reason=reason, changed_by=principal.sub,
                                    changed_at=now))
    await record_audit(session, entity_type="release", entity_id=release.id,
                       action=action or f"to_{to_state}", from_state=from_state,
                       to_state=to_state, reason=reason, data=data, actor_org=principal.org)


async def emit(session: AsyncSession, release: Release, event: str, data: dict) -> None:
    """Outbox event for webhook subscribers, scoped to the producing entity."""
    entity = await session.scalar(select(OfficialStatistic.entity_code)
                                  .where(OfficialStatistic.id == release.statistic_id))
    await emit_event(session, f"release.{event}", subject=release.id, org=entity,
                     data={"statistic_id": str(release.statistic_id), "target": release.target,
                           "reference_period": release.reference_period, **data})


async def statistic_for_release(session: AsyncSession, principal: Principal,
                                statistic_id: uuid.UUID, on: date) -> OfficialStatistic:
    """The statistic the caller may release for, on the VSP list on `on`."""
    try:
        statistic = await get_statistic(session, principal, statistic_id)
    except ProblemError as exc:
        raise Errors.UNKNOWN_STATISTIC("no such official statistic",
                                       statistic_id=str(statistic_id)) from exc
    if not await session.scalar(on_list_as_of(on, among=[statistic.id])):
        raise Errors.STATISTIC_NOT_ON_LIST(f"the statistic is not on the VSP list on {on}",
                                           statistic_id=str(statistic_id))
    return statistic


async def create_release(session: AsyncSession, principal: Principal, body: ReleaseIn,
                         clock: Clock, default_release_time: time) -> Release:
    today = today_brussels(clock)
    check_release_time(body.release_time)
    statistic = await statistic_for_release(session, principal, body.statistic_id, today)
    check_target(body.target, today)
    check_reference_period(statistic, body.reference_period, body.target.last, "target")
    release = Release(
        statistic_id=statistic.id, reference_period=str(body.reference_period),
        reference_period_end=body.reference_period.last, vintage=body.vintage.value,
        release_type=body.release_type.value,
        first_announced_target=str(body.target), first_announced_first=body.target.first,
        first_announced_last=body.target.last,
        release_time=body.release_time or default_release_time,
        state=ReleaseState.planned.value, created_by=principal.sub,
    )
    set_target(release, body.target, today)
    await insert_release(session, release)
    await record_status(session, release, None, release.state, None, principal, clock.now(),
                        action="announced", data={"target": release.target})
    await emit(session, release, "announced", {})
    return release


def _publish(release: Release, principal: Principal, body: TransitionIn,
             now: datetime) -> dict | None:
    """Guards and facts of a publication; the audit data of an early (override) one."""
    moment = scheduled_moment(release)
    if moment is None:
        raise Errors.TARGET_DATE_NOT_EXACT("a release is published on an exact, announced day")
    data = None
    if now < moment:
        if not body.override_early_publication:
            raise Errors.PUBLICATION_BEFORE_SCHEDULED_TIME(
                f"the release is scheduled for {moment.isoformat()}",
                scheduled_at=moment.isoformat())
        if not principal.has_any(STAFF):
            raise Errors.OVERRIDE_NOT_PERMITTED(
                "only VSA staff may publish before the scheduled moment")
        if body.reason is None or not body.reason.strip():
            raise Errors.REASON_REQUIRED("an early publication needs a reason")
        release.published_with_override = True
        data = {"scheduled_at": moment.isoformat(), "published_at": now.isoformat()}
    if body.output_url is None:
        raise Errors.OUTPUT_URL_REQUIRED("publishing needs the link to the published output "
                                         "(output_url)")
    published_on = brussels_date(now)
    if not ended_before(PartialDate.parse(release.reference_period), published_on):
        raise Errors.REFERENCE_PERIOD_NOT_ENDED(
            f"the reference period {release.reference_period} has not ended on {published_on}",
            reference_period_end=release.reference_period_end.isoformat())
    release.published_at = now
    release.published_on = published_on
    release.output_url = body.output_url
    return data


async def transition(session: AsyncSession, principal: Principal, release: Release,
                     body: TransitionIn, clock: Clock) -> Release:
    current = ReleaseState(release.state)
    RELEASE_FLOW.check(current, body.to)
    if body.to is ReleaseState.cancelled:
        raise Errors.APPROVAL_REQUIRED(
            "a cancellation is requested (POST /v1/releases/{id}/cancellations) and approved "
            "by another user holding the approving role")
    now = clock.now()
    data = None
    if body.to is ReleaseState.published:
        data = _publish(release, principal, body, now)
    release.state = body.to.value
    release.version += 1
    await record_status(session, release, current.value, body.to.value, body.reason,
                        principal, now, action="published_with_override" if data else None,
                        data=data)
    await emit(session, release, body.to.value, {"from": current.value, "reason": body.reason})
    return release


async def add_pre_release_access(session: AsyncSession, principal: Principal, release: Release,
                                 body: PreReleaseAccessIn) -> PreReleaseAccess:
    if release.state not in OPEN_STATES:
        raise Errors.RELEASE_CLOSED(f"pre-release access is granted before publication, not "
                                    f"when {release.state}")
    entry = PreReleaseAccess(release_id=release.id, granted_by=principal.sub,
                             **body.model_dump())
    await add_audited(session, entry, entity_type="release", entity_id=release.id,
                      action="pre_release_access_granted", actor_org=principal.org,
                      data={"person_name": body.person_name, "organisation": body.organisation})
    return entry


async def add_correction(session: AsyncSession, principal: Principal, release: Release,
                         body: CorrectionIn, clock: Clock) -> ReleaseCorrection:
    if release.state != ReleaseState.published:
        raise Errors.RELEASE_NOT_PUBLISHED("corrections are logged for published releases")
    entry = ReleaseCorrection(release_id=release.id, description=body.description,
                              corrected_by=principal.sub, corrected_at=clock.now())
    session.add(entry)
    await session.flush()
    release.version += 1  # the public change log and calendar show it
    await record_audit(session, entity_type="release", entity_id=release.id,
                       action="corrected", reason=body.description, actor_org=principal.org)
    return entry
