"""SELECTs of the release lists (read-only; the routers paginate them)."""

import uuid
from datetime import date

from sqlalchemy import Select
from sqlalchemy import select

from dkbuza_kit.db import where_given
from vsp_statistics.official_statistics.models import OfficialStatistic
from vsp_statistics.releases.models import PreReleaseAccess
from vsp_statistics.releases.models import Release
from vsp_statistics.releases.models import ReleaseChangeRequest
from vsp_statistics.releases.models import ReleaseCorrection
from vsp_statistics.releases.models import ReleaseReschedule
from vsp_statistics.releases.models import ReleaseStatusChange
from vsp_statistics.releases.service import public_releases


def releases(*, statistic_id: uuid.UUID | None = None, entity: str | None = None,
             state: str | None = None, target_from: date | None = None,
             target_to: date | None = None) -> Select:
    stmt = public_releases().order_by(Release.target_first, Release.id)
    stmt = where_given(stmt, (Release.statistic_id, statistic_id), (OfficialStatistic.entity_code, entity),
                             (Release.state, state))
    if target_from is not None:
        stmt = stmt.where(Release.target_last >= target_from)
    if target_to is not None:
        stmt = stmt.where(Release.target_first <= target_to)
    return stmt


def status_history(release_id: uuid.UUID) -> Select:
    return (select(ReleaseStatusChange).where(ReleaseStatusChange.release_id == release_id)
            .order_by(ReleaseStatusChange.id))


def reschedules(release_id: uuid.UUID) -> Select:
    return (select(ReleaseReschedule).where(ReleaseReschedule.release_id == release_id)
            .order_by(ReleaseReschedule.id))


def change_requests(release_id: uuid.UUID) -> Select:
    return (select(ReleaseChangeRequest).where(ReleaseChangeRequest.release_id == release_id)
            .order_by(ReleaseChangeRequest.id))


def pre_release_access(release_id: uuid.UUID) -> Select:
    return (select(PreReleaseAccess).where(PreReleaseAccess.release_id == release_id)
            .order_by(PreReleaseAccess.created_at, PreReleaseAccess.id))


def corrections(release_id: uuid.UUID) -> Select:
    return (select(ReleaseCorrection).where(ReleaseCorrection.release_id == release_id)
            .order_by(ReleaseCorrection.id))
