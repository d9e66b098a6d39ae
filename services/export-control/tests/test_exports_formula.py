"""The report exports go through the kit's writers: a text starting with = + - @ is written as
text in CSV and XLSX (read back with openpyxl), never as a formula."""

import csv
import io

import openpyxl
import pytest

from dkbuza_kit.exports import ExportFormat
from export_control.reports.router import _file

HOSTILE = ["=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-2+3", "@SUM(A1)"]


@pytest.mark.parametrize("text", HOSTILE)
async def test_csv_and_xlsx_neutralise_formulas(text):
    tables = [("decisions", ["destination_country", "category"], [[text, "ML1"]])]
    body = (await _file(("report", {}, tables), ExportFormat.csv)).body.decode("utf-8-sig")
    cell = next(csv.reader(io.StringIO(body.splitlines()[1])))[0]
    assert not cell.startswith(("=", "+", "-", "@")), cell
    workbook = openpyxl.load_workbook(io.BytesIO((await _file(("report", {}, tables),
                                                               ExportFormat.xlsx)).body))
    value = workbook["decisions"]["A2"]
    assert value.data_type == "s" and not str(value.value).startswith("="), value.value
