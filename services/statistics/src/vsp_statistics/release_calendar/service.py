"""The calendar's rows: releases whose target period overlaps [from, to], one page of them."""

from dataclasses import dataclass
from datetime import date
from datetime import timedelta

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.ext.asyncio import AsyncSession

from dkbuza_kit.dates import PartialDate
from dkbuza_kit.dates import add_months
from dkbuza_kit.db import where_given
from vsp_statistics.errors import Errors
from vsp_statistics.network.models import NetworkEntity
from vsp_statistics.official_statistics.models import OfficialStatistic
from vsp_statistics.release_calendar.schemas import CalendarItem
from vsp_statistics.releases.models import Release
from vsp_statistics.releases.models import ReleaseReschedule
from vsp_statistics.releases.service import release_uid
from vsp_statistics.releases.service import scheduled_moment

MAX_RANGE = timedelta(days=3 * 366)
DEFAULT_MONTHS = 12


@dataclass(frozen=True)
class Window:
    start: date
    end: date
    entity: str | None
    theme: str | None
    limit: int
    offset: int


def window(date_from: date | None, date_to: date | None, today: date, **rest) -> Window:
    start = date_from or today
    end = date_to or add_months(start, DEFAULT_MONTHS)
    if end < start:
        raise Errors.INVALID_DATE_RANGE("`to` lies before `from`")
    if end - start > MAX_RANGE:
        raise Errors.DATE_RANGE_TOO_LONG("the range may span at most 3 years")
    return Window(start=start, end=end, **rest)


def _last_reschedule():
    return (select(ReleaseReschedule.release_id, ReleaseReschedule.old_target,
                   ReleaseReschedule.reason)
            .ext(distinct_on(ReleaseReschedule.release_id))
            .order_by(ReleaseReschedule.release_id, ReleaseReschedule.id.desc())
            .subquery())


async def calendar_page(session: AsyncSession, win: Window,
                        uid_domain: str) -> tuple[list[CalendarItem], int]:
    last = _last_reschedule()
    stmt = (
        select(Release, OfficialStatistic, NetworkEntity, last.c.old_target, last.c.reason)
        .join(OfficialStatistic, OfficialStatistic.id == Release.statistic_id)
        .join(NetworkEntity, NetworkEntity.code == OfficialStatistic.entity_code)
        .outerjoin(last, last.c.release_id == Release.id)
        .where(Release.target_last >= win.start, Release.target_first <= win.end)
    )
    stmt = where_given(stmt, (OfficialStatistic.entity_code, win.entity),
                             (OfficialStatistic.theme, win.theme))
    total = await session.scalar(select(func.count()).select_from(stmt.subquery()))
    stmt = (stmt.order_by(Release.target_first, Release.release_time, OfficialStatistic.code,
                          Release.id).limit(win.limit).offset(win.offset))
    rows = (await session.execute(stmt)).all()
    return [_item(*row, uid_domain) for row in rows], int(total or 0)


def _item(release: Release, statistic: OfficialStatistic, entity: NetworkEntity,
          previous: str | None, reason: str | None, uid_domain: str) -> CalendarItem:
    target = PartialDate.parse(release.target)
    return CalendarItem(
        uid=release_uid(release.id, uid_domain), release_id=str(release.id),
        statistic_code=statistic.code, statistic_title=statistic.title,
        entity_code=entity.code, entity_name=entity.name, theme=statistic.theme,
        reference_period=release.reference_period, vintage=release.vintage,
        release_type=release.release_type, target=release.target,
        date_precision=target.precision,
        exact_date=target.first if release.target_precision == "day" else None,
        period_first=target.first, period_last=target.last,
        release_time=release.release_time, scheduled_at=scheduled_moment(release),
        state=release.state, first_announced_target=release.first_announced_target,
        rescheduled=release.reschedule_count > 0, previous_target=previous,
        reschedule_reason=reason, cancel_reason=release.cancel_reason,
        published_at=release.published_at, output_url=release.output_url,
        sequence=release.version - 1, last_modified=release.updated_at,
    )
