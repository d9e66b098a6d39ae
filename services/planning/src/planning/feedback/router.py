"""HTTP for feedback on status reports: a manager's acknowledgement, comment threads."""

from fastapi import APIRouter
from fastapi import Request
from fastapi import Response

from dkbuza_kit.clock import ClockDep
from dkbuza_kit.concurrency import lock_for_change
from dkbuza_kit.concurrency import set_etag
from dkbuza_kit.db import DbSession
from dkbuza_kit.db import get_or_404
from dkbuza_kit.errors import AUTH_ERRORS
from dkbuza_kit.errors import IF_MATCH_ERRORS
from dkbuza_kit.errors import responses
from dkbuza_kit.openapi import IF_MATCH
from planning.errors import Errors
from planning.feedback import service
from planning.feedback.schemas import AcknowledgementOut
from planning.feedback.schemas import CommentIn
from planning.feedback.schemas import CommentOut
from planning.reporting.models import StatusReport
from planning.roles import Manager
from planning.roles import Reader
from planning.roles import ReporterOrManager

router = APIRouter(tags=["reporting"])
NOT_FOUND = Errors.STATUS_REPORT_NOT_FOUND


@router.post("/v1/status-reports/{report_id}/acknowledgement", response_model=AcknowledgementOut,
             responses=responses(NOT_FOUND, *IF_MATCH_ERRORS, *AUTH_ERRORS),
             dependencies=[IF_MATCH])
async def acknowledge_report(report_id: int, request: Request, response: Response,
                             session: DbSession, principal: Manager, clock: ClockDep):
    """Acknowledge the report as read (If-Match: exactly the version acknowledged)."""
    report = await lock_for_change(session, StatusReport, report_id, request,
                                   what="status report", not_found=NOT_FOUND)
    acknowledged = await service.acknowledge(session, report, principal, clock)
    set_etag(response, acknowledged.version)
    return AcknowledgementOut(report_id=acknowledged.id,
                              acknowledged_by=acknowledged.acknowledged_by,
                              acknowledged_at=acknowledged.acknowledged_at,
                              acknowledged_version=acknowledged.acknowledged_version)


@router.post("/v1/status-reports/{report_id}/comments", response_model=CommentOut,
             status_code=201, responses=responses(NOT_FOUND, Errors.COMMENT_NOT_FOUND,
                                                  Errors.NOT_YOUR_TEAM, *AUTH_ERRORS))
async def comment_on_report(report_id: int, body: CommentIn, session: DbSession,
                            principal: ReporterOrManager, clock: ClockDep):
    """A comment, or a reply in a thread (`reply_to_id`); reporters on their own team's reports."""
    report = await get_or_404(session, StatusReport, report_id, what="status report",
                              error=NOT_FOUND)
    return await service.add_comment(session, report, body, principal, clock)


@router.get("/v1/status-reports/{report_id}/comments", response_model=list[CommentOut],
            responses=responses(NOT_FOUND, *AUTH_ERRORS))
async def list_report_comments(report_id: int, session: DbSession, _: Reader):
    await get_or_404(session, StatusReport, report_id, what="status report", error=NOT_FOUND)
    return list(await session.scalars(service.comments_query(report_id)))
