import uuid
from typing import Annotated

from fastapi import APIRouter
from fastapi import Depends
from fastapi import Query
from sqlalchemy import select

from disaster_fund import roles
from disaster_fund.errors import Errors
from disaster_fund.reports import service
from disaster_fund.reports.models import DamageReport
from disaster_fund.reports.schemas import DamageReportIn
from disaster_fund.reports.schemas import DamageReportOut
from dkbuza_kit.auth import Principal
from dkbuza_kit.auth import require_roles
from dkbuza_kit.clock import ClockDep
from dkbuza_kit.db import DbSession
from dkbuza_kit.db import where_given
from dkbuza_kit.errors import AUTH_ERRORS
from dkbuza_kit.errors import KitErrors
from dkbuza_kit.errors import responses
from dkbuza_kit.idempotency import IdempotencyDep
from dkbuza_kit.pagination import Page
from dkbuza_kit.pagination import Pagination
from dkbuza_kit.pagination import page_of

router = APIRouter(prefix="/v1/damage-reports", tags=["damage-reports"])
Reporter = Annotated[Principal, Depends(require_roles(roles.CITIZEN, roles.MUNICIPALITY,
                                                      *roles.STAFF))]


@router.post("", response_model=DamageReportOut, status_code=201,
             responses=responses(Errors.DISASTER_CLOSED, Errors.REPORT_WINDOW_CLOSED,
                                 Errors.REPORTER_REQUIRED, Errors.REPORTER_NOT_ALLOWED,
                                 Errors.PAPER_FIELDS_NOT_ALLOWED, Errors.DUPLICATE_DAMAGE_REPORT,
                                 Errors.NOT_OWN_MUNICIPALITY, Errors.UNKNOWN_MUNICIPALITY,
                                 KitErrors.NOT_FOUND, KitErrors.DATE_IN_FUTURE,
                                 KitErrors.DATE_BEFORE_ORIGIN, *AUTH_ERRORS))
async def file_damage_report(body: DamageReportIn, session: DbSession, idem: IdempotencyDep,
                             principal: Reporter, clock: ClockDep):
    """File a report within the report window; a second one answers 409 with the first's number."""
    if idem.replay is not None:
        return idem.replay
    report = await service.file(session, body, principal, clock)
    return await idem.respond(201, DamageReportOut.model_validate(report))


@router.get("", response_model=Page[DamageReportOut])
async def list_damage_reports(
    session: DbSession, page: Pagination, principal: Reporter,
    disaster_id: Annotated[uuid.UUID | None, Query()] = None,
    municipality_nis: Annotated[str | None, Query(pattern=r"^\d{5}$")] = None,
) -> Page[DamageReportOut]:
    stmt = service.visible(select(DamageReport), principal).order_by(DamageReport.number)
    stmt = where_given(stmt, (DamageReport.disaster_id, disaster_id),
                             (DamageReport.municipality_nis, municipality_nis))
    return await page_of(session, stmt, page, out=DamageReportOut)


@router.get("/{report_id}", response_model=DamageReportOut)
async def get_damage_report(report_id: uuid.UUID, session: DbSession,
                            principal: Reporter) -> DamageReportOut:
    return DamageReportOut.model_validate(await service.get(session, report_id, principal))
