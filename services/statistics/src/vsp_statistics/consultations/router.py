"""User consultation: RVOS advice and the network's response (follow-up)."""

import uuid

from fastapi import APIRouter
from sqlalchemy import select

from dkbuza_kit.audit import record_audit
from dkbuza_kit.db import DbSession
from dkbuza_kit.pagination import Page, Pagination, paginate
from dkbuza_kit.problems import ProblemError
from vsp_statistics.access import StaffOnly, StaffOrEntity
from vsp_statistics.common import get_or_404, page_of
from vsp_statistics.consultations.models import RvosAdvice
from vsp_statistics.consultations.schemas import AdviceIn, AdviceOut, ResponseIn
from vsp_statistics.official_statistics.models import OfficialStatistic

router = APIRouter(tags=["consultations"])


@router.get("/v1/consultations", response_model=Page[AdviceOut])
async def list_consultations(session: DbSession, page: Pagination, _: StaffOrEntity,
                             answered: bool | None = None):
    stmt = select(RvosAdvice).order_by(RvosAdvice.advised_on.desc(), RvosAdvice.id)
    if answered is not None:
        stmt = stmt.where(RvosAdvice.responded_on.is_not(None) if answered
                          else RvosAdvice.responded_on.is_(None))
    rows, total = await paginate(session, stmt, page)
    return page_of(rows, total, page, AdviceOut)


@router.post("/v1/consultations", response_model=AdviceOut, status_code=201)
async def create_consultation(body: AdviceIn, session: DbSession, _: StaffOnly):
    """Register an RVOS advice."""
    if body.statistic_id and await session.get(OfficialStatistic, body.statistic_id) is None:
        raise ProblemError(422, "UNKNOWN_STATISTIC", "no such official statistic")
    advice = RvosAdvice(**body.model_dump())
    session.add(advice)
    await session.flush()
    await record_audit(session, entity_type="rvos_advice", entity_id=advice.id,
                       action="registered")
    return advice


@router.get("/v1/consultations/{advice_id}", response_model=AdviceOut)
async def get_consultation(advice_id: uuid.UUID, session: DbSession, _: StaffOrEntity):
    return await get_or_404(session, RvosAdvice, advice_id, "RVOS advice", "ADVICE_NOT_FOUND")


@router.post("/v1/consultations/{advice_id}/response", response_model=AdviceOut)
async def respond_to_consultation(advice_id: uuid.UUID, body: ResponseIn, session: DbSession,
                                  _: StaffOnly):
    """Record the response to an advice (once)."""
    advice = await get_or_404(session, RvosAdvice, advice_id, "RVOS advice", "ADVICE_NOT_FOUND")
    if advice.responded_on is not None:
        raise ProblemError(409, "ADVICE_ALREADY_ANSWERED", "this advice already has a response")
    if body.responded_on < advice.advised_on:
        raise ProblemError(422, "RESPONSE_BEFORE_ADVICE", "the response predates the advice")
    advice.response = body.response
    advice.responded_on = body.responded_on
    await record_audit(session, entity_type="rvos_advice", entity_id=advice.id,
                       action="answered", from_state="open", to_state="answered")
    return advice
