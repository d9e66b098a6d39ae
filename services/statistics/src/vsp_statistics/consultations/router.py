"""User consultation: RVOS advice and the network's response (follow-up)."""

import uuid

from fastapi import APIRouter, Request, Response
from sqlalchemy import select

from dkbuza_kit.audit import record_audit
from dkbuza_kit.concurrency import check_if_match, set_etag
from dkbuza_kit.db import DbSession
from dkbuza_kit.pagination import Page, Pagination, paginate
from dkbuza_kit.problems import ProblemError
from vsp_statistics.roles import StaffOnly, StaffOrEntity
from vsp_statistics.common import (
    CONDITIONAL_WRITE_RESPONSES,
    apply_patch,
    audit_update,
    bump_version,
    page_of,
)
from vsp_statistics.consultations.models import RvosAdvice
from vsp_statistics.consultations.schemas import AdviceIn, AdviceOut, AdvicePatch, ResponseIn
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


async def _check_statistic(session, statistic_id: uuid.UUID | None) -> None:
    if statistic_id and await session.get(OfficialStatistic, statistic_id) is None:
        raise ProblemError(422, "UNKNOWN_STATISTIC", "no such official statistic")


async def _advice(session, advice_id: uuid.UUID, *, for_update: bool = False) -> RvosAdvice:
    stmt = select(RvosAdvice).where(RvosAdvice.id == advice_id)
    if for_update:
        stmt = stmt.with_for_update()
    advice = await session.scalar(stmt)
    if advice is None:
        raise ProblemError(404, "ADVICE_NOT_FOUND", "RVOS advice not found")
    return advice


def _check_response_date(advised_on, responded_on) -> None:
    if responded_on is not None and responded_on < advised_on:
        raise ProblemError(422, "RESPONSE_BEFORE_ADVICE", "the response predates the advice")


@router.post("/v1/consultations", response_model=AdviceOut, status_code=201)
async def create_consultation(body: AdviceIn, session: DbSession, _: StaffOnly):
    """Register an RVOS advice."""
    await _check_statistic(session, body.statistic_id)
    advice = RvosAdvice(**body.model_dump())
    session.add(advice)
    await session.flush()
    await record_audit(session, entity_type="rvos_advice", entity_id=advice.id,
                       action="registered")
    return advice


@router.get("/v1/consultations/{advice_id}", response_model=AdviceOut)
async def get_consultation(advice_id: uuid.UUID, response: Response, session: DbSession,
                           _: StaffOrEntity):
    advice = await _advice(session, advice_id)
    set_etag(response, advice.version)
    return advice


@router.patch("/v1/consultations/{advice_id}", response_model=AdviceOut,
              responses=CONDITIONAL_WRITE_RESPONSES)
async def update_consultation(advice_id: uuid.UUID, body: AdvicePatch, request: Request,
                              response: Response, session: DbSession, principal: StaffOnly):
    """Correct a registered advice or its recorded response (`If-Match` required)."""
    advice = await _advice(session, advice_id, for_update=True)
    check_if_match(request, advice.version)
    changes = body.changes()
    if advice.responded_on is None and changes.keys() & {"response", "responded_on"}:
        raise ProblemError(409, "ADVICE_NOT_ANSWERED", "record the response first with "
                           "POST /v1/consultations/{id}/response")
    if "statistic_id" in changes:
        await _check_statistic(session, changes["statistic_id"])
    _check_response_date(changes.get("advised_on", advice.advised_on),
                         changes.get("responded_on", advice.responded_on))
    diff = apply_patch(advice, changes)
    await audit_update(session, entity_type="rvos_advice", entity_id=advice.id, diff=diff,
                       principal=principal)
    set_etag(response, advice.version)
    return advice


@router.post("/v1/consultations/{advice_id}/response", response_model=AdviceOut)
async def respond_to_consultation(advice_id: uuid.UUID, body: ResponseIn, session: DbSession,
                                  _: StaffOnly):
    """Record the response to an advice (once)."""
    advice = await _advice(session, advice_id, for_update=True)
    if advice.responded_on is not None:
        raise ProblemError(409, "ADVICE_ALREADY_ANSWERED", "this advice already has a response")
    _check_response_date(advice.advised_on, body.responded_on)
    advice.response = body.response
    advice.responded_on = body.responded_on
    bump_version(advice)
    await record_audit(session, entity_type="rvos_advice", entity_id=advice.id,
                       action="answered", from_state="open", to_state="answered")
    return advice
