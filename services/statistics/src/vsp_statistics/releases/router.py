"""Releases, behind a token: announce, record history, move through the workflow, request and
approve date changes, pre-release access, corrections. The public reads are in
`public_router.py`."""

import uuid
from typing import Annotated

from fastapi import APIRouter
from fastapi import Path
from fastapi import Response

from dkbuza_kit.clock import ClockDep
from dkbuza_kit.clock import today_brussels
from dkbuza_kit.concurrency import set_etag
from dkbuza_kit.db import DbSession
from dkbuza_kit.errors import AUTH_ERRORS
from dkbuza_kit.errors import KitErrors
from dkbuza_kit.errors import responses
from dkbuza_kit.idempotency import IdempotencyDep
from dkbuza_kit.openapi import RETURNS_ETAG
from dkbuza_kit.pagination import Page
from dkbuza_kit.pagination import Pagination
from dkbuza_kit.pagination import page_of
from vsp_statistics.errors import Errors
from vsp_statistics.releases import changes
from vsp_statistics.releases import history
from vsp_statistics.releases import queries
from vsp_statistics.releases import service
from vsp_statistics.releases.schemas import CancellationIn
from vsp_statistics.releases.schemas import ChangeDecisionIn
from vsp_statistics.releases.schemas import ChangeRequestOut
from vsp_statistics.releases.schemas import CorrectionIn
from vsp_statistics.releases.schemas import CorrectionOut
from vsp_statistics.releases.schemas import HistoryIn
from vsp_statistics.releases.schemas import HistoryOut
from vsp_statistics.releases.schemas import PreReleaseAccessIn
from vsp_statistics.releases.schemas import PreReleaseAccessOut
from vsp_statistics.releases.schemas import ReleaseIn
from vsp_statistics.releases.schemas import ReleaseOut
from vsp_statistics.releases.schemas import RescheduleIn
from vsp_statistics.releases.schemas import StatusChangeOut
from vsp_statistics.releases.schemas import TransitionIn
from vsp_statistics.roles import Approver
from vsp_statistics.roles import StaffOnly
from vsp_statistics.roles import StaffOrEntity
from vsp_statistics.settings import SettingsDep

router = APIRouter(tags=["releases"])
# A change request's number (BIGINT): larger numbers are a 422, not a database error.
RequestId = Annotated[int, Path(ge=1, le=2**63 - 1)]

RELEASE_RULES = (Errors.UNKNOWN_STATISTIC, Errors.STATISTIC_NOT_ON_LIST, Errors.RELEASE_EXISTS,
                 Errors.TARGET_IN_PAST, Errors.EXACT_DATE_REQUIRED,
                 Errors.REFERENCE_PERIOD_NOT_ENDED, Errors.REFERENCE_PERIOD_PERIODICITY,
                 Errors.RELEASE_TIME_WITH_OFFSET, KitErrors.VALIDATION_ERROR, *AUTH_ERRORS)
CHANGE_RULES = (Errors.RELEASE_NOT_FOUND, Errors.RELEASE_CLOSED, Errors.CHANGE_REQUEST_PENDING,
                KitErrors.VALIDATION_ERROR, *AUTH_ERRORS)
DECISION_RULES = (Errors.RELEASE_NOT_FOUND, Errors.CHANGE_REQUEST_NOT_FOUND,
                  Errors.CHANGE_REQUEST_DECIDED, Errors.SELF_APPROVAL_NOT_PERMITTED,
                  Errors.RELEASE_CLOSED, KitErrors.VALIDATION_ERROR, *AUTH_ERRORS)


async def _out(session, release_id, clock, settings) -> ReleaseOut:
    release, statistic = await service.get_public_release(session, release_id)
    return service.to_out(release, statistic, today_brussels(clock), settings.calendar_uid_domain)


async def _release_page(session, principal, release_id, page, query, out):
    """One page of a sub-list (``query(release_id)``) of a release the caller may read."""
    await service.get_release(session, principal, release_id)
    return await page_of(session, query(release_id), page, out=out)


async def _request_change(request_change, session, principal, release_id, body, clock):
    """A reschedule or cancellation request on the release, locked, that the caller may change."""
    release, _ = await service.get_release(session, principal, release_id, for_update=True)
    return await request_change(session, principal, release, body, clock)


async def _decide(decide, session, approver, release_id, request_id, body, clock):
    """Approve or reject one change request of the locked release."""
    release, _ = await service.get_release(session, approver, release_id, for_update=True)
    request = await changes.get_request(session, release, request_id)
    return await decide(session, approver, release, request, body, clock)


@router.post("/v1/releases", response_model=ReleaseOut, status_code=201,
             responses=responses(*RELEASE_RULES))
async def create_release(body: ReleaseIn, session: DbSession, principal: StaffOrEntity,
                         clock: ClockDep, settings: SettingsDep, idem: IdempotencyDep):
    """Announce a release (accepts `Idempotency-Key`)."""
    if idem.replay is not None:
        return idem.replay
    release = await service.create_release(session, principal, body, clock,
                                           settings.default_release_time)
    out = await _out(session, release.id, clock, settings)
    return await idem.respond(201, out, headers={"ETag": f'"{release.version}"'})


@router.post("/v1/releases/history", response_model=HistoryOut, status_code=201,
             responses=responses(*RELEASE_RULES, Errors.RESCHEDULE_REASON_REQUIRED,
                                 KitErrors.DATE_IN_FUTURE, KitErrors.DATE_BEFORE_PREDECESSOR))
async def record_history(body: HistoryIn, session: DbSession, principal: StaffOnly,
                         clock: ClockDep, settings: SettingsDep):
    """Register releases published before they were entered here (VSA staff; all or nothing,
    audited `recorded_from_history`; the refused item's `index` is in the problem)."""
    releases = await history.record_history(session, principal, body, clock,
                                             settings.default_release_time)
    return HistoryOut(items=[await _out(session, r.id, clock, settings) for r in releases])


@router.post("/v1/releases/{release_id}/transitions", response_model=ReleaseOut,
             responses=responses(Errors.RELEASE_NOT_FOUND, KitErrors.ILLEGAL_TRANSITION,
                                 Errors.APPROVAL_REQUIRED, Errors.TARGET_DATE_NOT_EXACT,
                                 Errors.OUTPUT_URL_REQUIRED, Errors.REFERENCE_PERIOD_NOT_ENDED,
                                 Errors.PUBLICATION_BEFORE_SCHEDULED_TIME,
                                 Errors.OVERRIDE_NOT_PERMITTED, Errors.REASON_REQUIRED,
                                 KitErrors.VALIDATION_ERROR, *AUTH_ERRORS),
             dependencies=[RETURNS_ETAG])
async def create_transition(release_id: uuid.UUID, body: TransitionIn, response: Response,
                            session: DbSession, principal: StaffOrEntity, clock: ClockDep,
                            settings: SettingsDep):
    """Move the release in its workflow; publishing needs `output_url`, publishing early the
    audited override; cancelling goes through `/cancellations` (approved by another user)."""
    release, _ = await service.get_release(session, principal, release_id, for_update=True)
    await service.transition(session, principal, release, body, clock)
    out = await _out(session, release_id, clock, settings)
    set_etag(response, out.version)
    return out


@router.get("/v1/releases/{release_id}/history", response_model=Page[StatusChangeOut],
            responses=responses(Errors.RELEASE_NOT_FOUND, *AUTH_ERRORS))
async def list_status_history(release_id: uuid.UUID, session: DbSession, page: Pagination,
                              principal: StaffOrEntity):
    """The internal status history (who changed what); the public one is `/changes`."""
    return await _release_page(session, principal, release_id, page,
                               queries.status_history, StatusChangeOut)


@router.post("/v1/releases/{release_id}/reschedules", response_model=ChangeRequestOut,
             status_code=201,
             responses=responses(*CHANGE_RULES, Errors.RESCHEDULE_REASON_REQUIRED,
                                 Errors.TARGET_UNCHANGED, Errors.TARGET_IN_PAST,
                                 Errors.EXACT_DATE_REQUIRED, Errors.REFERENCE_PERIOD_NOT_ENDED))
async def request_reschedule(release_id: uuid.UUID, body: RescheduleIn, session: DbSession,
                             principal: StaffOrEntity, clock: ClockDep):
    """Request a new target with a reason; it applies when approved (`.../approval`)."""
    return await _request_change(changes.request_reschedule, session, principal, release_id,
                                 body, clock)


@router.post("/v1/releases/{release_id}/cancellations", response_model=ChangeRequestOut,
             status_code=201,
             responses=responses(*CHANGE_RULES, Errors.REASON_REQUIRED,
                                 KitErrors.ILLEGAL_TRANSITION))
async def request_cancellation(release_id: uuid.UUID, body: CancellationIn,
                               session: DbSession, principal: StaffOrEntity, clock: ClockDep):
    """Request the cancellation with a reason; it applies when approved (`.../approval`)."""
    return await _request_change(changes.request_cancellation, session, principal, release_id,
                                 body, clock)


@router.get("/v1/releases/{release_id}/change-requests", response_model=Page[ChangeRequestOut],
            responses=responses(Errors.RELEASE_NOT_FOUND, *AUTH_ERRORS))
async def list_change_requests(release_id: uuid.UUID, session: DbSession, page: Pagination,
                               principal: StaffOrEntity):
    return await _release_page(session, principal, release_id, page,
                               queries.change_requests, ChangeRequestOut)


@router.post("/v1/releases/{release_id}/change-requests/{request_id}/approval",
             response_model=ChangeRequestOut, status_code=201,
             responses=responses(*DECISION_RULES, Errors.TARGET_UNCHANGED,
                                 Errors.TARGET_IN_PAST, Errors.EXACT_DATE_REQUIRED,
                                 KitErrors.ILLEGAL_TRANSITION))
async def approve_change_request(release_id: uuid.UUID, request_id: RequestId,
                                 body: ChangeDecisionIn,
                                 session: DbSession, approver: Approver, clock: ClockDep):
    """Approve a requested reschedule or cancellation (approving role, not the requester)."""
    return await _decide(changes.approve, session, approver, release_id, request_id, body, clock)


@router.post("/v1/releases/{release_id}/change-requests/{request_id}/rejection",
             response_model=ChangeRequestOut, status_code=201,
             responses=responses(*DECISION_RULES, Errors.REASON_REQUIRED))
async def reject_change_request(release_id: uuid.UUID, request_id: RequestId,
                                 body: ChangeDecisionIn,
                                session: DbSession, approver: Approver, clock: ClockDep):
    """Reject a requested change (approving role, not the requester; `note` is the reason)."""
    return await _decide(changes.reject, session, approver, release_id, request_id, body, clock)


@router.get("/v1/releases/{release_id}/pre-release-access",
            response_model=Page[PreReleaseAccessOut],
            responses=responses(Errors.RELEASE_NOT_FOUND, *AUTH_ERRORS))
async def list_pre_release_access(release_id: uuid.UUID, session: DbSession, page: Pagination,
                                  principal: StaffOrEntity):
    return await _release_page(session, principal, release_id, page,
                               queries.pre_release_access, PreReleaseAccessOut)


@router.post("/v1/releases/{release_id}/pre-release-access", response_model=PreReleaseAccessOut,
             status_code=201,
             responses=responses(Errors.RELEASE_NOT_FOUND, Errors.RELEASE_CLOSED,
                                 KitErrors.VALIDATION_ERROR, *AUTH_ERRORS))
async def create_pre_release_access(release_id: uuid.UUID, body: PreReleaseAccessIn,
                                    session: DbSession, principal: StaffOrEntity):
    """Grant a person access before publication (recorded on the pre-release access list)."""
    release, _ = await service.get_release(session, principal, release_id, for_update=True)
    return await service.add_pre_release_access(session, principal, release, body)


@router.get("/v1/releases/{release_id}/corrections", response_model=Page[CorrectionOut],
            responses=responses(Errors.RELEASE_NOT_FOUND, *AUTH_ERRORS))
async def list_corrections(release_id: uuid.UUID, session: DbSession, page: Pagination,
                           principal: StaffOrEntity):
    return await _release_page(session, principal, release_id, page,
                               queries.corrections, CorrectionOut)


@router.post("/v1/releases/{release_id}/corrections", response_model=CorrectionOut,
             status_code=201,
             responses=responses(Errors.RELEASE_NOT_FOUND, Errors.RELEASE_NOT_PUBLISHED,
                                 KitErrors.VALIDATION_ERROR, *AUTH_ERRORS))
async def create_correction(release_id: uuid.UUID, body: CorrectionIn, session: DbSession,
                            principal: StaffOrEntity, clock: ClockDep):
    """Log a correction of a published release (shown in its public change log)."""
    release, _ = await service.get_release(session, principal, release_id, for_update=True)
    return await service.add_correction(session, principal, release, body, clock)
