"""HTTP for resources per initiative: record, change (If-Match), totals per OD / SD, export."""

from typing import Annotated
from typing import Literal

from fastapi import APIRouter
from fastapi import Query
from fastapi import Request
from fastapi import Response
from fastapi.responses import StreamingResponse

from dkbuza_kit.concurrency import lock_for_change
from dkbuza_kit.concurrency import set_etag
from dkbuza_kit.db import DbSession
from dkbuza_kit.errors import AUTH_ERRORS
from dkbuza_kit.errors import IF_MATCH_ERRORS
from dkbuza_kit.errors import responses
from dkbuza_kit.exports import FILE_RESPONSES
from dkbuza_kit.exports import FormatPath
from dkbuza_kit.exports import export_response
from dkbuza_kit.openapi import IF_MATCH
from dkbuza_kit.openapi import RETURNS_ETAG
from dkbuza_kit.shedding import ExportSlot
from dkbuza_kit.types import Year
from planning.errors import Errors
from planning.resources import service
from planning.resources.models import InitiativeResources
from planning.resources.schemas import ResourcesIn
from planning.resources.schemas import ResourcesOut
from planning.resources.schemas import ResourcesPatch
from planning.resources.schemas import ResourceTotals
from planning.roles import Manager
from planning.roles import Reader

router = APIRouter(tags=["resources"])
NOT_FOUND = Errors.RESOURCES_NOT_FOUND


@router.post("/v1/resources", response_model=ResourcesOut, status_code=201,
             responses=responses(Errors.INITIATIVE_NOT_FOUND, Errors.PERIOD_NOT_FOUND,
                                 Errors.RESOURCES_EXIST, *AUTH_ERRORS),
             dependencies=[RETURNS_ETAG])
async def record_resources(body: ResourcesIn, session: DbSession, _: Manager,
                           response: Response) -> InitiativeResources:
    """Planned and committed budget (euro) and staff (FTE) of an initiative in a period."""
    row = await service.record_resources(session, body)
    set_etag(response, row.version)
    return row


@router.patch("/v1/resources/{resources_id}", response_model=ResourcesOut,
              responses=responses(NOT_FOUND, Errors.FIELD_NOT_NULLABLE, *IF_MATCH_ERRORS,
                                  *AUTH_ERRORS),
              dependencies=[IF_MATCH])
async def change_resources(resources_id: int, body: ResourcesPatch, request: Request,
                           response: Response, session: DbSession,
                           _: Manager) -> InitiativeResources:
    row = await lock_for_change(session, InitiativeResources, resources_id, request,
                                what="resources", not_found=NOT_FOUND)
    changed = await service.change_resources(session, row, body)
    set_etag(response, changed.version)
    return changed


@router.get("/v1/resources/totals", response_model=list[ResourceTotals])
async def resource_totals(
    session: DbSession, _: Reader, plan_year: Year,
    level: Literal["operational_goal", "strategic_goal"] = "operational_goal",
    period_id: Annotated[int | None, Query(description="one period; default all")] = None,
):
    """Totals per OD or SD: the plan-budget link (planned vs committed, euro and FTE)."""
    rows = (await session.execute(service.totals_query(plan_year, level, period_id))).all()
    return [ResourceTotals.model_validate(row._mapping) for row in rows]


@router.get("/v1/resources/{resources_id}", response_model=ResourcesOut,
            responses=responses(NOT_FOUND, *AUTH_ERRORS),
            dependencies=[RETURNS_ETAG])
async def get_resources(resources_id: int, session: DbSession, _: Reader,
                        response: Response) -> InitiativeResources:
    row = await session.get(InitiativeResources, resources_id)
    if row is None:
        raise NOT_FOUND("resources not found")
    set_etag(response, row.version)
    return row


@router.get("/v1/exports/resources.{fmt}", response_class=StreamingResponse,
            responses={**FILE_RESPONSES, **responses(*AUTH_ERRORS)})
async def export_resources(fmt: FormatPath, session: DbSession, _: Reader, _slot: ExportSlot,
                           plan_year: Year) -> StreamingResponse:
    """Every initiative's resources per period of the plan year, as CSV or XLSX."""
    return await export_response(fmt, f"resources-{plan_year}", "Middelen",
                                 service.EXPORT_HEADER, service.export_rows(session, plan_year))
