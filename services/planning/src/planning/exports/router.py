"""Exports of the status overview (XLSX / CSV) with the same filters as `GET /v1/initiatives`.

Rows are streamed from the database in chunks (server-side cursor) so memory stays flat.
"""

import csv
import io
from typing import Annotated, Literal

import xlsxwriter
from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from dkbuza_kit.clock import Clock, get_clock, today_brussels
from dkbuza_kit.db import DbSession
from dkbuza_kit.problems import ProblemError
from dkbuza_kit.shedding import ExportSlot
from planning.plans.filters import InitiativeFilterParams, initiatives_query
from planning.plans.models import Initiative
from planning.roles import Reader

router = APIRouter(tags=["exports"])
HEADER = ["code", "title", "kind", "operational_goal", "strategic_goal", "policy_field",
          "owner_team", "status", "explanation", "corrective_action", "reported_at"]


def _row(mapping) -> list:
    initiative: Initiative = mapping[Initiative]
    reported = mapping["reported_at"]
    return [initiative.code, initiative.title, initiative.kind, mapping["od_code"],
            mapping["sd_code"], mapping["pf_number"], initiative.owner_team or "",
            mapping["status"], mapping["explanation"] or "", mapping["corrective_action"] or "",
            reported.isoformat() if reported else ""]


@router.get("/v1/exports/status-overview", response_class=Response,
            responses={200: {"content": {"text/csv": {}, "application/vnd.openxmlformats-"
                                         "officedocument.spreadsheetml.sheet": {}}}})
async def export_status_overview(
    session: DbSession, _: Reader, _slot: ExportSlot, filters: InitiativeFilterParams,
    clock: Annotated[Clock, Depends(get_clock)],
    format: Annotated[Literal["xlsx", "csv"], Query()] = "xlsx",
) -> Response:
    """The status overview of a period (`period` is required), one row per initiative."""
    if filters.period is None:
        raise ProblemError(422, "PERIOD_REQUIRED", "the status overview needs a period")
    stmt = initiatives_query(filters, today_brussels(clock))
    result = await session.stream(stmt.execution_options(yield_per=500))
    name = f"status-overview-{filters.period}"
    if format == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(HEADER)
        async for row in result.mappings():
            writer.writerow(_row(row))
        return Response(buffer.getvalue(), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {"in_memory": True, "constant_memory": True})
    sheet = workbook.add_worksheet("Status")
    sheet.write_row(0, 0, HEADER)
    index = 0
    async for row in result.mappings():
        index += 1
        sheet.write_row(index, 0, _row(row))
    workbook.close()
    return Response(output.getvalue(),
                    media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'})
