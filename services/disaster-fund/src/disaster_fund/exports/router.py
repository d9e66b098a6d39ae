"""CSV and XLSX exports of dossier lists and the per-disaster dashboard.

Lists are streamed from a server-side cursor in their own session (the response outlives the
request's unit of work), so memory does not grow with the number of dossiers. Each export
takes one of the kit's export slots (`ExportSlot`) until its body is sent: a burst of exports
gets 503 `EXPORTS_BUSY` instead of exhausting the pool.
"""

import uuid
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter
from fastapi import Depends
from fastapi import Query
from fastapi import Request
from fastapi.responses import StreamingResponse
from sqlalchemy import select

from disaster_fund import dashboard
from disaster_fund import roles
from disaster_fund.applications.models import Application
from disaster_fund.disasters import service as disasters
from disaster_fund.disasters.models import Disaster
from disaster_fund.workflow import ApplicationState
from dkbuza_kit.auth import Principal
from dkbuza_kit.auth import require_roles
from dkbuza_kit.clock import ClockDep
from dkbuza_kit.db import DbSession
from dkbuza_kit.db import where_given
from dkbuza_kit.exports import FILE_RESPONSES
from dkbuza_kit.exports import FormatPath
from dkbuza_kit.exports import export_response
from dkbuza_kit.shedding import ExportSlot

router = APIRouter(prefix="/v1/exports", tags=["exports"])
Staff = Annotated[Principal, Depends(require_roles(*roles.STAFF))]
DashboardReader = Annotated[Principal, Depends(require_roles(*roles.STAFF, roles.KPI_READER))]

APPLICATION_COLUMNS = (
    ("dossier_number", Application.dossier_number), ("application_id", Application.id),
    ("disaster_reference", Disaster.reference), ("disaster_title", Disaster.title),
    ("state", Application.state),
    ("category", Application.category), ("municipality_nis", Application.municipality_nis),
    ("channel", Application.channel), ("received_on", Application.received_on),
    ("is_late", Application.is_late), ("claimed_total", Application.claimed_total),
    ("decided_amount", Application.decided_amount), ("paid_amount", Application.paid_amount),
    ("recovered_amount", Application.recovered_amount),
    ("completed_on", Application.completed_on), ("completion_kind", Application.completion_kind),
    ("completed_on_time", Application.completed_on_time),
    ("lead_gross_days", Application.lead_gross_days), ("lead_net_days", Application.lead_net_days),
)


async def _rows(request: Request, stmt) -> AsyncIterator[tuple]:
    async with request.app.state.sessionmaker() as session:
        result = await session.stream(stmt.execution_options(yield_per=1000))
        async for row in result:
            yield tuple(row)


@router.get("/applications.{fmt}", response_class=StreamingResponse, responses=FILE_RESPONSES)
async def export_applications(
    fmt: FormatPath, request: Request, _: Staff, _slot: ExportSlot,
    disaster_id: Annotated[uuid.UUID | None, Query()] = None,
    state: Annotated[ApplicationState | None, Query()] = None,
) -> StreamingResponse:
    """Dossier list as CSV or XLSX (filters as in the list endpoint)."""
    stmt = (select(*(column for _, column in APPLICATION_COLUMNS))
            .join(Disaster, Disaster.id == Application.disaster_id)
            .order_by(Application.received_at, Application.id))
    stmt = where_given(stmt, (Application.disaster_id, disaster_id))
    if state is not None:
        stmt = stmt.where(Application.state == state.value)
    header = [name for name, _ in APPLICATION_COLUMNS]
    return await export_response(fmt, "applications", "applications", header,
                                 _rows(request, stmt))


@router.get("/disasters/{disaster_id}/dashboard.{fmt}", response_class=StreamingResponse,
            responses=FILE_RESPONSES)
async def export_dashboard(disaster_id: uuid.UUID, fmt: FormatPath, session: DbSession,
                           clock: ClockDep,
                           _: DashboardReader, _slot: ExportSlot) -> StreamingResponse:
    """The per-disaster dashboard as key/value rows, for the cabinet."""
    disaster = await disasters.get(session, disaster_id)
    figures = (await dashboard.compute(session, disaster, clock)).model_dump()
    rows = [[key, value] for key, value in figures.items()]
    return await export_response(fmt, f"dashboard-{disaster.reference}", "dashboard",
                                 ["indicator", "value"], rows)
