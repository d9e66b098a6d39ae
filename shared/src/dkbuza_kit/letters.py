"""Letters as PDF (fpdf2, pure Python): decision letters, licences, refusals.

A letter is data (`Letter`); `render_pdf` lays it out on A4 with the department's header. The
built-in Helvetica covers Latin-1, which holds Dutch; other characters are replaced rather
than failing the letter (the euro sign is written as EUR).
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fpdf import FPDF

SENDER = "Vlaamse overheid - Departement Kanselarij en Buitenlandse Zaken"
_REPLACEMENTS = {"\u20ac": "EUR", "\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"',
                 "\u2013": "-", "\u2014": "-", "\u2026": "..."}


@dataclass(frozen=True)
class Letter:
    title: str
    reference: str
    dated: date
    addressee: list[str]
    paragraphs: list[str] = field(default_factory=list)
    facts: list[tuple[str, str]] = field(default_factory=list)  # label, value table
    closing: list[str] = field(default_factory=list)


def _latin1(text: str) -> str:
    for char, replacement in _REPLACEMENTS.items():
        text = text.replace(char, replacement)
    return text.encode("latin-1", "replace").decode("latin-1")


def render_pdf(letter: Letter) -> bytes:
    # Imported on the first letter: fpdf2 with fontTools and Pillow is a fifth of an app's
    # start-up imports (tests/platform/test_start_up.py).
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_title(_latin1(f"{letter.title} {letter.reference}"))
    pdf.set_creator("DKBUZA backend")
    pdf.add_page()
    pdf.set_font("helvetica", size=9)
    pdf.multi_cell(0, 5, _latin1(SENDER), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("helvetica", size=11)
    for line in letter.addressee:
        pdf.multi_cell(0, 6, _latin1(line), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.multi_cell(0, 6, _latin1(f"Kenmerk: {letter.reference}    Datum: "
                                 f"{letter.dated.strftime('%d-%m-%Y')}"),
                   new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("helvetica", style="B", size=13)
    pdf.multi_cell(0, 7, _latin1(letter.title), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("helvetica", size=11)
    for paragraph in letter.paragraphs:
        pdf.multi_cell(0, 6, _latin1(paragraph), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    if letter.facts:
        _facts_table(pdf, letter.facts)
    for line in letter.closing:
        pdf.multi_cell(0, 6, _latin1(line), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _facts_table(pdf: FPDF, facts: list[tuple[str, str]]) -> None:
    with pdf.table(col_widths=(60, 120), text_align="LEFT", first_row_as_headings=False) as table:
        for label, value in facts:
            row = table.row()
            row.cell(_latin1(label))
            row.cell(_latin1(value))
    pdf.ln(4)
