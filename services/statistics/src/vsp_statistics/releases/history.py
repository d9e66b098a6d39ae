"""Recording the past: VSA staff register releases published before they were entered here,
with their announced dates and actual publication moment (`POST /v1/releases/history`, one
all-or-nothing batch, audited as `recorded_from_history`). Every date passes the kit's
timeline rule, so punctuality (TP3) and timeliness (TP1/TP2) cover history too.

Timeline of one historic release: first_announced_on <= rescheduled_on <= published_at and
first_announced_on <= exact_day_announced_on <= published_at, none in the future; the
reference period ends before the publication day; the statistic is on the VSP list that day.
"""

from datetime import datetime
from datetime import time

from sqlalchemy.ext.asyncio import AsyncSession

from dkbuza_kit.auth import Principal
from dkbuza_kit.calendar import brussels_date
from dkbuza_kit.clock import BRUSSELS
from dkbuza_kit.clock import Clock
from dkbuza_kit.dates import Precision
from dkbuza_kit.problems import ProblemError
from dkbuza_kit.timeline import check_timeline
from vsp_statistics.errors import Errors
from vsp_statistics.releases import service
from vsp_statistics.releases.models import Release
from vsp_statistics.releases.models import ReleaseReschedule
from vsp_statistics.releases.schemas import HistoricReleaseIn
from vsp_statistics.releases.schemas import HistoryIn
from vsp_statistics.releases.workflow import ReleaseState

RECORDED = "recorded from history"


def _midnight(day) -> datetime:
    return datetime.combine(day, time(0), tzinfo=BRUSSELS)


def _check_dates(item: HistoricReleaseIn, now: datetime) -> None:
    moved = item.target is not None and str(item.target) != str(item.first_announced_target)
    if moved and (item.rescheduled_on is None or not (item.reschedule_reason or "").strip()):
        raise Errors.RESCHEDULE_REASON_REQUIRED(
            "a target that was moved needs rescheduled_on and reschedule_reason")
    first = ("first_announced_on", item.first_announced_on)
    check_timeline("first_announced_on", item.first_announced_on, now=now)
    check_timeline("rescheduled_on", item.rescheduled_on, now=now, follows=[first])
    check_timeline("exact_day_announced_on", item.exact_day_announced_on, now=now,
                   follows=[first])
    check_timeline("published_at", item.published_at, now=now,
                   follows=[first, ("rescheduled_on", item.rescheduled_on),
                            ("exact_day_announced_on", item.exact_day_announced_on)])


def _exact_day_announced_on(item: HistoricReleaseIn):
    """Given, or the day the (last) exact target was announced when that is known."""
    if item.exact_day_announced_on is not None:
        return item.exact_day_announced_on
    target = item.target or item.first_announced_target
    if target.precision is not Precision.day:
        return None
    return item.rescheduled_on if item.target is not None else item.first_announced_on


async def _record_one(session: AsyncSession, principal: Principal, item: HistoricReleaseIn,
                      clock: Clock, default_release_time: time) -> Release:
    now = clock.now()
    service.check_release_time(item.release_time)
    _check_dates(item, now)
    published_on = brussels_date(item.published_at)
    statistic = await service.statistic_for_release(session, principal, item.statistic_id,
                                                    published_on)
    service.check_reference_period(statistic, item.reference_period, published_on,
                                   "publication")
    first, target = item.first_announced_target, item.target or item.first_announced_target
    release = Release(
        statistic_id=statistic.id, reference_period=str(item.reference_period),
        reference_period_end=item.reference_period.last, vintage=item.vintage.value,
        release_type=item.release_type.value, first_announced_target=str(first),
        first_announced_first=first.first, first_announced_last=first.last,
        release_time=item.release_time or default_release_time,
        state=ReleaseState.published.value, published_at=item.published_at,
        published_on=published_on, output_url=item.output_url, recorded_from_history=True,
        reschedule_count=int(str(target) != str(first)), created_by=principal.sub)
    service.set_target(release, target, published_on)
    release.exact_day_announced_on = _exact_day_announced_on(item)
    await service.insert_release(session, release)
    await _history_rows(session, principal, release, item, now)
    return release


async def _history_rows(session: AsyncSession, principal: Principal, release: Release,
                        item: HistoricReleaseIn, now: datetime) -> None:
    """Status history and reschedule as they happened; one audit row names the path."""
    await service.record_status(session, release, None, ReleaseState.planned.value, RECORDED,
                                principal, _midnight(item.first_announced_on),
                                action="recorded_from_history", data={
                                    "first_announced_on": item.first_announced_on.isoformat(),
                                    "published_at": item.published_at.isoformat(),
                                    "recorded_at": now.isoformat()})
    if release.reschedule_count:
        session.add(ReleaseReschedule(
            release_id=release.id, old_target=release.first_announced_target,
            new_target=release.target, reason=(item.reschedule_reason or "").strip(),
            approved_by=principal.sub, rescheduled_by=principal.sub,
            rescheduled_at=_midnight(item.rescheduled_on)))
    await service.record_status(session, release, ReleaseState.planned.value,
                                ReleaseState.published.value, RECORDED, principal,
                                item.published_at, action="recorded_from_history_published")


async def record_history(session: AsyncSession, principal: Principal, body: HistoryIn,
                         clock: Clock, default_release_time: time) -> list[Release]:
    """All or nothing: the first refused item aborts the batch (its `index` in the problem)."""
    releases = []
    for index, item in enumerate(body.releases):
        try:
            releases.append(await _record_one(session, principal, item, clock,
                                              default_release_time))
        except ProblemError as exc:
            exc.extra = {**exc.extra, "index": index}
            raise
    return releases
