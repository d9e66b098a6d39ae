"""User consultation: RVOS advice and the network's response (follow-up). HTTP only."""

import uuid

from fastapi import APIRouter
from fastapi import Request
from fastapi import Response

from dkbuza_kit.clock import ClockDep
from dkbuza_kit.concurrency import lock_for_change
from dkbuza_kit.concurrency import set_etag
from dkbuza_kit.db import DbSession
from dkbuza_kit.errors import AUTH_ERRORS
from dkbuza_kit.errors import IF_MATCH_ERRORS
from dkbuza_kit.errors import KitErrors
from dkbuza_kit.errors import responses
from dkbuza_kit.openapi import IF_MATCH
from dkbuza_kit.openapi import RETURNS_ETAG
from dkbuza_kit.pagination import Page
from dkbuza_kit.pagination import Pagination
from dkbuza_kit.pagination import page_of
from vsp_statistics.consultations import service
from vsp_statistics.consultations.models import RvosAdvice
from vsp_statistics.consultations.schemas import AdviceIn
from vsp_statistics.consultations.schemas import AdviceOut
from vsp_statistics.consultations.schemas import AdvicePatch
from vsp_statistics.consultations.schemas import ResponseIn
from vsp_statistics.errors import Errors
from vsp_statistics.roles import StaffOnly
from vsp_statistics.roles import StaffOrEntity

router = APIRouter(tags=["consultations"])
DATE_RULES = (KitErrors.DATE_IN_FUTURE, KitErrors.DATE_BEFORE_PREDECESSOR,
              KitErrors.VALIDATION_ERROR, *AUTH_ERRORS)


@router.get("/v1/consultations", response_model=Page[AdviceOut],
            responses=responses(KitErrors.VALIDATION_ERROR, *AUTH_ERRORS))
async def list_consultations(session: DbSession, page: Pagination, _: StaffOrEntity,
                             answered: bool | None = None):
    return await page_of(session, service.advice_list(answered), page, out=AdviceOut)


@router.post("/v1/consultations", response_model=AdviceOut, status_code=201,
             responses=responses(Errors.UNKNOWN_STATISTIC, *DATE_RULES))
async def create_consultation(body: AdviceIn, session: DbSession, principal: StaffOnly,
                              clock: ClockDep):
    """Register an RVOS advice."""
    return await service.register(session, principal, body, clock)


@router.get("/v1/consultations/{advice_id}", response_model=AdviceOut,
            responses=responses(Errors.ADVICE_NOT_FOUND, *AUTH_ERRORS),
            dependencies=[RETURNS_ETAG])
async def get_consultation(advice_id: uuid.UUID, response: Response, session: DbSession,
                           _: StaffOrEntity):
    advice = await service.get_advice(session, advice_id)
    set_etag(response, advice.version)
    return advice


@router.patch("/v1/consultations/{advice_id}", response_model=AdviceOut,
              responses=responses(Errors.ADVICE_NOT_FOUND, Errors.ADVICE_NOT_ANSWERED,
                                  Errors.UNKNOWN_STATISTIC, *DATE_RULES, *IF_MATCH_ERRORS),
              dependencies=[IF_MATCH])
async def update_consultation(advice_id: uuid.UUID, body: AdvicePatch, request: Request,
                              response: Response, session: DbSession, principal: StaffOnly,
                              clock: ClockDep):
    """Correct a registered advice or its recorded response (`If-Match` required)."""
    advice = await lock_for_change(session, RvosAdvice, advice_id, request, what="RVOS advice",
                                   not_found=Errors.ADVICE_NOT_FOUND)
    await service.correct(session, principal, advice, body, clock)
    set_etag(response, advice.version)
    return advice


@router.post("/v1/consultations/{advice_id}/response", response_model=AdviceOut,
             responses=responses(Errors.ADVICE_NOT_FOUND, Errors.ADVICE_ALREADY_ANSWERED,
                                 *DATE_RULES))
async def respond_to_consultation(advice_id: uuid.UUID, body: ResponseIn, session: DbSession,
                                  principal: StaffOnly, clock: ClockDep):
    """Record the response to an advice (once)."""
    advice = await service.get_advice(session, advice_id, for_update=True)
    await service.respond(session, principal, advice, body, clock)
    return advice
