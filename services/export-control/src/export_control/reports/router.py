"""HTTP routes of the reports: `?format=json|csv|xlsx`."""

from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from dkbuza_kit.auth import Principal, require_roles
from dkbuza_kit.db import DbSession
from dkbuza_kit.exports import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE, Table, to_csv, to_xlsx
from dkbuza_kit.shedding import ExportSlot
from export_control.access import INTERNAL, KPI_READER
from export_control.reports import service
from export_control.reports.periods import parse_period

router = APIRouter(prefix="/v1/reports", tags=["reports"])

Reader = Annotated[Principal, Depends(require_roles(*INTERNAL, KPI_READER))]
FILE_RESPONSES: dict[int | str, dict[str, Any]] = {200: {"content": {
    "text/csv": {"schema": {"type": "string"}},
    XLSX_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}}}}


class Format(StrEnum):
    """Report format. Values (Dutch label): json (JSON), csv (CSV-bestand), xlsx (Excel-bestand)."""

    json = "json"
    csv = "csv"
    xlsx = "xlsx"


async def _render(name: str, report: dict[str, Any], tables: list[Table],
                  fmt: Format) -> Response:
    """The report as JSON, or a file rendered in a worker thread (CPU-bound: the event loop
    keeps answering other requests and probes meanwhile)."""
    if fmt is Format.json:  # amounts as strings, never floats
        return JSONResponse(jsonable_encoder(report, custom_encoder={
            Decimal: lambda number: format(number, "f")}))
    disposition = {"Content-Disposition": f'attachment; filename="{name}.{fmt.value}"'}
    if fmt is Format.csv:  # the main table; the XLSX has every table as a sheet
        _, header, rows = tables[0]
        return Response(await run_in_threadpool(to_csv, header, rows),
                        media_type=CSV_MEDIA_TYPE, headers=disposition)
    return Response(await run_in_threadpool(to_xlsx, tables), media_type=XLSX_MEDIA_TYPE,
                    headers=disposition)


def _table(name: str, items: list[dict[str, Any]], columns: list[str]) -> Table:
    return name, columns, [[item[c] for c in columns] for item in items]


@router.get("/turnaround", responses=FILE_RESPONSES)
async def turnaround_report(session: DbSession, _: Reader, _slot: ExportSlot,
                            quarter: Annotated[str, Query(max_length=10, examples=["2026-Q1"])],
                            format: Format = Format.json) -> Response:
    """Quarterly turnaround report for the cabinet, per track."""
    period = parse_period(quarter, allowed=("quarter", "year"))
    report = await service.turnaround_report(session, period)
    columns = ["track", "decided", "median_working_days", "p90_working_days", "within_max_pct",
               "indicative_max_working_days", "decided_in_delegation", "decided_by_minister"]
    return await _render(f"turnaround-{period.label}", report,
                         [_table("turnaround", report["tracks"], columns)], format)


DECISION_COLUMNS = ["destination_country", "category", "granted", "granted_value", "refused",
                    "refused_value"]


def _decision_tables(report: dict[str, Any]) -> list[Table]:
    return [_table("decisions", report["rows"], DECISION_COLUMNS),
            _table("refusal_criteria", report["refusal_criteria"], ["criterion", "refusals"])]


@router.get("/parliament", responses=FILE_RESPONSES)
async def parliament_report(session: DbSession, _: Reader, _slot: ExportSlot,
                            period: Annotated[str, Query(max_length=10,
                                                         examples=["2026-05", "2026-H1"])],
                            format: Format = Format.json) -> Response:
    """Monthly or half-yearly figures for the Flemish Parliament."""
    parsed = parse_period(period, allowed=("month", "half"))
    report = await service.decisions_report(session, parsed)
    return await _render(f"parliament-{parsed.label}", report, _decision_tables(report), format)


@router.get("/annual", responses=FILE_RESPONSES)
async def annual_report(session: DbSession, _: Reader, _slot: ExportSlot,
                        year: Annotated[str, Query(pattern=r"^\d{4}$")],
                        format: Format = Format.json) -> Response:
    """Annual figures for the ATT and COARM reports (military goods)."""
    period = parse_period(year, allowed=("year",))
    report = await service.annual_report(session, period)
    tables = _decision_tables(report) + [
        _table("actual_exports", report["actual_exports"],
               ["destination_country", "category", "quantity", "value"])]
    return await _render(f"annual-{period.label}", report, tables, format)
