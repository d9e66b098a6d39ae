"""HTTP routes of the reports: JSON at `/v1/reports/<name>`, files at `/v1/reports/<name>.csv`
and `.xlsx` (the kit's export convention). The CSV holds the main table; the XLSX every table
as a sheet."""

from collections.abc import Awaitable
from collections.abc import Callable
from decimal import Decimal
from typing import Annotated
from typing import Any

from fastapi import APIRouter
from fastapi import Depends
from fastapi import Query
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from fastapi.responses import Response

from dkbuza_kit.auth import Principal
from dkbuza_kit.auth import require_roles
from dkbuza_kit.db import DbSession
from dkbuza_kit.exports import FILE_RESPONSES
from dkbuza_kit.exports import ExportFormat
from dkbuza_kit.exports import FormatPath
from dkbuza_kit.exports import Table
from dkbuza_kit.exports import tables_response
from dkbuza_kit.shedding import ExportSlot
from export_control.reports import service
from export_control.reports.periods import parse_period
from export_control.roles import INTERNAL
from export_control.roles import KPI_READER

router = APIRouter(prefix="/v1/reports", tags=["reports"])

Reader = Annotated[Principal, Depends(require_roles(*INTERNAL, KPI_READER))]
Quarter = Annotated[str, Query(max_length=10, examples=["2026-Q1"])]
Period = Annotated[str, Query(max_length=10, examples=["2026-05", "2026-H1"])]
Year = Annotated[str, Query(pattern=r"^\d{4}$")]
Built = tuple[str, dict[str, Any], list[Table]]  # file name stem, report, tables


def _json(report: dict[str, Any]) -> JSONResponse:
    # Amounts as strings, never floats.
    return JSONResponse(jsonable_encoder(report, custom_encoder={
        Decimal: lambda number: format(number, "f")}))


async def _file(built: Built, fmt: ExportFormat) -> Response:
    name, _, tables = built
    return await tables_response(fmt, name, tables)


def _table(name: str, items: list[dict[str, Any]], columns: list[str]) -> Table:
    return name, columns, [[item[c] for c in columns] for item in items]


def _publish(name: str, path: str, build: Callable[..., Awaitable[Built]], *, about: str,
             about_file: str) -> None:
    """Declare a report's two routes: JSON at `path`, CSV/XLSX at `path.{fmt}`. `build` is a
    dependency (its query parameter is the report's period), solved after the role check and,
    for the file, after the export slot is taken."""
    report = Annotated[Built, Depends(build)]

    async def as_json(_: Reader, built: report) -> Response:
        return _json(built[1])

    async def as_file(fmt: FormatPath, _: Reader, _slot: ExportSlot, built: report) -> Response:
        return await _file(built, fmt)

    router.add_api_route(path, as_json, methods=["GET"], name=f"{name}_report",
                         description=about)
    router.add_api_route(f"{path}.{{fmt}}", as_file, methods=["GET"], name=f"{name}_report_file",
                         description=about_file, responses=FILE_RESPONSES, response_class=Response)


async def _turnaround(session: DbSession, quarter: Quarter) -> Built:
    period = parse_period(quarter, allowed=("quarter", "year"))
    report = await service.turnaround_report(session, period)
    columns = ["track", "decided", "median_working_days", "p90_working_days", "within_max_pct",
               "indicative_max_working_days", "decided_in_delegation", "decided_by_minister"]
    return (f"turnaround-{period.label}", report,
            [_table("turnaround", report["tracks"], columns)])


DECISION_COLUMNS = ["destination_country", "category", "granted", "granted_value", "refused",
                    "refused_value"]


def _decision_tables(report: dict[str, Any]) -> list[Table]:
    return [_table("decisions", report["rows"], DECISION_COLUMNS),
            _table("refusal_criteria", report["refusal_criteria"], ["criterion", "refusals"]),
            _table("procedures", report["procedures"], ["kind", "outcome", "count"])]


async def _parliament(session: DbSession, period: Period) -> Built:
    parsed = parse_period(period, allowed=("month", "half"))
    report = await service.decisions_report(session, parsed)
    return f"parliament-{parsed.label}", report, _decision_tables(report)


async def _annual(session: DbSession, year: Year) -> Built:
    period = parse_period(year, allowed=("year",))
    report = await service.annual_report(session, period)
    tables = _decision_tables(report) + [
        _table("actual_exports", report["actual_exports"],
               ["destination_country", "category", "quantity", "value"])]
    return f"annual-{period.label}", report, tables


async def _dual_use_annual(session: DbSession, year: Year) -> Built:
    period = parse_period(year, allowed=("year",))
    report = await service.dual_use_annual_report(session, period)
    tables = _decision_tables(report) + [
        _table("by_authorisation_type", report["by_authorisation_type"],
               ["authorisation_type", "category", "granted", "granted_value", "refused",
                "refused_value"])]
    return f"dual-use-annual-{period.label}", report, tables


_publish("turnaround", "/turnaround", _turnaround,
         about="Quarterly turnaround report for the cabinet, per track.",
         about_file="The turnaround report as CSV or XLSX.")
_publish("parliament", "/parliament", _parliament,
         about="Monthly or half-yearly figures for the Flemish Parliament.",
         about_file="The Parliament figures as CSV or XLSX.")
_publish("annual", "/annual", _annual,
         about="Annual figures for the ATT and COARM reports (military goods).",
         about_file="The annual figures as CSV or XLSX.")
_publish("dual_use_annual", "/dual-use-annual", _dual_use_annual,
         about="Annual dual-use data for the EU report (Regulation (EU) 2021/821, Article 26): "
               "decisions\nper destination and Annex I category, and per authorisation type.",
         about_file="The annual dual-use data as CSV or XLSX.")
