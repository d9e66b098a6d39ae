"""CSV and XLSX exports of dossier lists and the per-disaster dashboard.

Lists are streamed from a server-side cursor in their own session (the response outlives the
request's unit of work), so memory does not grow with the number of dossiers. Each export
takes one of the kit's export slots (`ExportSlot`) until its body is sent: a burst of exports
gets 503 `EXPORTS_BUSY` instead of exhausting the pool.
"""

import uuid
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import StreamingResponse
from sqlalchemy import select

from disaster_fund import dashboard, roles
from disaster_fund.applications.models import Application
from disaster_fund.disasters import service as disasters
from disaster_fund.disasters.models import Disaster
from disaster_fund.workflow import ApplicationState
from dkbuza_kit.auth import Principal, require_roles
from dkbuza_kit.clock import Clock, get_clock
from dkbuza_kit.db import DbSession
from dkbuza_kit.exports import (
    XLSX_MEDIA_TYPE,
    XlsxBook,
    csv_line,
    csv_lines_off_loop,
    file_chunks,
    finish_file_off_loop,
    write_rows_off_loop,
)
from dkbuza_kit.shedding import ExportSlot

router = APIRouter(prefix="/v1/exports", tags=["exports"])
Staff = Annotated[Principal, Depends(require_roles(*roles.STAFF))]
DashboardReader = Annotated[Principal, Depends(require_roles(*roles.STAFF, roles.KPI_READER))]
Format = Annotated[str, Path(pattern="^(csv|xlsx)$")]
FILE_RESPONSES = {200: {"description": "CSV (text/csv) or XLSX", "content": {
    "text/csv": {"schema": {"type": "string"}},
    XLSX_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}}}}

APPLICATION_COLUMNS = (
    ("dossier_number", Application.dossier_number), ("application_id", Application.id),
    ("disaster_reference", Disaster.reference), ("state", Application.state),
    ("category", Application.category), ("municipality_nis", Application.municipality_nis),
    ("channel", Application.channel), ("received_on", Application.received_on),
    ("is_late", Application.is_late), ("claimed_total", Application.claimed_total),
    ("decided_amount", Application.decided_amount), ("paid_amount", Application.paid_amount),
    ("recovered_amount", Application.recovered_amount),
    ("completed_on", Application.completed_on), ("completion_kind", Application.completion_kind),
    ("completed_on_time", Application.completed_on_time),
    ("lead_gross_days", Application.lead_gross_days), ("lead_net_days", Application.lead_net_days),
)


async def _batches(request: Request, stmt) -> AsyncIterator[list[tuple]]:
    async with request.app.state.sessionmaker() as session:
        result = await session.stream(stmt.execution_options(yield_per=1000))
        async for partition in result.partitions():
            yield [tuple(row) for row in partition]


@router.get("/applications.{fmt}", response_class=StreamingResponse, responses=FILE_RESPONSES)
async def export_applications(
    fmt: Format, request: Request, _: Staff, _slot: ExportSlot,
    disaster_id: Annotated[uuid.UUID | None, Query()] = None,
    state: Annotated[ApplicationState | None, Query()] = None,
) -> StreamingResponse:
    """Dossier list as CSV or XLSX (filters as in the list endpoint)."""
    stmt = (select(*(column for _, column in APPLICATION_COLUMNS))
            .join(Disaster, Disaster.id == Application.disaster_id)
            .order_by(Application.received_at, Application.id))
    if disaster_id is not None:
        stmt = stmt.where(Application.disaster_id == disaster_id)
    if state is not None:
        stmt = stmt.where(Application.state == state.value)
    header = [name for name, _ in APPLICATION_COLUMNS]
    filename = f"applications.{fmt}"
    if fmt == "csv":
        async def lines() -> AsyncIterator[str]:
            yield csv_line(header)
            async for batch in _batches(request, stmt):
                yield await csv_lines_off_loop(batch)

        return StreamingResponse(lines(), media_type="text/csv; charset=utf-8",
                                 headers={"Content-Disposition": f'attachment; filename="{filename}"'})
    book = XlsxBook()
    sheet = book.sheet("applications", header)
    async for batch in _batches(request, stmt):
        await write_rows_off_loop(sheet, batch)
    return await _file_response(book, filename)


async def _file_response(book: XlsxBook, filename: str) -> StreamingResponse:
    return StreamingResponse(file_chunks(await finish_file_off_loop(book)),
                             media_type=XLSX_MEDIA_TYPE,
                             headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@router.get("/disasters/{disaster_id}/dashboard.{fmt}", response_class=StreamingResponse,
            responses=FILE_RESPONSES)
async def export_dashboard(disaster_id: uuid.UUID, fmt: Format, session: DbSession,
                           clock: Annotated[Clock, Depends(get_clock)],
                           _: DashboardReader, _slot: ExportSlot) -> StreamingResponse:
    """The per-disaster dashboard as key/value rows, for the cabinet."""
    disaster = await disasters.get(session, disaster_id)
    figures = (await dashboard.compute(session, disaster, clock)).model_dump(mode="json")
    header, rows = ["indicator", "value"], [[key, value] for key, value in figures.items()]
    filename = f"dashboard-{disaster.reference}.{fmt}"
    if fmt == "csv":
        return StreamingResponse(iter([csv_line(r) for r in [header, *rows]]),
                                 media_type="text/csv; charset=utf-8",
                                 headers={"Content-Disposition": f'attachment; filename="{filename}"'})
    book = XlsxBook()
    sheet = book.sheet("dashboard", header)
    for row in rows:
        sheet.write(row)
    return await _file_response(book, filename)
