"""Status reports, roll-ups, KPIs and exports on a small plan with hand-computed numbers.

Plan 2030: OD 1.1 {1.1-01 alfa (results Q1, Q3), 1.1-02 beta (Q2)}, OD 1.2 {1.2-01 gamma
(no due)}, OD 2.1 {2.1-01 delta (Q4)}. Teams: alfa/beta/gamma = team-a, delta = team-b.
"""

import csv
import io
from datetime import UTC
from datetime import datetime

import openpyxl
from small_plan import SMALL_PLAN  # noqa: F401
from small_plan import import_small_plan  # noqa: F401
from small_plan import initiatives_by_code  # noqa: F401
from small_plan import report  # noqa: F401
from sqlalchemy import select

from dkbuza_kit.clock import FixedClock
from dkbuza_kit.models import OutboxEvent


async def test_status_report_rules(client, harness, plan):
    team_a = harness.headers("planning.reporter", teams=["team-a"])
    alfa, t1 = plan["ini"]["1.1-01"], plan["periods"]["2030-T1"]
    missing = await report(client, team_a, alfa, t1, "attention_needed")
    assert missing.status_code == 422 and missing.json()["code"] == "EXPLANATION_REQUIRED"
    no_action = await report(client, team_a, alfa, t1, "action_needed", explanation="late")
    assert no_action.status_code == 422
    assert no_action.json()["code"] == "CORRECTIVE_ACTION_REQUIRED"
    done = await report(client, team_a, alfa, t1, "done")
    assert done.status_code == 422 and done.json()["code"] == "RESULTS_NOT_FINISHED"

    created = await report(client, team_a, alfa, t1, "on_track")
    assert created.status_code == 201, created.text
    twice = await report(client, team_a, alfa, t1, "on_track")
    assert twice.status_code == 409 and twice.json()["code"] == "STATUS_REPORT_EXISTS"

    # done once every result is achieved or dropped
    results = (await client.get("/v1/expected-results", params={"initiative_id": alfa},
                                headers=team_a)).json()["items"]
    unversioned = await client.patch(f"/v1/expected-results/{results[0]['id']}",
                                     headers=team_a, json={"state": "dropped",
                                                           "dropped_reason": "x"})
    assert unversioned.status_code == 428
    team_a_v1 = {**team_a, "If-Match": '"1"'}
    first = await client.patch(f"/v1/expected-results/{results[0]['id']}", headers=team_a_v1,
                               json={"state": "achieved", "achieved_on": "2030-03-20"})
    assert first.status_code == 200, first.text
    assert first.headers["ETag"] == '"2"'
    stale = await client.patch(f"/v1/expected-results/{results[0]['id']}", headers=team_a_v1,
                               json={"state": "open"})
    assert stale.status_code == 412 and stale.json()["code"] == "PRECONDITION_FAILED"
    no_reason = await client.patch(f"/v1/expected-results/{results[1]['id']}", headers=team_a_v1,
                                   json={"state": "dropped"})
    assert no_reason.json()["code"] == "DROP_REASON_REQUIRED"
    await client.patch(f"/v1/expected-results/{results[1]['id']}", headers=team_a_v1,
                       json={"state": "dropped", "dropped_reason": "no budget"})
    report_id, etag = created.json()["id"], created.headers["ETag"]
    edited = await client.put(f"/v1/status-reports/{report_id}", headers={**team_a,
                              "If-Match": etag}, json={"status": "done"})
    assert edited.status_code == 200, edited.text
    stale = await client.put(f"/v1/status-reports/{report_id}", headers={**team_a,
                             "If-Match": etag}, json={"status": "done"})
    assert stale.status_code == 412

    close = await client.post(f"/v1/reporting-periods/{t1}/close", headers=plan["manager"])
    assert close.status_code == 200
    frozen = await client.put(f"/v1/status-reports/{report_id}", headers={
        **team_a, "If-Match": edited.headers["ETag"]}, json={"status": "on_track"})
    assert frozen.status_code == 409 and frozen.json()["code"] == "PERIOD_CLOSED"
    late_new = await report(client, team_a, plan["ini"]["1.1-02"], t1, "on_track")
    assert late_new.status_code == 409 and late_new.json()["code"] == "PERIOD_CLOSED"
    no_reason_fix = await client.post(f"/v1/status-reports/{report_id}/corrections",
                                      headers=team_a, json={"status": "on_track"})
    assert no_reason_fix.status_code == 422
    correction = await client.post(f"/v1/status-reports/{report_id}/corrections",
                                   headers=team_a, json={"status": "on_track",
                                                         "reason": "reported done by mistake"})
    assert correction.status_code == 201 and correction.json()["corrected"] is True
    history = (await client.get(f"/v1/status-reports/{report_id}/history",
                                headers=team_a)).json()
    assert [(h["kind"], h["status"], h["reason"]) for h in history] == [
        ("submitted", "on_track", None), ("edited", "done", None),
        ("correction", "on_track", "reported done by mistake")]
    # Every change (refused ones excepted) left exactly one outbox event, in order.
    async with harness.sessionmaker() as session:
        events = (await session.scalars(select(OutboxEvent.type)
                                        .order_by(OutboxEvent.created_at))).all()
    assert events == ["report.submitted", "report.edited", "period.closed", "report.corrected"]


async def test_reporter_only_for_own_team_and_reader_cannot_write(client, harness, plan):
    team_a = harness.headers("planning.reporter", teams=["team-a"])
    delta, t1 = plan["ini"]["2.1-01"], plan["periods"]["2030-T1"]
    other = await report(client, team_a, delta, t1, "on_track")
    assert other.status_code == 403 and other.json()["code"] == "NOT_YOUR_TEAM"
    reader = harness.headers("planning.reader")
    read_only = await report(client, reader, delta, t1, "on_track")
    assert read_only.status_code == 403 and read_only.json()["code"] == "FORBIDDEN"
    period = await client.post("/v1/reporting-periods", headers=team_a, json={
        "plan_year": 2030, "code": "X", "starts_on": "2030-01-01", "ends_on": "2030-02-01",
        "report_deadline": "2030-02-10"})
    assert period.status_code == 403


async def test_distribution_roll_up_completeness_and_deterioration(client, harness, plan):
    manager, ini = plan["manager"], plan["ini"]
    t1, t2 = plan["periods"]["2030-T1"], plan["periods"]["2030-T2"]
    # T1 (clock 2030-05-10, before the deadline): alfa on track, beta attention, delta on track
    assert (await report(client, manager, ini["1.1-01"], t1, "on_track")).status_code == 201
    assert (await report(client, manager, ini["1.1-02"], t1, "attention_needed",
                         explanation="partner late")).status_code == 201
    harness.app.state.clock = FixedClock(datetime(2030, 5, 20, 10, tzinfo=UTC))  # after deadline
    assert (await report(client, manager, ini["2.1-01"], t1, "on_track")).status_code == 201

    distribution = (await client.get(f"/v1/reporting-periods/{t1}/status-distribution",
                                     headers=manager)).json()
    assert distribution == {"on_track": 2, "attention_needed": 1, "action_needed": 0, "done": 0,
                            "not_reported": 1, "total": 4}
    only_pf1 = (await client.get(f"/v1/reporting-periods/{t1}/status-distribution",
                                 params={"policy_field": 1}, headers=manager)).json()
    assert only_pf1["total"] == 3 and only_pf1["not_reported"] == 1

    completeness = (await client.get(f"/v1/reporting-periods/{t1}/completeness",
                                     headers=manager)).json()
    assert completeness == {"period": "2030-T1", "active_initiatives": 4,
                            "reported_by_deadline": 2, "reported_late": 1,
                            "completeness_pct": "50.0"}

    roll_up = (await client.get(f"/v1/reporting-periods/{t1}/roll-up",
                                params={"level": "operational_goal"}, headers=manager)).json()
    assert [(r["code"], r["worst_unfinished_status"], r["distribution"]["total"])
            for r in roll_up] == [("OD 1.1", "attention_needed", 2),
                                  ("OD 1.2", "not_reported", 1), ("OD 2.1", "on_track", 1)]
    sd_roll = (await client.get(f"/v1/reporting-periods/{t1}/roll-up",
                                params={"level": "strategic_goal"}, headers=manager)).json()
    assert [(r["code"], r["done_pct"]) for r in sd_roll] == [("SD 1", "0.0"), ("SD 2", "0.0")]

    # T2: alfa worse (action), beta better, gamma done (its only result dropped), delta same
    gamma_result = (await client.get("/v1/expected-results", params={
        "initiative_id": ini["1.2-01"]}, headers=manager)).json()["items"][0]
    await client.patch(f"/v1/expected-results/{gamma_result['id']}",
                       headers={**manager, "If-Match": '"1"'},
                       json={"state": "dropped", "dropped_reason": "merged"})
    await report(client, manager, ini["1.1-01"], t2, "action_needed", explanation="x",
                 corrective_action="y")
    await report(client, manager, ini["1.1-02"], t2, "on_track")
    await report(client, manager, ini["1.2-01"], t2, "done")
    await report(client, manager, ini["2.1-01"], t2, "on_track")
    worse = (await client.get(f"/v1/reporting-periods/{t2}/deteriorations",
                              params={"compared_to": t1}, headers=manager)).json()
    assert [(d["initiative_code"], d["from_status"], d["to_status"]) for d in worse] == [
        ("1.1-01", "on_track", "action_needed")]
    pf_roll = (await client.get(f"/v1/reporting-periods/{t2}/roll-up",
                                params={"level": "policy_field"}, headers=manager)).json()
    assert [(r["code"], r["worst_unfinished_status"], r["done_pct"]) for r in pf_roll] == [
        ("1", "action_needed", "33.3"), ("2", "on_track", "0.0")]

    # the status overview export has the API's counts for the same filter
    params = {"period": "2030-T2", "status": "on_track"}
    api = (await client.get("/v1/initiatives", params=params, headers=manager)).json()
    assert api["total"] == 2
    xlsx = await client.get("/v1/exports/status-overview.xlsx", params=params, headers=manager)
    assert xlsx.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "code" and len(rows) - 1 == api["total"]
    assert {r[7] for r in rows[1:]} == {"on_track"}
    assert all(isinstance(r[10], datetime) for r in rows[1:])  # reported_at as an Excel date
    everything = await client.get("/v1/exports/status-overview.csv", params={
        "period": "2030-T1"}, headers=manager)
    assert everything.content.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, for Excel
    csv_rows = list(csv.reader(io.StringIO(everything.content.decode("utf-8-sig"))))[1:]
    assert sorted(r[7] for r in csv_rows) == ["attention_needed", "not_reported", "on_track",
                                             "on_track"]
    no_period = await client.get("/v1/exports/status-overview.xlsx", headers=manager)
    assert no_period.status_code == 422 and no_period.json()["code"] == "PERIOD_REQUIRED"


async def test_results_on_time_and_overdue_days(client, harness, plan):
    manager, ini = plan["manager"], plan["ini"]
    alfa = (await client.get("/v1/expected-results", params={"initiative_id": ini["1.1-01"]},
                             headers=manager)).json()["items"]
    beta = (await client.get("/v1/expected-results", params={"initiative_id": ini["1.1-02"]},
                             headers=manager)).json()["items"]
    assert [r["due"] for r in alfa] == ["2030-Q1", "2030-Q3"]
    harness.app.state.clock = FixedClock(datetime(2030, 10, 15, 12, tzinfo=UTC))
    # alfa Q1 achieved 2030-03-31 (on time), beta Q2 achieved 2030-07-01 (late)
    await client.patch(f"/v1/expected-results/{alfa[0]['id']}",
                       headers={**manager, "If-Match": '"1"'},
                       json={"state": "achieved", "achieved_on": "2030-03-31"})
    await client.patch(f"/v1/expected-results/{beta[0]['id']}",
                       headers={**manager, "If-Match": '"1"'},
                       json={"state": "achieved", "achieved_on": "2030-07-01"})
    rate = (await client.get("/v1/expected-results/on-time-rate", params={"plan_year": 2030},
                             headers=manager)).json()
    # due by now (due period ended before 2030-10-15): alfa Q1, beta Q2, alfa Q3 (open)
    assert rate == {"due_by_now": 3, "achieved_with_due": 2, "achieved_on_time": 1,
                    "open_overdue": 1, "on_time_pct": "33.3"}
    # open: alfa Q3 (ends 2030-09-30) -> 15 days overdue on 2030-10-15; delta Q4 not yet due
    overdue = (await client.get("/v1/expected-results/overdue", headers=manager)).json()
    assert [(o["initiative_code"], o["due"], o["days_overdue"]) for o in overdue["items"]] == [
        ("1.1-01", "2030-Q3", 15)]
    flagged = (await client.get("/v1/initiatives", params={"overdue": "true"},
                                headers=manager)).json()
    assert [i["code"] for i in flagged["items"]] == ["1.1-01"]


async def test_on_time_kpi_counts_overdue_results_not_only_achieved_ones(client, harness, plan):
    """0 achieved and 2 overdue is 0 %, not `no_data` (issue 16)."""
    harness.app.state.clock = FixedClock(datetime(2030, 7, 15, 12, tzinfo=UTC))
    kpis = {k["id"]: k for k in (await client.get(
        "/v1/kpis", headers=harness.headers("kpi.reader"))).json()}
    on_time = kpis["results_achieved_on_time_pct"]
    assert (on_time["value"], on_time["status"]) == (0.0, "missed")
    assert on_time["breakdown"] == [{"due_by_now": 2, "achieved_on_time": 0, "achieved_late": 0,
                                     "open_overdue": 2}]
    assert kpis["results_overdue"]["value"] == 2
    harness.app.state.clock = FixedClock(datetime(2030, 2, 1, 12, tzinfo=UTC))
    kpis = {k["id"]: k for k in (await client.get(
        "/v1/kpis", headers=harness.headers("kpi.reader"))).json()}
    assert kpis["results_achieved_on_time_pct"]["status"] == "no_data"  # nothing due yet


async def test_indicators_and_audit_recommendations(client, harness, plan):
    manager = plan["manager"]
    created = await client.post("/v1/indicators", headers=manager, json={
        "plan_year": 2030, "code": "PI-1", "title": "Doorlooptijd", "unit": "days",
        "baseline": "40", "target": "20", "direction": "decreasing"})
    assert created.status_code == 201, created.text
    indicator_id = created.json()["id"]
    await client.post(f"/v1/indicators/{indicator_id}/measurements", headers=manager,
                      json={"value": "35", "measured_on": "2030-02-01"})
    await client.post(f"/v1/indicators/{indicator_id}/measurements", headers=manager,
                      json={"value": "30", "measured_on": "2030-04-01"})
    got = (await client.get(f"/v1/indicators/{indicator_id}", headers=manager)).json()
    assert got["latest_value"] == "30.000" and got["progress_pct"] == "50.0"
    flat = await client.post("/v1/indicators", headers=manager, json={
        "plan_year": 2030, "code": "PI-2", "title": "Vlak", "unit": "n", "baseline": "5",
        "target": "5", "direction": "increasing"})
    assert flat.json()["valid_target"] is False and flat.json()["progress_pct"] is None
    bad_source = await client.post("/v1/indicators", headers=manager, json={
        "plan_year": 2030, "code": "PI-3", "title": "x", "unit": "n", "baseline": "0",
        "target": "1", "direction": "increasing", "source": "no colon"})
    assert bad_source.status_code == 422 and bad_source.json()["code"] == "VALIDATION_ERROR"

    # A01 (imported, original 2030-03-31) postponed to 06-30 and implemented 05-15: late by
    # the original date; B01 (original 2030-06-30) implemented 06-01: on time;
    # C01 open with original 2030-04-30 < today 2030-05-10: overdue.
    recs = {r["code"]: r for r in (await client.get("/v1/audit-recommendations",
                                                    headers=manager)).json()["items"]}
    a01 = recs["A01"]["id"]
    postponed = await client.post(f"/v1/audit-recommendations/{a01}/postponements",
                                  headers=manager, json={"new_target_date": "2030-06-30",
                                                         "reason": "capacity"})
    assert postponed.json()["original_target_date"] == "2030-03-31"
    assert postponed.json()["current_target_date"] == "2030-06-30"
    earlier = await client.post(f"/v1/audit-recommendations/{a01}/postponements",
                                headers=manager, json={"new_target_date": "2030-01-01",
                                                       "reason": "oops"})
    assert earlier.json()["code"] == "POSTPONEMENT_NOT_LATER"
    await client.post(f"/v1/audit-recommendations/{a01}/status", headers=manager,
                      json={"status": "implemented", "implemented_on": "2030-05-09"})
    b01 = (await client.post("/v1/audit-recommendations", headers=manager, json={
        "code": "B01", "title": "b", "auditing_body": "Audit Vlaanderen",
        "target_date": "2030-06-30"})).json()["id"]
    await client.post(f"/v1/audit-recommendations/{b01}/status", headers=manager,
                      json={"status": "implemented", "implemented_on": "2030-05-01"})
    await client.post("/v1/audit-recommendations", headers=manager, json={
        "code": "C01", "title": "c", "auditing_body": "Audit Vlaanderen",
        "target_date": "2030-04-30"})
    summary = (await client.get("/v1/audit-recommendations/summary", headers=manager)).json()
    assert summary == {"total": 3, "implemented": 2, "implemented_on_time": 1,
                       "open_overdue": 1, "on_time_pct": "50.0"}
    history = (await client.get(f"/v1/audit-recommendations/{a01}/postponements",
                                headers=manager)).json()
    assert [(h["from_date"], h["to_date"]) for h in history] == [("2030-03-31", "2030-06-30")]

    kpis = {k["id"]: k for k in (await client.get(
        "/v1/kpis", headers=harness.headers("kpi.reader"))).json()}
    assert kpis["audit_recommendations_overdue"]["value"] == 1
    assert kpis["audit_recommendations_on_time_pct"]["value"] == 50.0
    assert kpis["indicators_average_progress_pct"]["value"] == 50.0


async def test_kpis_headline_figures(client, harness, plan):
    manager, ini, t1 = plan["manager"], plan["ini"], plan["periods"]["2030-T1"]
    await report(client, manager, ini["1.1-01"], t1, "on_track")
    await report(client, manager, ini["1.1-02"], t1, "action_needed", explanation="a",
                 corrective_action="b")
    kpis = {k["id"]: k for k in (await client.get(
        "/v1/kpis", headers=harness.headers("kpi.reader"))).json()}
    # on 2030-05-10 the current period is T2 (it started on 2030-05-01), nobody reported yet
    assert kpis["status_reports_complete_pct"]["period"] == {
        "kind": "reporting_period", "start": "2030-05-01", "end": "2030-08-31", "label": "2030-T2"}
    assert kpis["status_reports_complete_pct"]["value"] == 0.0
    harness.app.state.clock = FixedClock(datetime(2030, 4, 10, tzinfo=UTC))
    kpis = {k["id"]: k for k in (await client.get(
        "/v1/kpis", headers=harness.headers("kpi.reader"))).json()}
    assert kpis["status_reports_complete_pct"]["value"] == 50.0  # 2 of 4 by the deadline
    assert kpis["initiatives_on_track_pct"]["value"] == 25.0  # not_reported counts against
    assert kpis["initiatives_action_needed"]["value"] == 1
    assert kpis["initiatives_action_needed"]["status"] == "missed"


async def test_plan_tree_with_status_in_period(client, harness, plan):
    manager, ini = plan["manager"], plan["ini"]
    t1, t2 = plan["periods"]["2030-T1"], plan["periods"]["2030-T2"]
    await report(client, manager, ini["1.1-01"], t1, "attention_needed", explanation="late")
    await report(client, manager, ini["1.1-02"], t2, "on_track")
    archived = await client.patch(f"/v1/initiatives/{ini['2.1-01']}", json={"archived": True},
                                  headers={**manager, "If-Match": '"2"'})
    assert archived.status_code == 200, archived.text
    plan_id = (await client.get("/v1/plans", headers=manager)).json()["items"][0]["id"]
    reader = harness.headers("planning.reader")

    def shape(tree):
        return [(pf["number"], [(sd["code"], [(od["code"], [(i["code"], i["status"])
                                                          for i in od["initiatives"]])
                                              for od in sd["operational_goals"]])
                                for sd in pf["strategic_goals"]])
                for pf in tree["policy_fields"]]

    # today 2030-05-10: the current period is T2; delta is archived; OD 2.1 stays, empty
    current = (await client.get(f"/v1/plans/{plan_id}/tree", headers=reader)).json()
    assert current["period"] == "2030-T2" and current["plan"]["year"] == 2030
    assert shape(current) == [
        (1, [("SD 1", [("OD 1.1", [("1.1-01", "not_reported"), ("1.1-02", "on_track")]),
                       ("OD 1.2", [("1.2-01", "not_reported")])])]),
        (2, [("SD 2", [("OD 2.1", [])])])]
    alfa = current["policy_fields"][0]["strategic_goals"][0]["operational_goals"][0][
        "initiatives"][0]
    assert alfa["title"] == "PROJECT ALFA MET EEN TITEL DIE OVER TWEE REGELS LOOPT"
    assert (alfa["kind"], alfa["owner_team"], alfa["results"]) == (
        "project", "team-a", {"open": 2, "achieved": 0, "dropped": 0})

    earlier = (await client.get(f"/v1/plans/{plan_id}/tree", headers=reader, params={
        "period": "2030-T1", "include_archived": "true"})).json()
    assert shape(earlier)[0][1][0][1][0][1] == [("1.1-01", "attention_needed"),
                                                ("1.1-02", "not_reported")]
    assert shape(earlier)[1] == (2, [("SD 2", [("OD 2.1", [("2.1-01", "not_reported")])])])

    harness.app.state.clock = FixedClock(datetime(2029, 12, 1, 10, tzinfo=UTC))
    before = (await client.get(f"/v1/plans/{plan_id}/tree", headers=reader)).json()
    assert before["period"] is None
    assert shape(before)[0][1][0][1][1] == ("OD 1.2", [("1.2-01", None)])

    unknown_period = await client.get(f"/v1/plans/{plan_id}/tree", headers=reader,
                                      params={"period": "2030-T9"})
    assert unknown_period.status_code == 422
    assert unknown_period.json()["code"] == "UNKNOWN_PERIOD"
    assert (await client.get("/v1/plans/999999/tree", headers=reader)).status_code == 404
    assert (await client.get(f"/v1/plans/{plan_id}/tree")).status_code == 401
