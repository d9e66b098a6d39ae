"""CSV and XLSX renderings of tables (exports for the cabinet, Parliament, reporting).

XLSX is written by XlsxWriter in constant-memory mode into a spooled temporary file (rows are
flushed as they are written), so a large export does not hold the sheet in memory; the file is
then streamed out in chunks. Text cells that a spreadsheet would run as
a formula (=, +, -, @) are neutralised in both formats (CSV/formula injection).

Rendering is CPU-bound (about 0.3 s per 1,000 XLSX rows on a loaded 2-core machine): async
routes write batches with `write_rows_off_loop` / `csv_lines_off_loop` and close the book
with `finish_file_off_loop`, in a worker thread, so that the event loop keeps answering
probes and other requests meanwhile.
"""

import asyncio
import csv
import io
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any

import xlsxwriter

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
SPOOL_BYTES = 8 * 1024 * 1024  # above this an export in progress moves to disk

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

    def sheet(self, name: str, header: Sequence[str]) -> "XlsxSheet":
        clean = re.sub(r"[\[\]:*?/\\]", "_", name)[:31] or f"Sheet{len(self._names) + 1}"
        self._names.add(clean)
        worksheet = self._book.add_worksheet(clean)
        worksheet.write_row(0, 0, list(header))
        return XlsxSheet(worksheet)

    def finish_file(self) -> IO[bytes]:
        self._book.close()
        self._file.seek(0)
        return self._file

    def finish(self) -> bytes:
        with self.finish_file() as file:
            return file.read()


class XlsxSheet:
    def __init__(self, worksheet) -> None:
        self._worksheet = worksheet
        self._row = 0

    def write(self, row: Sequence[Any]) -> None:
        self._row += 1
        for column, value in enumerate(row):
            if isinstance(value, bool) or value is None:
                self._worksheet.write_string(self._row, column, cell_text(value))
            elif isinstance(value, int | float | Decimal):
                self._worksheet.write_number(self._row, column, float(value))
            else:
                self._worksheet.write_string(self._row, column, cell_text(value))


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
