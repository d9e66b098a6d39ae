"""HTTP for indicators and their measurements."""

from fastapi import APIRouter
from fastapi import Request
from fastapi import Response
from sqlalchemy import select

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
from dkbuza_kit.pagination import paginate
from planning.errors import Errors
from planning.indicators import service
from planning.indicators.models import Indicator
from planning.indicators.models import IndicatorMeasurement
from planning.indicators.schemas import IndicatorIn
from planning.indicators.schemas import IndicatorOut
from planning.indicators.schemas import IndicatorPatch
from planning.indicators.schemas import MeasurementIn
from planning.indicators.schemas import MeasurementOut
from planning.indicators.service import indicators_with_progress
from planning.roles import Manager
from planning.roles import Reader

router = APIRouter(tags=["indicators"])


def _out(row) -> IndicatorOut:
    indicator, value, measured_on, progress, valid = row
    return IndicatorOut.model_validate(indicator).model_copy(update={
        "latest_value": value, "latest_measured_on": measured_on, "progress_pct": progress,
        "valid_target": bool(valid)})


@router.post("/v1/indicators", response_model=IndicatorOut, status_code=201)
async def create_indicator(body: IndicatorIn, session: DbSession, _: Manager) -> IndicatorOut:
    indicator = await service.create_indicator(session, body)
    return await _read(session, indicator.id)


async def _read(session, indicator_id: int) -> IndicatorOut:
    row = (await session.execute(indicators_with_progress()
                                 .where(Indicator.id == indicator_id))).one_or_none()
    if row is None:
        raise Errors.INDICATOR_NOT_FOUND("indicator not found")
    return _out(row)


@router.get("/v1/indicators", response_model=Page[IndicatorOut])
async def list_indicators(session: DbSession, _: Reader, page: Pagination) -> Page[IndicatorOut]:
    stmt = indicators_with_progress().order_by(Indicator.code, Indicator.id)
    rows, total = await paginate(session, stmt, page, scalars=False)
    return Page.of([_out(r) for r in rows], total, page)


@router.get("/v1/indicators/{indicator_id}", response_model=IndicatorOut, dependencies=[RETURNS_ETAG])
async def get_indicator(indicator_id: int, session: DbSession, _: Reader,
                        response: Response) -> IndicatorOut:
    indicator = await _read(session, indicator_id)
    set_etag(response, indicator.version)
    return indicator


@router.patch("/v1/indicators/{indicator_id}", response_model=IndicatorOut,
              responses=responses(Errors.INDICATOR_NOT_FOUND, Errors.FIELD_NOT_NULLABLE,
                                  Errors.INDICATOR_LINK_INVALID, *IF_MATCH_ERRORS, *AUTH_ERRORS),
              dependencies=[IF_MATCH])
async def update_indicator(indicator_id: int, body: IndicatorPatch, request: Request,
                           response: Response, session: DbSession, _: Manager) -> IndicatorOut:
    """Set unit, baseline, target, direction, links or source (If-Match required)."""
    indicator = await lock_for_change(session, Indicator, indicator_id, request,
                                      what="indicator", not_found=Errors.INDICATOR_NOT_FOUND)
    await service.update_indicator(session, indicator, body)
    result = await _read(session, indicator.id)
    set_etag(response, result.version)
    return result


@router.post("/v1/indicators/{indicator_id}/measurements", response_model=MeasurementOut,
             status_code=201, responses=responses(Errors.INDICATOR_NOT_FOUND,
                                                  KitErrors.DATE_IN_FUTURE,
                                                  KitErrors.VALIDATION_ERROR, *AUTH_ERRORS))
async def add_measurement(indicator_id: int, body: MeasurementIn, session: DbSession,
                          _: Manager, clock: ClockDep) -> IndicatorMeasurement:
    """A manual measurement; its date is not in the future."""
    return await service.add_manual_measurement(session, indicator_id, body, clock)


@router.get("/v1/indicators/{indicator_id}/measurements", response_model=Page[MeasurementOut])
async def list_measurements(indicator_id: int, session: DbSession, _: Reader,
                            page: Pagination) -> Page[MeasurementOut]:
    stmt = (select(IndicatorMeasurement).where(IndicatorMeasurement.indicator_id == indicator_id)
            .order_by(IndicatorMeasurement.measured_on, IndicatorMeasurement.id))
    return await page_of(session, stmt, page)
