"""The importer's parser against the real published 2025 plan (expected numbers read by hand)."""

import pytest

from planning.plan_import.parser import PlanParseError
from planning.plan_import.parser import parse_plan
from planning.plan_import.source import default_plan_file

PLAN_FILE = default_plan_file()


@pytest.fixture(scope="module")
def plan():
    return parse_plan(PLAN_FILE.read_text(encoding="utf-8"))


def test_counts_per_level(plan):
    assert plan.year == 2025
    assert [(pf.number, pf.title) for pf in plan.policy_fields] == [
        (1, "BUITENLANDS BELEID"), (2, "ONTWIKKELINGSSAMENWERKING"),
        (3, "ONDERSTEUNING VLAAMSE REGERING"), (4, "RAMPENSCHADE"),
        (5, "INTERNE WERKING DEPARTEMENT")]
    assert [sd.code for sd in plan.strategic_goals] == [
        "SD 1", "SD 2", "SD 3.1", "SD 3.2", "SD 4", "SD 5"]
    # 13 + 5 + 3 (3.1.3 does not exist) + 7 + 2 + 2
    assert len(plan.operational_goals) == 32
    assert "OD 3.1.3" not in {od.code for od in plan.operational_goals}
    # one "Algemene Informatie" + "Omschrijving" table per initiative: 173 in the document
    assert len(plan.initiatives) == 173


@pytest.mark.parametrize(("od_code", "count"), [
    ("OD 1.1", 1), ("OD 1.3", 2), ("OD 1.5", 2), ("OD 1.9", 12), ("OD 1.12", 13),
    ("OD 2.4", 3), ("OD 3.1.4", 3), ("OD 3.2.1", 17), ("OD 3.2.5", 4), ("OD 4.1", 2),
    ("OD 4.2", 2), ("OD 5.1", 20), ("OD 5.2", 0),
])
def test_initiatives_per_operational_goal(plan, od_code, count):
    od = next(od for od in plan.operational_goals if od.code == od_code)
    assert len(od.initiatives) == count


def titles(plan):
    return {ini.title for ini in plan.initiatives}


@pytest.mark.parametrize("title", [
    # wrapped capitals joined
    "WE WEGEN VANUIT VLAANDEREN OP DE TOTSTANDKOMING VAN HET NIEUW MEERJARIG FINANCIEEL "
    "KADER VAN DE EUROPESE UNIE",
    # the line break after "EU-" is inside a word
    "(FACILITEREN VAN) OPVOLGING EN COÖRDINATIE VAN BELEIDSDOMEINOVERSCHRIJDENDE "
    "EU-INITIATIEVEN",
    "TIJDIG AANLEVEREN VAN KWALITATIEVE (GECOÖRDINEERDE) ONTWERPANTWOORDEN OP PARLEMENTAIRE "
    "VRAGEN AAN HET KABINET VAN DE MINISTER-PRESIDENT, ALSOOK OPVOLGING VAN DE DEFINITIEVE "
    "ANTWOORDEN DIE AANGELEVERD WERDEN AAN HET VLAAMS PARLEMENT.",
    # directly under an OD heading, no blank line in between (first line of a page)
    "SAMENWERKING MET STERKE REGIO’S",
    "DIPLOMATIEKE ACADEMIE",
    # a page number between the title and its table
    'EFFICIËNTE SAMENWERKING MET HET RODE KRUIS VLAANDEREN ALS "HELPER VAN DE V.O."',
    # a title in normal case
    "We versterken de samenwerking en netwerkvorming binnen de Vlaamse overheid om de "
    "crisiswerking en –paraatheid te versterken",
    "UITROL CRM",
])
def test_exact_titles(plan, title):
    assert title in titles(plan)


def test_no_fragments_or_sub_headings_as_initiatives(plan):
    found = titles(plan)
    assert "PROJECTEN" not in found and "PROCESSEN" not in found
    assert not any(t.startswith(("OD ", "SD ")) for t in found)
    assert all(len(t) > 5 for t in found)
    od_12 = next(od for od in plan.operational_goals if od.code == "OD 1.2")
    assert od_12.initiatives[0].title == "COÖRDINATIE VAN HET EUROPEES SEMESTER"
    assert "PROCESSEN" not in {ini.title for ini in plan.initiatives}


def test_kind_from_sub_headings_and_results(plan):
    by_code = {ini.code: ini for ini in plan.initiatives}
    # "PROCESSEN" above the humanitarian initiatives of OD 2.4; "PROJECTEN" in OD 3.1.1
    assert [by_code[c].kind for c in ("2.4-02", "2.4-03")] == ["process", "process"]
    assert by_code["3.1.1-01"].kind == "project"
    # "Continu proces" in the expected results
    assert by_code["1.2-03"].kind == "process"
    assert by_code["1.1-01"].kind == "project"


def test_parents(plan):
    for sd in plan.strategic_goals:
        for od in sd.operational_goals:
            assert od.code.removeprefix("OD ").rsplit(".", 1)[0] == sd.code.removeprefix("SD ")
    od_325 = next(od for od in plan.operational_goals if od.code == "OD 3.2.5")
    assert od_325.title == ("WE VERSTERKEN DE WEERBAARHEID EN DE CRISISPARAATHEID VAN DE "
                            "VLAAMSE OVERHEID DOOR DE UITBOUW VAN HET CCVO")


def test_texts_free_of_page_noise(plan):
    for ini in plan.initiatives:
        for text in [ini.title, ini.description, *(r.text for r in ini.results)]:
            assert "Algemene Informatie" not in text
            assert "Beoogde resultaten" not in text
            assert "\x00" not in text
    stimuleren = next(i for i in plan.initiatives if i.title.startswith("STIMULEREN VAN"))
    # the repeated page header sat in the middle of this sentence
    assert "stellen we prioritaire EU-dossiers voor aan de Vlaamse Regering." in \
        stimuleren.description
    rode_kruis = next(i for i in plan.initiatives if "RODE KRUIS" in i.title)
    assert "57" not in rode_kruis.title


def test_expected_results_with_quarters(plan):
    visie = plan.initiatives[0]
    assert visie.title == "DE VLAAMSE REGERING BESCHIKT OVER EEN DUIDELIJKE VISIE OP DE EU"
    assert [(r.due, r.text) for r in visie.results][:3] == [
        ("2025-Q1", "Q1: Bevraging van Vlaamse EU-stakeholders over nieuwe elementen en "
                    "wijzigingen tov visienota 2016 i.s.m. VLEVA"),
        (None, "Bevraging van SOIA"),
        ("2025-Q2", "Q2: Ontwerpvisienota is bezorgd aan kabinet MP voor de Paasvakantie"),
    ]
    mfk = next(i for i in plan.initiatives if "MEERJARIG FINANCIEEL KADER" in i.title)
    # "Q3 – Q4:" is a range of quarters: due by the end of its last quarter
    assert mfk.results[-1].due == "2025-Q3/2025-Q4"
    assert mfk.results[-1].reading.due.last.isoformat() == "2025-12-31"
    coordination = next(i for i in plan.initiatives if i.code == "3.1.2-04")
    assert coordination.results[1].due == "2025-Q2"  # under the heading "2025 Q2:"
    assert coordination.results[1].text.startswith("Afronding van evaluatie")


def test_look_back_counts_equal_printed_counts(plan):
    review = plan.review
    assert review.year == 2024
    assert review.printed_counts == {"on_track": 151, "done": 39, "attention_needed": 13,
                                     "action_needed": 2}
    assert review.counts() == review.printed_counts
    by_status = {}
    for item in review.items:
        by_status.setdefault(item.status, []).append(item.title)
    assert by_status["action_needed"] == [
        "Uitrol CRM", "Uniforme Cloud infrastructuur voor het deployment van toepassingen "
                      "(long term)"]
    assert ("Opnemen van secretariaat van auditcomité van de Vlaamse administratie en het "
            "auditcomité van de lokale besturen") in by_status["on_track"]
    assert "zorgen voor een goede werking van de beroepsinstantie openbaarheid van bestuur" \
        in by_status["on_track"]
    assert "VOORBEREIDING START NIEUWE VLAAMSE REGERING" in by_status["done"]
    # the document prints 206 in total but its status counts add up to 205: reported
    assert review.printed_total == 206
    assert any("206" in w.message for w in plan.warnings)


def test_audit_recommendations(plan):
    assert [(a.code, a.target_date, a.auditing_body) for a in plan.audit_recommendations] == [
        ("A02", "2025-09-30", "Audit Vlaanderen"), ("A04", "2025-10-01", "Audit Vlaanderen"),
        ("A05", "2025-09-30", "Audit Vlaanderen")]
    assert plan.audit_recommendations[1].title == \
        "Verbeteren van de operationele werking van het CCVO"


def test_corrupted_text_reports_line_numbers():
    text = PLAN_FILE.read_text(encoding="utf-8")
    lines = text.split("\n")
    sd2 = next(i for i, line in enumerate(lines) if line.startswith("SD 2 "))
    broken = "\n".join(lines[:sd2] + lines[sd2 + 3:])  # drop the SD 2 heading
    with pytest.raises(PlanParseError) as caught:
        parse_plan(broken)
    assert any("OD 2.1" in e.message and e.line == sd2 + 2 for e in caught.value.errors)
    assert all(e.line > 0 for e in caught.value.errors)


@pytest.mark.parametrize("text", ["", "random words\nwithout a plan\n", "\x00\x01binary"])
def test_not_a_plan(text):
    with pytest.raises(PlanParseError) as caught:
        parse_plan(text)
    assert caught.value.errors[0].line >= 1
