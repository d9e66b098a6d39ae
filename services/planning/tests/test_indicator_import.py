"""The section PRESTATIE-INDICATOREN as indicators (expected values read from the 2025 document,
lines 6780-6840), their import, the demo's live-fed links and editing an indicator."""

import pytest
from sqlalchemy import select

from planning.demo import load
from planning.indicators.models import Indicator
from planning.plan_import.indicators import parse_indicator_section
from planning.plan_import.parser import parse_plan
from planning.plan_import.source import default_plan_file

PLAN_BYTES = default_plan_file().read_bytes()
FIELDS = {1: "BUITENLANDS BELEID", 2: "ONTWIKKELINGSSAMENWERKING",
          3: "ONDERSTEUNING VLAAMSE REGERING", 4: "RAMPENSCHADE"}


@pytest.fixture(scope="module")
def plan():
    return parse_plan(PLAN_BYTES.decode("utf-8"))


def test_indicators_of_the_2025_plan(plan):
    assert [(i.code, i.policy_field, i.line) for i in plan.indicators] == [
        ("PI 1.1", 1, 6793), ("PI 1.2", 1, 6797), ("PI 1.3", 1, 6801),
        ("PI 2.1", 2, 6811), ("PI 2.2", 2, 6816),
        ("PI 3.1", 3, 6827), ("PI 3.2", 3, 6828), ("PI 3.3", 3, 6829), ("PI 3.4", 3, 6830),
        ("PI 4.1", 4, 6832)]
    titles = {i.code: i.title for i in plan.indicators}
    # bullets wrapped over a blank line are joined; the paragraph after them is not an item
    assert titles["PI 1.1"] == ("Indicatoren over omzettingen van EU-richtlijnen en het aantal "
                                "inbreukdossiers waarbij de Vlaamse overheid betrokken is")
    assert titles["PI 1.3"] == ("Indicatoren over de subsidies in het kader van het Flanders "
                                "Trainee Programme en de Fayatbeurzen")
    assert titles["PI 3.4"] == "Indicatoren m.b.t. het Vlaams Statistisch Programma"
    # a field without bullets names its indicator in the sentence
    assert titles["PI 4.1"] == ("De termijn tussen de erkenning van een ramp en de uitbetaling "
                                "van de schade")
    oda = plan.indicators[3]
    assert oda.title == "Het ODA RAPPORT"
    assert oda.description.startswith("geeft de belangrijkste trends in de Vlaamse ODA weer "
                                      "aan de hand van interactieve datavisualisaties.")
    assert all("Aanvullende" not in i.title and "Aanvullende" not in (i.description or "")
               for i in plan.indicators)
    assert plan.indicators[4].description.endswith("een link naar het projectdocument.")


def test_section_absent_unknown_field_or_without_items():
    assert parse_indicator_section(["ONDERNEMINGSPLAN 2026", "1. X"], FIELDS, []) == []
    warnings: list = []
    lines = [" PRESTATIE-INDICATOREN ", "",
             "Voor het beleidsveld sport wordt opgenomen: ", "- Indicatoren over medailles",
             "", "Voor het beleidsveld rampenschade volgt later iets.", "", " PERSONEELSPLAN",
             "- not an indicator"]
    found = parse_indicator_section(lines, FIELDS, warnings)
    assert [(i.code, i.title, i.policy_field, i.line) for i in found] == [
        ("PI ?.3.1", "Indicatoren over medailles", None, 4)]
    assert [(w.line, w.message.split(":")[0]) for w in warnings] == [
        (3, "indicators of an unknown policy field"),
        (6, "no indicator recognised for this policy field")]
    empty: list = []
    assert parse_indicator_section([" PRESTATIE-INDICATOREN", "Tekst."], FIELDS, empty) == []
    assert [w.line for w in empty] == [1]


async def test_import_creates_the_indicators_per_policy_field(client, harness):
    manager = harness.headers("planning.manager")
    imported = await client.post("/v1/plans/import", headers=manager, files={
        "file": ("ondernemingsplan-2025.txt", PLAN_BYTES, "text/plain")})
    assert imported.status_code == 201, imported.text
    assert imported.json()["counts"]["indicators"] == 10
    listed = (await client.get("/v1/indicators", params={"limit": 200},
                               headers=harness.headers("planning.reader"))).json()
    assert listed["total"] == 10
    fields = {f["id"]: f["number"] for f in (await client.get(
        "/v1/policy-fields", headers=manager)).json()["items"]}
    payout = next(i for i in listed["items"] if i["code"] == "PI 4.1")
    assert fields[payout["policy_field_id"]] == 4
    # linked at import to the service that measures it; the plan prints no target: none set
    assert (payout["source"], payout["unit"], payout["target"], payout["valid_target"],
            payout["progress_pct"]) == ("disaster-fund:recognition_to_payout_median_days",
                                        "dagen", None, False, None)
    linked = {i["code"]: i["source"] for i in listed["items"] if i["source"] != "manual"}
    assert linked == {"PI 1.2": "export-control:decided_within_indicative_max_pct",
                      "PI 3.4": "statistics:work_programme_execution_pct",
                      "PI 4.1": "disaster-fund:recognition_to_payout_median_days"}


async def test_demo_links_indicators_to_the_disaster_fund_kpis(client, harness):
    for _ in range(2):  # idempotent
        async with harness.sessionmaker() as session, session.begin():
            await load(session, PLAN_BYTES, "ondernemingsplan-2025.txt")
    async with harness.sessionmaker() as session:
        linked = {i.code: i for i in await session.scalars(
            select(Indicator).where(Indicator.source != "manual"))}
        total = len((await session.scalars(select(Indicator.id))).all())
    assert total == 11
    assert linked["VRF-90"].source == "disaster-fund:applications_completed_within_1y_pct"
    assert (linked["VRF-90"].target, linked["VRF-90"].direction) == (90, "increasing")
    assert linked["VRF-90"].initiative_id is not None
    assert linked["PI 4.1"].source == "disaster-fund:recognition_to_payout_median_days"
    initiative = await client.get(f"/v1/initiatives/{linked['VRF-90'].initiative_id}",
                                  headers=harness.headers("planning.reader"))
    assert initiative.json()["title"] == "AFHANDELEN DOSSIERS TEGEMOETKOMINGEN ERKENDE RAMPEN"


async def test_edit_an_indicator_with_if_match(client, harness):
    manager = harness.headers("planning.manager")
    await client.post("/v1/plans/import", headers=manager, files={
        "file": ("ondernemingsplan-2025.txt", PLAN_BYTES, "text/plain")})
    listed = (await client.get("/v1/indicators", headers=manager)).json()["items"]
    indicator_id = next(i["id"] for i in listed if i["code"] == "PI 4.1")
    url = f"/v1/indicators/{indicator_id}"
    got = await client.get(url, headers=manager)
    assert got.headers["etag"] == '"1"'
    change = {"unit": "dagen", "baseline": "400", "target": "300", "direction": "decreasing"}

    missing = await client.patch(url, headers=manager, json=change)
    assert missing.status_code == 428 and missing.json()["code"] == "PRECONDITION_REQUIRED"
    reader = await client.patch(url, json=change, headers={
        **harness.headers("planning.reader"), "If-Match": '"1"'})
    assert reader.status_code == 403
    changed = await client.patch(url, headers={**manager, "If-Match": '"1"'}, json=change)
    assert changed.status_code == 200, changed.text
    assert (changed.json()["version"], changed.json()["valid_target"], changed.headers["etag"]) \
        == (2, True, '"2"')
    stale = await client.patch(url, headers={**manager, "If-Match": '"1"'}, json=change)
    assert stale.status_code == 412 and stale.json()["code"] == "PRECONDITION_FAILED"

    await client.post(f"{url}/measurements", headers=manager,
                      json={"value": "350", "measured_on": "2025-06-01"})
    assert (await client.get(url, headers=manager)).json()["progress_pct"] == "50.0"

    other_plan_initiative = 999_999
    bad_link = await client.patch(url, headers={**manager, "If-Match": '"2"'},
                                  json={"initiative_id": other_plan_initiative})
    assert bad_link.status_code == 422 and bad_link.json()["code"] == "INDICATOR_LINK_INVALID"
    cleared = await client.patch(url, headers={**manager, "If-Match": '"2"'},
                                 json={"source": None})
    assert cleared.status_code == 422 and cleared.json()["code"] == "FIELD_NOT_NULLABLE"
    created = await client.post("/v1/indicators", headers=manager, json={
        "plan_year": 2025, "code": "X-1", "title": "x", "operational_goal_id": 999_999})
    assert created.status_code == 422 and created.json()["code"] == "INDICATOR_LINK_INVALID"
