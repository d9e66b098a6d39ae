"""CSV and XLSX renderings of tables (exports for the cabinet, Parliament, reporting).

XLSX is written by XlsxWriter in constant-memory mode into a spooled temporary file (rows are
flushed as they are written), so a large export does not hold the sheet in memory; the file is
then streamed out in chunks. Text cells that a spreadsheet would run as
a formula (=, +, -, @) are neutralised in both formats (CSV/formula injection).

Cells are typed in XLSX: numbers as numbers, dates and datetimes as Excel dates with a number
format (datetimes in Europe/Brussels local time, as a reader here expects; Excel has no time
zones), booleans as booleans, None as an empty cell. CSV is UTF-8 with a byte order mark, so
Excel opens `COÖRDINATIE` correctly; dates in CSV are ISO 8601.

One URL convention for exports in every service: the JSON representation lives at the
resource's path, its files at the same path with the format as extension
(`/v1/exports/applications.csv`, `.xlsx`; `/v1/calendar.ics`); see `export_response`.

Rendering is CPU-bound (about 0.3 s per 1,000 XLSX rows on a loaded 2-core machine), so it
never runs on the event loop: `export_response` (streamed rows) and `tables_response`
(reports in memory) render in worker threads, batch by batch, so that the loop keeps
answering probes and other requests meanwhile (`write_rows_off_loop`, `csv_lines_off_loop`
and `finish_file_off_loop` for a route that builds its own book).
"""

import asyncio
import csv
import io
import json
import re
import tempfile
from collections.abc import AsyncIterable
from collections.abc import AsyncIterator
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Sequence
from datetime import date
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import IO
from typing import Annotated
from typing import Any
from zoneinfo import ZoneInfo

import xlsxwriter
from fastapi import Path
from fastapi.responses import Response
from fastapi.responses import StreamingResponse

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
BOM = "\ufeff"
SPOOL_BYTES = 8 * 1024 * 1024  # above this an export in progress moves to disk
BRUSSELS = ZoneInfo("Europe/Brussels")
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"


class ExportFormat(StrEnum):
    """File format of an export. Values (Dutch label): csv (CSV-bestand), xlsx (Excel-bestand)."""

    csv = "csv"
    xlsx = "xlsx"


# The `{fmt}` of an export path such as `/v1/exports/applications.{fmt}`.
FormatPath = Annotated[ExportFormat, Path(description="csv or xlsx")]
FILE_RESPONSES: dict[int | str, dict[str, Any]] = {200: {
    "description": "The export as CSV (UTF-8 with BOM) or XLSX",
    "content": {"text/csv": {"schema": {"type": "string"}},
                XLSX_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}}}}

# (sheet name, header, rows)
Table = tuple[str, Sequence[str], Iterable[Sequence[Any]]]


def _safe_text(value: str) -> str:
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, str):
        return _safe_text(value)
    if isinstance(value, dict | list):  # a nested figure (e.g. per phase) as JSON text
        return _safe_text(json.dumps(value, default=str, ensure_ascii=False))
    return str(value)


def csv_line(values: Sequence[Any]) -> str:
    """One CSV record (for streamed responses)."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow([cell_text(cell) for cell in values])
    return out.getvalue()


def csv_lines(rows: Iterable[Sequence[Any]]) -> str:
    """Several CSV records at once (one batch of a streamed response)."""
    return "".join(csv_line(row) for row in rows)


async def csv_lines_off_loop(rows: Sequence[Sequence[Any]]) -> str:
    return await asyncio.to_thread(csv_lines, rows)


def to_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([cell_text(cell) for cell in row])
    return out.getvalue()


class XlsxBook:
    """Write sheets row by row; `finish()` gives the bytes, `finish_file()` a readable file."""

    def __init__(self) -> None:
        self._file: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
        self._book = xlsxwriter.Workbook(self._file, {"constant_memory": True,
                                                        "strings_to_formulas": False,
                                                        "strings_to_urls": False})
        self._names: set[str] = set()
        self._formats = {"date": self._book.add_format({"num_format": DATE_FORMAT}),
                         "datetime": self._book.add_format({"num_format": DATETIME_FORMAT})}

    def sheet(self, name: str, header: Sequence[str]) -> "XlsxSheet":
        clean = re.sub(r"[\[\]:*?/\\]", "_", name)[:31] or f"Sheet{len(self._names) + 1}"
        self._names.add(clean)
        worksheet = self._book.add_worksheet(clean)
        worksheet.write_row(0, 0, list(header))
        return XlsxSheet(worksheet, self._formats)

    def finish_file(self) -> IO[bytes]:
        self._book.close()
        self._file.seek(0)
        return self._file

    def finish(self) -> bytes:
        with self.finish_file() as file:
            return file.read()


class XlsxSheet:
    def __init__(self, worksheet, formats: dict[str, Any]) -> None:
        self._worksheet = worksheet
        self._formats = formats
        self._row = 0

    def write(self, row: Sequence[Any]) -> None:
        self._row += 1
        for column, value in enumerate(row):
            self._cell(column, value)

    def _cell(self, column: int, value: Any) -> None:
        sheet, row = self._worksheet, self._row
        if value is None:
            return  # an empty cell, not an empty string
        if isinstance(value, bool):
            sheet.write_boolean(row, column, value)
        elif isinstance(value, int | float | Decimal):
            sheet.write_number(row, column, float(value))
        elif isinstance(value, datetime):
            local = value.astimezone(BRUSSELS) if value.tzinfo else value
            sheet.write_datetime(row, column, local.replace(tzinfo=None),
                                 self._formats["datetime"])
        elif isinstance(value, date):
            sheet.write_datetime(row, column, datetime(value.year, value.month, value.day),
                                 self._formats["date"])
        else:
            sheet.write_string(row, column, cell_text(value))


    def write_rows(self, rows: Iterable[Sequence[Any]]) -> None:
        for row in rows:
            self.write(row)


async def write_rows_off_loop(sheet: XlsxSheet, rows: Sequence[Sequence[Any]]) -> None:
    """Write a batch of rows in a worker thread (one batch at a time per book)."""
    await asyncio.to_thread(sheet.write_rows, rows)


async def finish_file_off_loop(book: XlsxBook) -> IO[bytes]:
    """`book.finish_file()` in a worker thread (zipping the sheets is CPU-bound too)."""
    return await asyncio.to_thread(book.finish_file)


def file_chunks(file: IO[bytes], size: int = 64 * 1024) -> Iterator[bytes]:
    """Read a finished export in chunks (for a StreamingResponse), closing it at the end."""
    with file:
        while chunk := file.read(size):
            yield chunk


def to_xlsx(tables: Sequence[Table]) -> bytes:
    book = XlsxBook()
    for name, header, rows in tables:
        sheet = book.sheet(name, header)
        for row in rows:
            sheet.write(row)
    return book.finish()


EXPORT_BATCH_ROWS = 500  # rows handed to the worker thread at a time


async def _batches(rows: Iterable[Sequence[Any]] | AsyncIterable[Sequence[Any]],
                   size: int = EXPORT_BATCH_ROWS) -> AsyncIterator[list[Sequence[Any]]]:
    """The rows in lists of `size` (an async source is read on the loop, as it must be)."""
    if not isinstance(rows, AsyncIterable):
        rows = list(rows)
        for start in range(0, len(rows), size):
            yield rows[start:start + size]
        return
    batch: list[Sequence[Any]] = []
    async for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _write_csv_batch(file: IO[bytes], rows: Sequence[Sequence[Any]]) -> None:
    file.write(csv_lines(rows).encode())


async def export_response(fmt: ExportFormat, filename_stem: str, sheet: str,
                          header: Sequence[str],
                          rows: Iterable[Sequence[Any]] | AsyncIterable[Sequence[Any]],
                          ) -> StreamingResponse:
    """One table as a CSV or XLSX download named `<filename_stem>.<fmt>`.

    The rows are consumed here, inside the request (so they may come from the request's
    session), into a spooled file that is streamed out: memory stays flat either way. Every
    batch is rendered in a worker thread, never on the event loop (which keeps answering
    `/livez`, `/readyz` and the other requests meanwhile).
    """
    disposition = {"Content-Disposition": f'attachment; filename="{filename_stem}.{fmt.value}"'}
    if fmt is ExportFormat.csv:
        file: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
        file.write(BOM.encode())
        await asyncio.to_thread(_write_csv_batch, file, [header])
        async for batch in _batches(rows):
            await asyncio.to_thread(_write_csv_batch, file, batch)
        file.seek(0)
        return StreamingResponse(file_chunks(file), media_type=CSV_MEDIA_TYPE,
                                 headers=disposition)
    book = XlsxBook()
    target = book.sheet(sheet, header)
    async for batch in _batches(rows):
        await write_rows_off_loop(target, batch)
    return StreamingResponse(file_chunks(await finish_file_off_loop(book)),
                             media_type=XLSX_MEDIA_TYPE, headers=disposition)


def _tables_file(fmt: ExportFormat, tables: Sequence[Table]) -> bytes:
    if fmt is ExportFormat.csv:
        _, header, rows = tables[0]
        return to_csv(header, rows).encode()
    return to_xlsx(tables)


async def tables_response(fmt: ExportFormat, filename_stem: str,
                          tables: Sequence[Table]) -> Response:
    """Several tables already in memory (a report) as a download: the CSV holds the first
    table, the XLSX each as a sheet; rendered in a worker thread, off the event loop."""
    body = await asyncio.to_thread(_tables_file, fmt, tables)
    media_type = CSV_MEDIA_TYPE if fmt is ExportFormat.csv else XLSX_MEDIA_TYPE
    return Response(body, media_type=media_type, headers={
        "Content-Disposition": f'attachment; filename="{filename_stem}.{fmt.value}"'})
