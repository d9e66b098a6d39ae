"""CSV and XLSX exports: same content, typed XLSX cells, CSV with a BOM, formulas neutralised."""

import csv
import io
import threading
from datetime import UTC
from datetime import date
from datetime import datetime
from decimal import Decimal

import openpyxl

from dkbuza_kit.exports import BOM
from dkbuza_kit.exports import ExportFormat
from dkbuza_kit.exports import export_response
from dkbuza_kit.exports import to_csv
from dkbuza_kit.exports import to_xlsx

HEADER = ["code", "amount", "note", "day", "late", "received_at"]
ROWS = [["A-1", Decimal("1234.50"), "=HYPERLINK(\"http://evil\")", date(2025, 3, 31), True,
         datetime(2025, 7, 1, 8, 30, tzinfo=UTC)],
        ["A-2", 7, None, None, False, None]]


def test_csv_starts_with_a_bom_and_round_trips_with_formulas_neutralised():
    text = to_csv(HEADER, ROWS)
    assert text.encode("utf-8").startswith(b"\xef\xbb\xbf")
    parsed = list(csv.reader(io.StringIO(text.removeprefix(BOM))))
    assert parsed == [HEADER, ["A-1", "1234.50", "'=HYPERLINK(\"http://evil\")", "2025-03-31",
                               "True", "2025-07-01T08:30:00+00:00"],
                      ["A-2", "7", "", "", "False", ""]]


def test_xlsx_cells_are_typed_dates_booleans_numbers_and_empty():
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx([("Dossiers: 2025/Q1", HEADER, ROWS),
                                                      ("Empty", HEADER, [])])))
    assert book.sheetnames == ["Dossiers_ 2025_Q1", "Empty"]
    sheet = book["Dossiers_ 2025_Q1"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == tuple(HEADER)
    # Dates as Excel dates; an aware datetime in Brussels local time (08:30 UTC is 10:30 CEST).
    assert rows[1] == ("A-1", 1234.5, "'=HYPERLINK(\"http://evil\")", datetime(2025, 3, 31),
                       True, datetime(2025, 7, 1, 10, 30))
    assert rows[2] == ("A-2", 7, None, None, False, None)
    assert len(rows) == 3
    assert sheet["D2"].is_date and sheet["D2"].number_format == "yyyy-mm-dd"
    assert sheet["F2"].is_date and sheet["F2"].number_format == "yyyy-mm-dd hh:mm:ss"
    assert sheet["E2"].data_type == "b"
    assert list(book["Empty"].iter_rows(values_only=True)) == [tuple(HEADER)]


async def _body(response) -> bytes:
    return b"".join([chunk if isinstance(chunk, bytes) else chunk.encode()
                     async for chunk in response.body_iterator])


async def test_export_response_streams_either_format():
    csv_answer = await export_response(ExportFormat.csv, "dossiers", "dossiers", HEADER, ROWS)
    assert csv_answer.headers["content-disposition"] == 'attachment; filename="dossiers.csv"'
    assert (await _body(csv_answer)).startswith(b"\xef\xbb\xbfcode,amount")

    async def rows():
        for row in ROWS:
            yield row

    xlsx_answer = await export_response(ExportFormat.xlsx, "dossiers", "dossiers", HEADER, rows())
    book = openpyxl.load_workbook(io.BytesIO(await _body(xlsx_answer)))
    assert book["dossiers"]["D2"].value == datetime(2025, 3, 31)


async def test_export_rendering_runs_off_the_event_loop(monkeypatch):
    """Every cell of a streamed export and of a report file is rendered in a worker thread:
    on the loop it would stall `/livez`, `/readyz` and every other request meanwhile."""
    from dkbuza_kit import exports
    from dkbuza_kit.exports import Table
    from dkbuza_kit.exports import tables_response

    loop_thread = threading.get_ident()
    rendered_on: set[int] = set()
    original = exports.cell_text

    def recording_cell_text(value):
        rendered_on.add(threading.get_ident())
        return original(value)

    monkeypatch.setattr(exports, "cell_text", recording_cell_text)

    async def rows():
        for row in ROWS * 600:  # more than one batch
            yield row

    for fmt in ExportFormat:
        answer = await export_response(fmt, "dossiers", "dossiers", HEADER, rows())
        assert len(await _body(answer)) > 1000
        tables: list[Table] = [("dossiers", HEADER, ROWS)]
        report = await tables_response(fmt, "report", tables)
        assert report.headers["content-disposition"] == f'attachment; filename="report.{fmt}"'
    assert rendered_on and loop_thread not in rendered_on
