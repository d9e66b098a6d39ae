import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter
from fastapi import Depends
from fastapi import Query
from fastapi import Request
from fastapi import Response
from sqlalchemy import select

from disaster_fund import dashboard
from disaster_fund import roles
from disaster_fund.disasters import service
from disaster_fund.disasters import watch
from disaster_fund.disasters.models import Disaster
from disaster_fund.disasters.schemas import AdviceReceivedIn
from disaster_fund.disasters.schemas import AdviceRequestIn
from disaster_fund.disasters.schemas import AdviceRequestOut
from disaster_fund.disasters.schemas import DamageReportSummaryOut
from disaster_fund.disasters.schemas import DisasterIn
from disaster_fund.disasters.schemas import DisasterOut
from disaster_fund.disasters.schemas import DisasterPatch
from disaster_fund.disasters.schemas import DisasterTransitionIn
from disaster_fund.disasters.schemas import RecognitionPhaseOut
from disaster_fund.errors import Errors
from disaster_fund.workflow import DisasterState
from dkbuza_kit.auth import Principal
from dkbuza_kit.auth import require_roles
from dkbuza_kit.clock import ClockDep
from dkbuza_kit.clock import today_brussels
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
from dkbuza_kit.pagination import paginate
from dkbuza_kit.types import Year

router = APIRouter(prefix="/v1/disasters", tags=["disasters"])
Reader = Annotated[Principal, Depends(require_roles(*roles.ANY_VRF, roles.KPI_READER))]
Manager = Annotated[Principal, Depends(require_roles(roles.MANAGER))]
DashboardReader = Annotated[Principal, Depends(require_roles(*roles.STAFF, roles.KPI_READER))]


@router.get("", response_model=Page[DisasterOut])
async def list_disasters(
    session: DbSession, page: Pagination, _: Reader,
    state: Annotated[DisasterState | None, Query()] = None,
    year: Annotated[Year | None, Query()] = None,
) -> Page[DisasterOut]:
    stmt = select(Disaster).order_by(Disaster.event_start.desc(), Disaster.id)
    if state is not None:
        stmt = stmt.where(Disaster.state == state.value)
    if year is not None:
        stmt = stmt.where(Disaster.event_start.between(date(year, 1, 1), date(year, 12, 31)))
    rows, total = await paginate(session, stmt, page)
    items = [await service.to_out(session, d, with_advice=False) for d in rows]
    return Page.of(items, total, page)


@router.get("/recognition-alerts", response_model=list[RecognitionPhaseOut])
async def list_recognition_alerts(session: DbSession, clock: ClockDep, _: DashboardReader,
                                  status: Annotated[str | None, Query(
                                      pattern="^(overdue|ok|no_norm)$")] = None,
                                  ) -> list[RecognitionPhaseOut]:
    """Disasters in their recognition procedure with days in phase against the phase norm
    (the overview's alerts: `status=overdue`)."""
    phases = await watch.recognition_phases(session, today_brussels(clock))
    return [RecognitionPhaseOut(**p) for p in phases if status is None or p["status"] == status]


@router.post("", response_model=DisasterOut, status_code=201,
             responses=responses(Errors.EVENT_BEFORE_FLEMISH_COMPETENCE, Errors.REGIME_NOT_SUPPORTED,
                                 Errors.UNKNOWN_MUNICIPALITY, KitErrors.DATE_IN_FUTURE,
                                 KitErrors.PERIOD_INVERTED, *AUTH_ERRORS),
             dependencies=[RETURNS_ETAG])
async def create_disaster(body: DisasterIn, session: DbSession, clock: ClockDep, _: Manager,
                          response: Response) -> DisasterOut:
    disaster = await service.create(session, body, clock)
    set_etag(response, disaster.version)
    return await service.to_out(session, disaster)


@router.get("/{disaster_id}", response_model=DisasterOut, dependencies=[RETURNS_ETAG])
async def get_disaster(disaster_id: uuid.UUID, session: DbSession, _: Reader,
                       response: Response) -> DisasterOut:
    disaster = await service.get(session, disaster_id)
    set_etag(response, disaster.version)
    return await service.to_out(session, disaster)


@router.patch("/{disaster_id}", response_model=DisasterOut,
              responses=responses(Errors.DISASTER_LOCKED, Errors.UNKNOWN_MUNICIPALITY,
                                  KitErrors.NOT_FOUND, *IF_MATCH_ERRORS, *AUTH_ERRORS),
              dependencies=[IF_MATCH])
async def update_disaster(disaster_id: uuid.UUID, body: DisasterPatch, request: Request,
                          session: DbSession, _: Manager, response: Response) -> DisasterOut:
    disaster = await lock_for_change(session, Disaster, disaster_id, request, what="disaster")
    await service.patch(session, disaster, body)
    set_etag(response, disaster.version)
    return await service.to_out(session, disaster)


@router.post("/{disaster_id}/transitions", response_model=DisasterOut,
             responses=responses(KitErrors.ILLEGAL_TRANSITION, Errors.CRITERIA_REQUIRED,
                                 Errors.ADVICE_PENDING, Errors.PUBLICATION_DATE_REQUIRED,
                                 Errors.REASON_REQUIRED, Errors.APPLICATIONS_OPEN,
                                 Errors.SCOPE_NOT_IN_DISASTER, KitErrors.NOT_FOUND,
                                 KitErrors.DATE_BEFORE_ORIGIN, KitErrors.PERIOD_INVERTED,
                                 KitErrors.DATE_IN_FUTURE, KitErrors.DATE_BEFORE_PREDECESSOR,
                                 *AUTH_ERRORS),
             dependencies=[RETURNS_ETAG])
async def transition_disaster(disaster_id: uuid.UUID, body: DisasterTransitionIn,
                              session: DbSession, clock: ClockDep, _: Manager,
                              response: Response) -> DisasterOut:
    """Move the recognition procedure on; illegal steps answer 409 ILLEGAL_TRANSITION."""
    disaster = await service.get(session, disaster_id, for_update=True)
    await service.transition(session, disaster, body, clock)
    set_etag(response, disaster.version)
    return await service.to_out(session, disaster)


@router.post("/{disaster_id}/advice-requests", response_model=AdviceRequestOut, status_code=201,
             responses=responses(KitErrors.ILLEGAL_TRANSITION, KitErrors.NOT_FOUND,
                                 KitErrors.DATE_BEFORE_ORIGIN, KitErrors.DATE_IN_FUTURE,
                                 KitErrors.DATE_BEFORE_PREDECESSOR, *AUTH_ERRORS))
async def request_advice(disaster_id: uuid.UUID, body: AdviceRequestIn, session: DbSession,
                         _: Manager, clock: ClockDep) -> AdviceRequestOut:
    disaster = await service.get(session, disaster_id, for_update=True)
    return AdviceRequestOut.model_validate(
        await service.add_advice_request(session, disaster, body, clock))


@router.post("/{disaster_id}/advice-requests/{request_id}/receipt", response_model=AdviceRequestOut,
             responses=responses(Errors.ADVICE_ALREADY_RECEIVED, KitErrors.NOT_FOUND,
                                 KitErrors.DATE_IN_FUTURE, KitErrors.DATE_BEFORE_PREDECESSOR,
                                 *AUTH_ERRORS))
async def receive_advice(disaster_id: uuid.UUID, request_id: uuid.UUID, body: AdviceReceivedIn,
                         session: DbSession, _: Manager, clock: ClockDep) -> AdviceRequestOut:
    disaster = await service.get(session, disaster_id, for_update=True)
    return AdviceRequestOut.model_validate(
        await service.receive_advice(session, disaster, request_id, body, clock))


@router.get("/{disaster_id}/damage-report-summary", response_model=DamageReportSummaryOut)
async def get_damage_report_summary(disaster_id: uuid.UUID, session: DbSession,
                                    _: DashboardReader) -> DamageReportSummaryOut:
    """Damage reports per municipality (count, estimated amounts) next to the financial
    criterion, to support the recognition."""
    disaster = await service.get(session, disaster_id)
    return DamageReportSummaryOut(**await watch.damage_report_summary(session, disaster))


@router.get("/{disaster_id}/dashboard", response_model=dashboard.Dashboard)
async def get_dashboard(disaster_id: uuid.UUID, session: DbSession, clock: ClockDep,
                        _: DashboardReader) -> dashboard.Dashboard:
    disaster = await service.get(session, disaster_id)
    return await dashboard.compute(session, disaster, clock)
