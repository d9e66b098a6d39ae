"""CSV and XLSX exports: same content, formulas neutralised, readable by openpyxl."""

import csv
import io
from datetime import date
from decimal import Decimal

import openpyxl

from dkbuza_kit.exports import to_csv, to_xlsx

HEADER = ["code", "amount", "note", "day"]
ROWS = [["A-1", Decimal("1234.50"), "=HYPERLINK(\"http://evil\")", date(2025, 3, 31)],
        ["A-2", 7, None, None]]


def test_csv_round_trip_with_formulas_neutralised():
    parsed = list(csv.reader(io.StringIO(to_csv(HEADER, ROWS))))
    assert parsed == [HEADER, ["A-1", "1234.50", "'=HYPERLINK(\"http://evil\")", "2025-03-31"],
                      ["A-2", "7", "", ""]]


def test_xlsx_opens_with_a_reader_and_holds_every_row():
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx([("Dossiers: 2025/Q1", HEADER, ROWS),
                                                      ("Empty", HEADER, [])])))
    assert book.sheetnames == ["Dossiers_ 2025_Q1", "Empty"]
    rows = list(book["Dossiers_ 2025_Q1"].iter_rows(values_only=True))
    assert rows[0] == tuple(HEADER)
    assert rows[1] == ("A-1", 1234.5, "'=HYPERLINK(\"http://evil\")", "2025-03-31")
    assert rows[2] == ("A-2", 7, "", "")
    assert len(rows) == 3
    assert list(book["Empty"].iter_rows(values_only=True)) == [tuple(HEADER)]
