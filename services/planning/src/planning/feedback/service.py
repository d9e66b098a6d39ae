"""Use cases of feedback on status reports. An acknowledgement is part of the report's
representation: it bumps the version and records that version; an edit after it bumps the
version again, so `acknowledged_version < version` shows the report changed since."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dkbuza_kit.audit import emit_event
from dkbuza_kit.audit import record_audit
from dkbuza_kit.auth import Principal
from dkbuza_kit.clock import Clock
from dkbuza_kit.concurrency import bump_version
from planning.errors import Errors
from planning.feedback.schemas import CommentIn
from planning.plans.models import Initiative
from planning.reporting.models import ReportComment
from planning.reporting.models import StatusReport
from planning.roles import ensure_team_access


async def acknowledge(session: AsyncSession, report: StatusReport, principal: Principal,
                      clock: Clock) -> StatusReport:
    bump_version(report)
    report.acknowledged_by = principal.sub
    report.acknowledged_at = clock.now()
    report.acknowledged_version = report.version
    await record_audit(session, entity_type="status_report", entity_id=report.id,
                       action="acknowledged", data={"version": report.version})
    await emit_event(session, "report.acknowledged", subject=report.id,
                     data={"initiative_id": report.initiative_id, "period_id": report.period_id,
                           "version": report.version})
    return report


async def add_comment(session: AsyncSession, report: StatusReport, body: CommentIn,
                      principal: Principal, clock: Clock) -> ReportComment:
    initiative = await session.get(Initiative, report.initiative_id)
    ensure_team_access(principal, initiative.owner_team if initiative else None)
    if body.reply_to_id is not None:
        parent = await session.get(ReportComment, body.reply_to_id)
        if parent is None or parent.report_id != report.id:
            raise Errors.COMMENT_NOT_FOUND("no such comment on this report")
    comment = ReportComment(report_id=report.id, reply_to_id=body.reply_to_id,
                            author=principal.sub, body=body.body, created_at=clock.now())
    session.add(comment)
    await session.flush()
    await record_audit(session, entity_type="status_report", entity_id=report.id,
                       action="commented", data={"comment_id": comment.id})
    await emit_event(session, "report.commented", subject=report.id,
                     data={"comment_id": comment.id, "reply_to_id": body.reply_to_id})
    return comment


def comments_query(report_id: int):
    return (select(ReportComment).where(ReportComment.report_id == report_id)
            .order_by(ReportComment.id))
