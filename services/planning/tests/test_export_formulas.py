"""The status export neutralises formulas (issue 13): a reporter's text starting with =, +, -
or @ is text in the XLSX (no <f> element) and in the CSV, read back with openpyxl."""

import csv
import io
import zipfile

import openpyxl
import pytest
from small_plan import report

PAYLOADS = ['=HYPERLINK("http://evil.example","klik")', "+1+2", "-3+4", "@SUM(A1:A2)"]


@pytest.mark.parametrize("payload", PAYLOADS)
async def test_text_starting_like_a_formula_stays_text(client, harness, plan, payload):
    manager, t1 = plan["manager"], plan["periods"]["2030-T1"]
    created = await report(client, manager, plan["ini"]["1.1-01"], t1, "attention_needed",
                           explanation=payload)
    assert created.status_code == 201, created.text
    params = {"period": "2030-T1", "operational_goal": "OD 1.1"}

    xlsx = await client.get("/v1/exports/status-overview.xlsx", params=params,
                            headers=manager)
    assert xlsx.status_code == 200
    with zipfile.ZipFile(io.BytesIO(xlsx.content)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    cells = {row[0].value: row[8] for row in sheet.iter_rows(min_row=2)}
    cell = cells["1.1-01"]
    assert cell.data_type == "s" and cell.value == "'" + payload

    text = (await client.get("/v1/exports/status-overview.csv", params=params,
                             headers=manager)).text
    rows = {row[0]: row for row in csv.reader(io.StringIO(text))}
    assert rows["1.1-01"][8] == "'" + payload
