"""Changes during the year (issue 16, point 2): a manager sets or changes a due or a milestone
with a reason (audited, the original kept); initiatives and results added after adoption;
results archived. On the small 2030 plan, clock 2030-05-10."""

from datetime import UTC
from datetime import datetime

from sqlalchemy import func
from sqlalchemy import select

from dkbuza_kit.clock import FixedClock
from dkbuza_kit.models import AuditEvent
from planning.plans.models import DueChange

SEMICON = """ ONDERNEMINGSPLAN 2031 

1. BUITENLANDS BELEID 

SD 1 EEN DOEL 

OD 1.1. EEN OPERATIONELE DOELSTELLING 

PROJECT SEMICON 

Algemene Informatie 

Omschrijving 

Beschrijving. 

Beoogde resultaten 

Beoogde 
resultaten 

Q2 + Q4 Tweemaal per jaar deelt de werkgroep een nota 
"""


async def results_of(client, headers, initiative_id):
    return (await client.get("/v1/expected-results", headers=headers,
                             params={"initiative_id": initiative_id})).json()["items"]


async def test_manager_changes_a_due_with_a_reason_and_the_original_is_kept(client, harness, plan):
    manager, reader = plan["manager"], harness.headers("planning.reader")
    result = (await results_of(client, manager, plan["ini"]["1.1-01"]))[0]
    assert (result["due"], result["original_due"]) == ("2030-Q1", "2030-Q1")
    url = f"/v1/expected-results/{result['id']}/due"
    no_reason = await client.post(url, headers={**manager, "If-Match": '"1"'},
                                  json={"due": "2030-Q3"})
    assert no_reason.status_code == 422
    for bad, code in (("2030-Q5", "VALIDATION_ERROR"), ("2030-H3", "VALIDATION_ERROR"),
                      ("2028", "DATE_BEFORE_ORIGIN"), ("2031/2030", "DUE_INVALID")):
        refused = await client.post(url, headers={**manager, "If-Match": '"1"'},
                                    json={"due": bad, "reason": "herplanning"})
        assert (refused.status_code, refused.json()["code"]) == (422, code), (bad, refused.text)
    as_reader = await client.post(url, headers={**reader, "If-Match": '"1"'},
                                  json={"due": "2030-Q3", "reason": "herplanning"})
    assert as_reader.status_code == 403
    async with harness.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(DueChange)) == 0

    changed = await client.post(url, headers={**manager, "If-Match": '"1"'},
                                json={"due": "2030-H2", "reason": "afhankelijk van kabinet"})
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert (body["due"], body["due_precision"], body["due_last"], body["original_due"]) == (
        "2030-H2", "half_year", "2030-12-31", "2030-Q1")
    assert changed.headers["ETag"] == '"2"'
    stale = await client.post(url, headers={**manager, "If-Match": '"1"'},
                              json={"due": "2030-Q4", "reason": "nog later"})
    assert stale.status_code == 412
    history = (await client.get(f"/v1/expected-results/{result['id']}/due-changes",
                                headers=reader)).json()
    assert [(h["from_due"], h["to_due"], h["reason"]) for h in history] == [
        ("2030-Q1", "2030-H2", "afhankelijk van kabinet")]
    async with harness.sessionmaker() as session:
        actions = (await session.scalars(select(AuditEvent.action).where(
            AuditEvent.entity_type == "expected_result"))).all()
    assert "due_changed" in actions


async def test_milestones_are_kept_and_changed_one_by_one(client, harness):
    manager = harness.headers("planning.manager")
    imported = await client.post("/v1/plans/import", headers=manager,
                                 files={"file": ("plan-2031.txt", SEMICON.encode())})
    assert imported.status_code == 201, imported.text
    assert imported.json()["dues"]["counts"]["with_milestones"] == 1
    initiatives = (await client.get("/v1/initiatives", headers=manager,
                                    params={"plan_year": 2031})).json()["items"]
    result = (await results_of(client, manager, initiatives[0]["id"]))[0]
    assert result["due"] == "2031-Q4"
    milestones = (await client.get(f"/v1/expected-results/{result['id']}/milestones",
                                   headers=manager)).json()
    assert [(m["label"], m["due"]) for m in milestones] == [("Q2 + Q4", "2031-Q2"),
                                                           ("Q2 + Q4", "2031-Q4")]
    # the overdue list uses every due: on 2031-08-01 the Q2 milestone is 32 days past
    harness.app.state.clock = FixedClock(datetime(2031, 8, 1, 12, tzinfo=UTC))
    overdue = (await client.get("/v1/expected-results/overdue", headers=manager,
                                params={"plan_year": 2031})).json()["items"]
    assert [(o["id"], o["due"], o["milestone"], o["days_overdue"]) for o in overdue] == [
        (result["id"], "2031-Q2", "Q2 + Q4", 32)]
    changed = await client.post(f"/v1/expected-results/{result['id']}/due",
                                headers={**manager, "If-Match": '"1"'},
                                json={"due": "2031-Q3", "milestone_id": milestones[0]["id"],
                                      "reason": "nota schuift op"})
    assert changed.status_code == 200, changed.text
    assert changed.json()["due"] == "2031-Q4"  # still due by its latest milestone
    after = (await client.get(f"/v1/expected-results/{result['id']}/milestones",
                              headers=manager)).json()
    assert [(m["due"], m["original_due"]) for m in after] == [("2031-Q3", "2031-Q2"),
                                                             ("2031-Q4", "2031-Q4")]


async def test_initiatives_and_results_added_during_the_year_and_archived(client, harness, plan):
    manager = plan["manager"]
    ods = (await client.get("/v1/operational-goals", headers=manager,
                            params={"plan_year": 2030})).json()["items"]
    od = next(o for o in ods if o["code"] == "OD 1.1")
    added = await client.post("/v1/initiatives", headers=manager, json={
        "operational_goal_id": od["id"], "title": "Nieuw project epsilon", "kind": "project",
        "owner_team": "team-a", "reason": "beslissing MT van 5 mei"})
    assert added.status_code == 201, added.text
    initiative = added.json()
    assert (initiative["code"], initiative["added_after_adoption"]) == ("1.1-03", True)
    result = await client.post("/v1/expected-results", headers=manager, json={
        "initiative_id": initiative["id"], "text": "Conceptnota klaar", "due": "2030-Q3",
        "reason": "beslissing MT"})
    assert result.status_code == 201, result.text
    body = result.json()
    assert (body["due"], body["timing"], body["added_after_adoption"]) == ("2030-Q3", "dated",
                                                                           True)
    continuous = await client.post("/v1/expected-results", headers=manager, json={
        "initiative_id": initiative["id"], "text": "Opvolging", "continuous": True,
        "reason": "beslissing MT"})
    assert (continuous.status_code, continuous.json()["timing"]) == (201, "continuous")

    beta = (await results_of(client, manager, plan["ini"]["1.1-02"]))[0]  # due 2030-Q2
    harness.app.state.clock = FixedClock(datetime(2030, 7, 15, tzinfo=UTC))
    overdue = (await client.get("/v1/expected-results/overdue", headers=manager)).json()
    assert beta["id"] in [o["id"] for o in overdue["items"]]
    archived = await client.post(f"/v1/expected-results/{beta['id']}/archive",
                                 headers={**manager, "If-Match": '"1"'},
                                 json={"reason": "opgenomen in epsilon"})
    assert (archived.status_code, archived.json()["archived"]) == (200, True)
    overdue = (await client.get("/v1/expected-results/overdue", headers=manager)).json()
    assert beta["id"] not in [o["id"] for o in overdue["items"]]
