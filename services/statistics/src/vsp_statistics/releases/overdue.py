"""The daily overdue check: one `release.overdue` event per release and missed target.

A release is overdue when it is still open (planned, in review or approved) and the last day
of its target (a partial target: the last day of its month, quarter or year) lies before today
in Europe/Brussels; the same rule as the `releases_overdue` KPI. Each (release, target) is
signalled once: `release_overdue_signals` remembers it, so later runs stay silent until the
release is rescheduled to a new target and misses that one too.
"""

from typing import Any

from sqlalchemy import DateTime
from sqlalchemy import insert
from sqlalchemy import literal
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from dkbuza_kit.audit import outbox_row
from dkbuza_kit.clock import Clock
from dkbuza_kit.clock import today_brussels
from dkbuza_kit.models import OutboxEvent
from vsp_statistics.official_statistics.models import OfficialStatistic
from vsp_statistics.releases.models import Release
from vsp_statistics.releases.models import ReleaseOverdueSignal
from vsp_statistics.releases.workflow import OPEN_STATES

OVERDUE_CHECK_TASK = "releases-overdue-check"
OVERDUE_CHECK_EVERY_SECONDS = 24 * 3600
OVERDUE_EVENT = "release.overdue"


async def signal_overdue_releases(session: AsyncSession, payload: dict[str, Any],
                                  clock: Clock) -> int:
    """Record and announce the releases that became overdue since the last run; returns how
    many events were written. Safe to run any number of times (and by several workers)."""
    today = today_brussels(clock)
    overdue = select(Release.id, Release.target,
                     literal(clock.now(), DateTime(timezone=True))).where(
        Release.state.in_([state.value for state in OPEN_STATES]), Release.target_last < today)
    new = (await session.scalars(
        pg_insert(ReleaseOverdueSignal)
        .from_select(["release_id", "target", "signalled_at"], overdue)
        .on_conflict_do_nothing()
        .returning(ReleaseOverdueSignal.release_id))).all()
    if not new:
        return 0
    rows = await session.execute(
        select(Release, OfficialStatistic.entity_code)
        .join(OfficialStatistic, OfficialStatistic.id == Release.statistic_id)
        .where(Release.id.in_(new))
        .order_by(Release.target_last, Release.id))
    await session.execute(insert(OutboxEvent).values([
        outbox_row(OVERDUE_EVENT, subject=release.id, org=entity_code, data={
            "statistic_id": str(release.statistic_id), "target": release.target,
            "reference_period": release.reference_period, "state": release.state,
            "days_overdue": (today - release.target_last).days})
        for release, entity_code in rows]))
    return len(new)
