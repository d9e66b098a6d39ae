"""Use cases of audit recommendations: judged by the ORIGINAL target date, postponements kept."""

from datetime import date

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dkbuza_kit.audit import add_audited
from dkbuza_kit.audit import record_audit
from dkbuza_kit.auth import Principal
from dkbuza_kit.clock import Clock
from dkbuza_kit.concurrency import bump_version
from dkbuza_kit.db import get_or_404
from dkbuza_kit.timeline import check_timeline
from planning.audits.models import AuditRecommendation
from planning.audits.models import AuditRecommendationPostponement
from planning.audits.schemas import AuditSummary
from planning.audits.schemas import PostponementIn
from planning.audits.schemas import RecommendationIn
from planning.audits.schemas import RecommendationStatus
from planning.audits.schemas import StatusChange
from planning.errors import Errors
from planning.reporting.rules import percentage


async def get_recommendation(session: AsyncSession, rec_id: int) -> AuditRecommendation:
    return await get_or_404(session, AuditRecommendation, rec_id, what="audit recommendation",
                            error=Errors.AUDIT_RECOMMENDATION_NOT_FOUND)


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


async def create_recommendation(session: AsyncSession, body: RecommendationIn
                                ) -> AuditRecommendation:
    if await session.scalar(select(AuditRecommendation.id)
                            .where(AuditRecommendation.code == body.code)):
        raise Errors.AUDIT_RECOMMENDATION_EXISTS(f"{body.code} exists")
    rec = AuditRecommendation(code=body.code, title=body.title, auditing_body=body.auditing_body,
                              original_target_date=body.target_date,
                              current_target_date=body.target_date, status="open")
    await add_audited(session, rec, entity_type="audit_recommendation", action="created", to_state="open")
    return rec


async def change_status(session: AsyncSession, rec: AuditRecommendation, body: StatusChange,
                        clock: Clock) -> AuditRecommendation:
    if body.status is RecommendationStatus.implemented:
        if body.implemented_on is None:
            raise Errors.IMPLEMENTED_DATE_REQUIRED("implemented_on is required")
        check_timeline("implemented_on", body.implemented_on, now=clock.now())
    before = rec.status
    rec.status = body.status.value
    rec.implemented_on = body.implemented_on if rec.status == "implemented" else None
    bump_version(rec)
    await record_audit(session, entity_type="audit_recommendation", entity_id=rec.id,
                       action="status_changed", from_state=before, to_state=rec.status)
    return rec


async def postpone(session: AsyncSession, rec: AuditRecommendation, body: PostponementIn,
                   principal: Principal) -> AuditRecommendation:
    """Move the current target date later; the original date is never overwritten."""
    if rec.status == "implemented":
        raise Errors.AUDIT_RECOMMENDATION_IMPLEMENTED("already implemented")
    if body.new_target_date <= rec.current_target_date:
        raise Errors.POSTPONEMENT_NOT_LATER("the new target date must be after the current one")
    session.add(AuditRecommendationPostponement(
        recommendation_id=rec.id, from_date=rec.current_target_date,
        to_date=body.new_target_date, reason=body.reason, recorded_by=principal.sub))
    await record_audit(session, entity_type="audit_recommendation", entity_id=rec.id,
                       action="postponed", reason=body.reason,
                       data={"from": rec.current_target_date.isoformat(),
                             "to": body.new_target_date.isoformat()})
    rec.current_target_date = body.new_target_date
    bump_version(rec)
    return rec
