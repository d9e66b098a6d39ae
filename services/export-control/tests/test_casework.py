"""Casework: case officers (audited), "my cases", filters and search, queues whose counts equal
the filtered lists, bulk decisions in delegation decided and audited case by case."""

from sqlalchemy import select

from dkbuza_kit.models import AuditEvent

DUAL_USE_CH = {"application_type": "dual_use_individual_export", "destination_country": "CH",
               "lines": [{"description": "Crypto modules", "control_entry": "5A002.a.1",
                          "quantity": "3", "unit": "pieces", "value_eur": "900.00"}],
               "parties": [{"role": "end_user", "name": "Swiss Telecom AG", "address": "Bern",
                            "country": "CH"}]}


async def _list(flow, **params) -> dict:
    r = await flow.c.get("/v1/applications", headers=flow.officer, params=params)
    assert r.status_code == 200, r.text
    return r.json()


async def test_assignment_is_audited_and_my_cases_lists_them(flow):
    first = await flow.submitted()
    second = await flow.submitted(**DUAL_USE_CH)
    url = f"/v1/applications/{first['id']}/assignment"
    assert (await flow.c.post(url, headers=flow.officer,
                              json={"case_officer": "officer-1"})).status_code == 403
    r = await flow.c.post(url, headers=flow.head, json={"case_officer": "officer-2"})
    assert r.status_code == 200 and r.json()["case_officer"] == "officer-2"
    r = await flow.c.post(url, headers=flow.head,
                          json={"case_officer": "officer-1", "reason": "workload"})
    assert r.json()["case_officer"] == "officer-1"
    async with flow.h.sessionmaker() as session:
        rows = (await session.scalars(select(AuditEvent).where(
            AuditEvent.entity_id == first["id"],
            AuditEvent.action.in_(("assigned", "reassigned"))).order_by(AuditEvent.id))).all()
    assert [(a.action, a.data["from"], a.data["to"]) for a in rows] == [
        ("assigned", None, "officer-2"), ("reassigned", "officer-2", "officer-1")]
    mine = await _list(flow, officer="me")  # officer-1's token
    assert [a["id"] for a in mine["items"]] == [first["id"]]
    assert (await _list(flow, officer="officer-2"))["total"] == 0
    assert second["case_officer"] is None


async def test_filters_and_search(flow):
    military = await flow.submitted()
    dual = await flow.submitted(**DUAL_USE_CH)
    assert [a["id"] for a in (await _list(flow, destination="CH"))["items"]] == [dual["id"]]
    assert [a["id"] for a in (await _list(flow, control_entry="5a002"))["items"]] == [dual["id"]]
    assert [a["id"] for a in (await _list(flow, control_entry="ML5.a"))["items"]] == [
        military["id"]]
    assert (await _list(flow, company="0123456789"))["total"] == 2
    assert [a["id"] for a in (await _list(flow, q="swiss tele"))["items"]] == [dual["id"]]
    assert [a["id"] for a in (await _list(flow, q=military["reference"]))["items"]] == [
        military["id"]]
    assert (await _list(flow, submitted_from="2026-03-02", submitted_to="2026-03-02"))[
        "total"] == 2
    assert (await _list(flow, submitted_from="2026-03-03"))["total"] == 0
    assert (await _list(flow, track="fast"))["total"] == 1
    for bad in ({"destination": "XX"}, {"submitted_from": "9999-01-01"}, {"dossier": "x"},
                {"company": "123"}):
        r = await flow.c.get("/v1/applications", headers=flow.officer, params=bad)
        assert r.status_code == 422, (bad, r.text)
    # A company sees only its own, whatever the filter.
    other = flow.h.headers("csg.applicant", org="0987654321", sub="other")
    r = await flow.c.get("/v1/applications", headers=other, params={"destination": "CH"})
    assert r.json()["total"] == 0


async def test_queue_counts_equal_the_filtered_lists(flow):
    await flow.submitted()
    await flow.submitted(**DUAL_USE_CH)
    moved = await flow.submitted(**DUAL_USE_CH)
    await flow.move(moved["id"], "completeness_check", flow.officer)
    r = await flow.c.get("/v1/application-queues", headers=flow.officer)
    assert r.status_code == 200
    queues = r.json()
    assert sum(q["count"] for q in queues) == 3
    for queue in queues:
        listed = await _list(flow, track=queue["track"], status=queue["status"])
        same = [a for a in listed["items"]
                if a["decision_authority"] == queue["decision_authority"]]
        assert len(same) == queue["count"], queue
    assert (await flow.c.get("/v1/application-queues", headers=flow.applicant)).status_code == 403


async def test_bulk_decision_in_delegation_decides_each_case_on_its_own(flow):
    fast = [await flow.to_countersigned(await flow.submitted(**DUAL_USE_CH)) for _ in range(2)]
    standard = await flow.to_countersigned(await flow.submitted())  # military: standard track
    assert {a["track"] for a in fast} == {"fast"} and standard["track"] == "standard"
    ids = [fast[0]["id"], standard["id"], fast[1]["id"]]
    r = await flow.c.post("/v1/application-bulk-decisions", headers=flow.officer,
                          json={"application_ids": ids, "outcome": "granted", "reason": "ok"})
    assert r.status_code == 403
    r = await flow.c.post("/v1/application-bulk-decisions", headers=flow.head,
                          json={"application_ids": ids, "outcome": "granted",
                                "reason": "routine fast-track grants"})
    assert r.status_code == 200, r.text
    results = {row["application_id"]: row for row in r.json()}
    assert results[fast[0]["id"]]["decided"] and results[fast[1]["id"]]["decided"]
    assert results[fast[0]["id"]]["licence_number"].endswith("/L1")
    assert (results[standard["id"]]["decided"], results[standard["id"]]["code"]) == (
        False, "BULK_DECISION_NOT_FAST_TRACK")
    status = (await flow.c.get(f"/v1/applications/{standard['id']}",
                               headers=flow.officer)).json()["status"]
    assert status == "countersigned"
    async with flow.h.sessionmaker() as session:
        decided = (await session.scalars(select(AuditEvent.entity_id).where(
            AuditEvent.action == "decided"))).all()
    assert sorted(decided) == sorted([fast[0]["id"], fast[1]["id"]])
