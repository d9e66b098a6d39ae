"""Audit recommendations: status, postponements (history kept), summary by original date."""

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from dkbuza_kit.audit import record_audit
from dkbuza_kit.clock import Clock, get_clock, today_brussels
from dkbuza_kit.db import DbSession
from dkbuza_kit.pagination import Page, Pagination, paginate
from dkbuza_kit.problems import ProblemError, not_found
from planning.audits.models import AuditRecommendation, AuditRecommendationPostponement
from planning.reporting.rules import percentage
from planning.roles import Manager, Reader

router = APIRouter(tags=["audit-recommendations"])
ClockDep = Annotated[Clock, Depends(get_clock)]


class RecommendationStatus(StrEnum):
    """open = open (nog niet opgevolgd), in_progress = in uitvoering,
    implemented = geïmplementeerd (opgevolgd)."""

    open = "open"
    in_progress = "in_progress"
    implemented = "implemented"


class RecommendationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(min_length=1, max_length=30)
    title: str = Field(min_length=1, max_length=2000)
    auditing_body: str = Field(min_length=1, max_length=200)
    target_date: date


class RecommendationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    code: str
    title: str
    auditing_body: str
    original_target_date: date
    current_target_date: date
    status: RecommendationStatus
    implemented_on: date | None


class StatusChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: RecommendationStatus
    implemented_on: date | None = None


class PostponementIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    new_target_date: date
    reason: str = Field(min_length=3, max_length=2000)


class PostponementOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    from_date: date
    to_date: date
    reason: str
    recorded_by: str


class AuditSummary(BaseModel):
    total: int
    implemented: int
    implemented_on_time: int
    open_overdue: int
    on_time_pct: Decimal | None = Field(None, description="implemented by the ORIGINAL date / "
                                                          "implemented")


async def _get(session: AsyncSession, rec_id: int) -> AuditRecommendation:
    rec = await session.get(AuditRecommendation, rec_id)
    if rec is None:
        raise not_found("audit recommendation", "AUDIT_RECOMMENDATION_NOT_FOUND")
    return rec


async def audit_summary(session: AsyncSession, today: date) -> AuditSummary:
    """Judged by the original target date: postponing does not make a recommendation on time."""
    implemented = AuditRecommendation.status == "implemented"
    total, done, on_time, overdue = (await session.execute(select(
        func.count(),
        func.count().filter(implemented),
        func.count().filter(implemented, AuditRecommendation.implemented_on
                            <= AuditRecommendation.original_target_date),
        func.count().filter(~implemented, AuditRecommendation.original_target_date < today),
    ))).one()
    return AuditSummary(total=total, implemented=done, implemented_on_time=on_time,
                        open_overdue=overdue, on_time_pct=percentage(on_time, done))


@router.post("/v1/audit-recommendations", response_model=RecommendationOut, status_code=201)
async def create_audit_recommendation(body: RecommendationIn, session: DbSession, _: Manager):
    if await session.scalar(select(AuditRecommendation.id)
                            .where(AuditRecommendation.code == body.code)):
        raise ProblemError(409, "AUDIT_RECOMMENDATION_EXISTS", f"{body.code} exists")
    rec = AuditRecommendation(code=body.code, title=body.title, auditing_body=body.auditing_body,
                              original_target_date=body.target_date,
                              current_target_date=body.target_date, status="open")
    session.add(rec)
    await session.flush()
    await record_audit(session, entity_type="audit_recommendation", entity_id=rec.id,
                       action="created", to_state="open")
    return rec


@router.get("/v1/audit-recommendations", response_model=Page[RecommendationOut])
async def list_audit_recommendations(session: DbSession, _: Reader, page: Pagination):
    rows, total = await paginate(session, select(AuditRecommendation)
                                 .order_by(AuditRecommendation.code), page)
    return Page(items=rows, total=total, limit=page.limit, offset=page.offset)


@router.get("/v1/audit-recommendations/summary", response_model=AuditSummary)
async def get_audit_summary(session: DbSession, _: Reader, clock: ClockDep):
    return await audit_summary(session, today_brussels(clock))


@router.get("/v1/audit-recommendations/{rec_id}", response_model=RecommendationOut)
async def get_audit_recommendation(rec_id: int, session: DbSession, _: Reader):
    return await _get(session, rec_id)


@router.post("/v1/audit-recommendations/{rec_id}/status", response_model=RecommendationOut)
async def change_audit_recommendation_status(rec_id: int, body: StatusChange,
                                             session: DbSession, _: Manager, clock: ClockDep):
    rec = await _get(session, rec_id)
    if body.status is RecommendationStatus.implemented:
        if body.implemented_on is None:
            raise ProblemError(422, "IMPLEMENTED_DATE_REQUIRED", "implemented_on is required")
        if body.implemented_on > today_brussels(clock):
            raise ProblemError(422, "IMPLEMENTED_DATE_IN_FUTURE", "implemented_on is future")
    before = rec.status
    rec.status = body.status.value
    rec.implemented_on = body.implemented_on if rec.status == "implemented" else None
    rec.version += 1
    await record_audit(session, entity_type="audit_recommendation", entity_id=rec.id,
                       action="status_changed", from_state=before, to_state=rec.status)
    return rec


@router.post("/v1/audit-recommendations/{rec_id}/postponements",
             response_model=RecommendationOut, status_code=201)
async def postpone_audit_recommendation(rec_id: int, body: PostponementIn, session: DbSession,
                                        principal: Manager):
    """Move the current target date later; the original date is never overwritten."""
    rec = await _get(session, rec_id)
    if rec.status == "implemented":
        raise ProblemError(409, "AUDIT_RECOMMENDATION_IMPLEMENTED", "already implemented")
    if body.new_target_date <= rec.current_target_date:
        raise ProblemError(422, "POSTPONEMENT_NOT_LATER",
                           "the new target date must be after the current one")
    session.add(AuditRecommendationPostponement(
        recommendation_id=rec.id, from_date=rec.current_target_date,
        to_date=body.new_target_date, reason=body.reason, recorded_by=principal.sub))
    await record_audit(session, entity_type="audit_recommendation", entity_id=rec.id,
                       action="postponed", reason=body.reason,
                       data={"from": rec.current_target_date.isoformat(),
                             "to": body.new_target_date.isoformat()})
    rec.current_target_date = body.new_target_date
    rec.version += 1
    return rec


@router.get("/v1/audit-recommendations/{rec_id}/postponements",
            response_model=list[PostponementOut])
async def list_postponements(rec_id: int, session: DbSession, _: Reader):
    await _get(session, rec_id)
    rows = await session.scalars(select(AuditRecommendationPostponement)
                                 .where(AuditRecommendationPostponement.recommendation_id == rec_id)
                                 .order_by(AuditRecommendationPostponement.id))
    return list(rows)
