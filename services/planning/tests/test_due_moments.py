"""Due moments: every date form the 2025 plan prints, read from the plan's own lines.

Printed counts on the 2025 plan (also in the README): 653 expected results (bulleted items
are results of their own), 207 with a due, 40 continuous ("Continu proces"), 406 without a
date, 8 with several moments (milestones), 0 date-looking fragments not understood.
"""

from datetime import date

import pytest

from planning.plan_import.due_moments import DueMoment
from planning.plan_import.due_moments import read_due
from planning.plan_import.parser import parse_plan
from planning.plan_import.source import default_plan_file

PLAN = parse_plan(default_plan_file().read_text(encoding="utf-8"))
RESULTS = [r for initiative in PLAN.initiatives for r in initiative.results]

# (line as printed in the 2025 plan, moments read, precision of the due, first day, last day)
FORMS = [
    # edge cases first: nothing to read, a continuous process, a date before the plan year
    ("Bevraging van SOIA", [], None, None, None),
    ("Continu proces", [], None, None, None),
    ("Vlaanderen en Noordrijn-Westfalen hebben een MoU afgesloten op 16 november 2023", [],
     None, None, None),
    # quarter
    ("Q2: Ontwerpvisienota is bezorgd aan kabinet MP voor de Paasvakantie", ["2025-Q2"],
     "quarter", "2025-04-01", "2025-06-30"),
    ("Q1 het ontwerp van besluit is aan de Vlaamse Regering voorgelegd.", ["2025-Q1"],
     "quarter", "2025-01-01", "2025-03-31"),
    ("Q2 het aangepaste besluit is gepubliceerd.", ["2025-Q2"], "quarter", "2025-04-01",
     "2025-06-30"),
    ("Jaarverslag (Q1), trefdag (Q2)", ["2025-Q1", "2025-Q2"], "quarter", "2025-04-01",
     "2025-06-30"),
    ("In Q1 van 2025 wordt een projectplan (scope, aanpak, governance) opgesteld",
     ["2025-Q1"], "quarter", "2025-01-01", "2025-03-31"),
    ("Q2 2025: De rol van de leidinggevenden binnen DKBUZA is geactualiseerd", ["2025-Q2"],
     "quarter", "2025-04-01", "2025-06-30"),
    ("1/ 2025 Q1: bepalen van de scope van het project", ["2025-Q1"], "quarter", "2025-01-01",
     "2025-03-31"),
    ("2025_Q1: Opmaak en validering OP & PEP 2025-2029", ["2025-Q1"], "quarter",
     "2025-01-01", "2025-03-31"),
    # range of quarters
    ("Q1-2: analyse vereiste aanpassingen aan digitaal loket m.o.o. budgetberekening",
     ["2025-Q1/2025-Q2"], "quarter_range", "2025-01-01", "2025-06-30"),
    ("Q1 - Q4: Het communicatieteam ondersteunt de buitenlandkantoren", ["2025-Q1/2025-Q4"],
     "quarter_range", "2025-01-01", "2025-12-31"),
    ("Q3- Q4: Het team stelt een inhoudelijk en visueel aantrekkelijk jaarverslag op",
     ["2025-Q3/2025-Q4"], "quarter_range", "2025-07-01", "2025-12-31"),
    ("Q3 – Q4: na de publicatie van het voorstel van de Commissie", ["2025-Q3/2025-Q4"],
     "quarter_range", "2025-07-01", "2025-12-31"),
    ("Q1-Q4 We organiseren ten minste vier maal per jaar een overleg", ["2025-Q1/2025-Q4"],
     "quarter_range", "2025-01-01", "2025-12-31"),
    ("Q1-Q3 : De woordvoerder ontwikkelt een persstrategie", ["2025-Q1/2025-Q3"],
     "quarter_range", "2025-01-01", "2025-09-30"),
    ("Q2_Q4: Opvolging beslissing van het kabinet mbt de samenwerking.", ["2025-Q2/2025-Q4"],
     "quarter_range", "2025-04-01", "2025-12-31"),
    # one moment per quarter (milestones)
    ("Q2 + Q4 Tweemaal per jaar deelt de Ambtelijke Werkgroep Semicon een nota",
     ["2025-Q2", "2025-Q4"], "quarter", "2025-10-01", "2025-12-31"),
    ("2025_Q3&Q4: Bevraging tweede bestedingsprognose 2025", ["2025-Q3", "2025-Q4"],
     "quarter", "2025-10-01", "2025-12-31"),
    ("Q1 half-weg seminaries op diplomatieke posten en Q1-2 publieksevents",
     ["2025-Q1", "2025-Q1/2025-Q2"], "quarter_range", "2025-01-01", "2025-06-30"),
    # half year
    ("Het VSP wordt ten laatste medio 2025 goedgekeurd door de Vlaamse Regering.",
     ["2025-H1"], "half_year", "2025-01-01", "2025-06-30"),
    ("Alle dossiers/ aanvragen voor de in 2024 erkende rampen zijn medio 2025 afgewerkt.",
     ["2025-H1"], "half_year", "2025-01-01", "2025-06-30"),
    ("selectie van aantal managementindicatoren voor louter intern gebruik op basis van "
     "inventaris 2024: eerste jaarhelft 2025",
     ["2025-H1"], "half_year", "2025-01-01", "2025-06-30"),
    ("Lombardije: voorbereidingen treffen voor het opstellen van een MoU die tijdens een "
     "werkbezoek in de 2de helft van 2025 kan ondertekend worden", ["2025-H2"], "half_year",
     "2025-07-01", "2025-12-31"),
    ("We organiseren in het najaar van 2025 de vijfde Heerlijk Helderdag.", ["2025-H2"],
     "half_year", "2025-07-01", "2025-12-31"),
    ("Evaluatie VSDO IV (incl. aanbeveling naar volgende regeerperiode toe): voorjaar 2025.",
     ["2025-H1"], "half_year", "2025-01-01", "2025-06-30"),
    ("Vanuit Baden-Württemberg is er voor de zomervakantie van 2025 een inkomende zending",
     ["2025-H1"], "half_year", "2025-01-01", "2025-06-30"),
    # month
    ("Oktober 2025: ambtelijke opvolging EU-dossiers wordt aangevuld o.b.v. COM WP 2026",
     ["2025-10"], "month", "2025-10-01", "2025-10-31"),
    ("Ondersteuning Colloquium Neerlandicum (eind augustus 2025) in Brussel", ["2025-08"],
     "month", "2025-08-01", "2025-08-31"),
    # day
    ("We zorgen ervoor dat alle erkenningsprocedures van rampen die zich in 2024 hebben "
     "voorgedaan afgehandeld zijn tegen 31 maart 2025.", ["2025-03-31"], "day", "2025-03-31",
     "2025-03-31"),
    ("Deelname aan jaarlijkse vergadering van het WEF in Davos van 20-25 januari 2025.",
     ["2025-01-20/2025-01-25"], "day_range", "2025-01-20", "2025-01-25"),
    # year and range of years
    ("2025: MFK-positiepaper(s)", ["2025"], "year", "2025-01-01", "2025-12-31"),
    ("2025 - Kaleidos", ["2025"], "year", "2025-01-01", "2025-12-31"),
    ("2026 Migratie Rampenfonds", ["2026"], "year", "2026-01-01", "2026-12-31"),
    ("DKBUZA wil eind 2025 beschikken over actuele bedrijfscontinuïteitsplannen", ["2025"],
     "year", "2025-01-01", "2025-12-31"),
    ("2026-2029: uitrol (incl. regelmatige evaluatie en bijsturing)", ["2026/2029"],
     "year_range", "2026-01-01", "2029-12-31"),
    ("Terugkeerdagen Diplomaten (TBK trekt) (2025-2029)", ["2025/2029"], "year_range",
     "2025-01-01", "2029-12-31"),
    # a marker's later year names the event prepared: context, not a second due
    ("2025: voorbereiding van de 14de ministeriële conferentie van de WTO in maart 2026",
     ["2025"], "year", "2025-01-01", "2025-12-31"),
]


@pytest.mark.parametrize(("text", "moments", "precision", "first", "last"), FORMS,
                         ids=[form[0][:40] for form in FORMS])
def test_every_date_form_of_the_plan(text, moments, precision, first, last):
    assert any(text[:30] in r.text for r in RESULTS) or "MoU afgesloten op" in text, \
        "the form is taken from the plan's own lines"
    reading = read_due(text, 2025)
    assert [str(m) for m in reading.moments] == moments
    assert reading.not_understood == []
    due = reading.due
    if precision is None:
        assert due is None
        return
    assert (due.precision, due.first, due.last) == (precision, date.fromisoformat(first),
                                                      date.fromisoformat(last))
    assert DueMoment.parse(str(due)) == due  # the printed form reads back


def test_continuous_is_a_kind_not_a_due():
    for text in ("Continu proces", "continu proces", "Continu process", "Continu proces.",
                 "Continu proces via WEHIB"):
        reading = read_due(text, 2025)
        assert (reading.kind, reading.due) == ("continuous", None)


def test_a_heading_dates_the_results_below_it():
    heading = read_due("2025 Q2:", 2025).moments
    reading = read_due("Afronding van voortgangsrapportage Vlaamse Veerkracht", 2025, heading)
    assert (reading.kind, str(reading.due)) == ("dated", "2025-Q2")
    # a quarter under a year heading takes the heading's year
    assert str(read_due("Q3: netwerkevent", 2025, read_due("2026", 2025).moments).due) \
        == "2026-Q3"


def test_an_impossible_date_is_not_understood():
    reading = read_due("afgehandeld tegen 31 februari 2025", 2025)
    assert reading.moments == [] and reading.not_understood == ["31 februari 2025"]


@pytest.mark.parametrize("value", ["2025-Q5", "2025-H3", "2025/2024", "2025-13", "Q1", "",
                                   "2025-02-30"])
def test_due_parse_refuses(value):
    with pytest.raises(ValueError):
        DueMoment.parse(value)


def test_the_2025_plan_dues():
    counts = {"results": len(RESULTS),
              "dated": sum(r.kind == "dated" for r in RESULTS),
              "continuous": sum(r.kind == "continuous" for r in RESULTS),
              "undated": sum(r.kind == "undated" for r in RESULTS),
              "with_milestones": sum(len(r.reading.moments) > 1 for r in RESULTS),
              "not_understood": [(r.line, f) for r in RESULTS for f in r.reading.not_understood]}
    print(counts)
    assert counts == {"results": 653, "dated": 207, "continuous": 40, "undated": 406,
                      "with_milestones": 8, "not_understood": []}


def by_text(fragment: str):
    return next(r for r in RESULTS if fragment in r.text)


def test_headline_deadlines_of_the_four_domains():
    # Disaster Fund: recognitions of the 2024 disasters by 31 March 2025
    fund = by_text("erkenningsprocedures van rampen die zich in 2024")
    assert (fund.due, fund.reading.due.precision) == ("2025-03-31", "day")
    # VSP: "ten laatste medio 2025" = the first half of 2025
    vsp = by_text("Het VSP wordt ten laatste medio 2025")
    assert (vsp.due, vsp.reading.due.first, vsp.reading.due.last) == (
        "2025-H1", date(2025, 1, 1), date(2025, 6, 30))
    # dual-use decree: submitted in Q1, published in Q2
    assert by_text("Q1 het ontwerp van besluit").due == "2025-Q1"
    assert by_text("Q2 het aangepaste besluit is gepubliceerd").due == "2025-Q2"
    # CERTEX digital desk: Q1-2
    assert by_text("Q1-2: analyse vereiste aanpassingen aan digitaal loket").due \
        == "2025-Q1/2025-Q2"
