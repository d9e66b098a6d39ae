"""HTTP for audit recommendations: status, postponements (history kept), summary."""

from fastapi import APIRouter
from sqlalchemy import select

from dkbuza_kit.clock import ClockDep
from dkbuza_kit.clock import today_brussels
from dkbuza_kit.db import DbSession
from dkbuza_kit.errors import AUTH_ERRORS
from dkbuza_kit.errors import KitErrors
from dkbuza_kit.errors import responses
from dkbuza_kit.pagination import Page
from dkbuza_kit.pagination import Pagination
from dkbuza_kit.pagination import page_of
from planning.audits import service
from planning.audits.models import AuditRecommendation
from planning.audits.models import AuditRecommendationPostponement
from planning.audits.schemas import AuditSummary
from planning.audits.schemas import PostponementIn
from planning.audits.schemas import PostponementOut
from planning.audits.schemas import RecommendationIn
from planning.audits.schemas import RecommendationOut
from planning.audits.schemas import StatusChange
from planning.errors import Errors
from planning.roles import Manager
from planning.roles import Reader

router = APIRouter(tags=["audit-recommendations"])
NOT_FOUND = Errors.AUDIT_RECOMMENDATION_NOT_FOUND


@router.post("/v1/audit-recommendations", response_model=RecommendationOut, status_code=201,
             responses=responses(Errors.AUDIT_RECOMMENDATION_EXISTS, KitErrors.VALIDATION_ERROR,
                                 *AUTH_ERRORS))
async def create_audit_recommendation(body: RecommendationIn, session: DbSession, _: Manager):
    return await service.create_recommendation(session, body)


@router.get("/v1/audit-recommendations", response_model=Page[RecommendationOut])
async def list_audit_recommendations(session: DbSession, _: Reader, page: Pagination):
    return await page_of(session, select(AuditRecommendation)
                         .order_by(AuditRecommendation.code), page, out=RecommendationOut)


@router.get("/v1/audit-recommendations/summary", response_model=AuditSummary)
async def get_audit_summary(session: DbSession, _: Reader, clock: ClockDep):
    return await service.audit_summary(session, today_brussels(clock))


@router.get("/v1/audit-recommendations/{rec_id}", response_model=RecommendationOut,
            responses=responses(NOT_FOUND, *AUTH_ERRORS))
async def get_audit_recommendation(rec_id: int, session: DbSession, _: Reader):
    return await service.get_recommendation(session, rec_id)


@router.post("/v1/audit-recommendations/{rec_id}/status", response_model=RecommendationOut,
             responses=responses(NOT_FOUND, Errors.IMPLEMENTED_DATE_REQUIRED,
                                 KitErrors.DATE_IN_FUTURE, *AUTH_ERRORS))
async def change_audit_recommendation_status(rec_id: int, body: StatusChange,
                                             session: DbSession, _: Manager, clock: ClockDep):
    rec = await service.get_recommendation(session, rec_id)
    return await service.change_status(session, rec, body, clock)


@router.post("/v1/audit-recommendations/{rec_id}/postponements",
             response_model=RecommendationOut, status_code=201,
             responses=responses(NOT_FOUND, Errors.AUDIT_RECOMMENDATION_IMPLEMENTED,
                                 Errors.POSTPONEMENT_NOT_LATER, *AUTH_ERRORS))
async def postpone_audit_recommendation(rec_id: int, body: PostponementIn, session: DbSession,
                                        principal: Manager):
    """Move the current target date later; the original date is never overwritten."""
    rec = await service.get_recommendation(session, rec_id)
    return await service.postpone(session, rec, body, principal)


@router.get("/v1/audit-recommendations/{rec_id}/postponements",
            response_model=list[PostponementOut], responses=responses(NOT_FOUND, *AUTH_ERRORS))
async def list_postponements(rec_id: int, session: DbSession, _: Reader):
    await service.get_recommendation(session, rec_id)
    rows = await session.scalars(select(AuditRecommendationPostponement)
                                 .where(AuditRecommendationPostponement.recommendation_id == rec_id)
                                 .order_by(AuditRecommendationPostponement.id))
    return list(rows)
