"""Reports (hand-computed fixtures), KPIs, transaction reports and infringements."""

import csv
import io
from datetime import UTC
from datetime import datetime

import openpyxl

from dkbuza_kit.clock import BRUSSELS
from dkbuza_kit.jobs import enqueue
from dkbuza_kit.jobs import run_due_jobs
from export_control.jobs import registry


def at(flow, y, m, d, hh=10):
    flow.at(datetime(y, m, d, hh, tzinfo=BRUSSELS).astimezone(UTC))


ML5 = {"description": "Thermal sights", "control_entry": "ML5.a", "unit": "pieces"}
PARTY = {"role": "end_user", "name": "Swiss Telecom AG", "address": "Bern", "country": "CH"}


async def decided(flow, submitted_on, decided_on, outcome="granted", criteria=None, **body):
    at(flow, *submitted_on)
    app = await flow.submitted(**body)
    app = await flow.to_countersigned(app)
    at(flow, *decided_on)
    payload = {"outcome": outcome} | ({"refusal_criteria": criteria} if criteria else {})
    return app, await flow.decide(app["id"], flow.head, **payload)


async def month_of_decisions(flow):
    # A: standard track, submitted Mon 4 May, granted Thu 7 May: 3 working days.
    a, a_decision = await decided(flow, (2026, 5, 4), (2026, 5, 7), lines=[
        dict(ML5, quantity="10", value_eur="250000.00")])
    # B: fast track (dual-use to CH), granted Wed 20 May: 11 working days (Ascension 14 May
    # excluded), above the indicative 10.
    await decided(flow, (2026, 5, 4), (2026, 5, 20), application_type="dual_use_individual_export",
                  destination_country="CH", parties=[PARTY], lines=[
                      {"description": "Crypto", "control_entry": "5a002a1", "quantity": "3",
                       "unit": "pieces", "value_eur": "10000.00"}])
    # C: standard track, refused Mon 11 May on criteria 2 and 7: 5 working days.
    await decided(flow, (2026, 5, 4), (2026, 5, 11), outcome="refused", criteria=[7, 2],
                  lines=[dict(ML5, quantity="5", value_eur="100000.00")])
    # A's licence is reissued and the reissued licence revoked: neither is a new decision.
    at(flow, 2026, 5, 25)
    r = await flow.c.post(f"/v1/licences/{a_decision['licence_id']}/reissue",
                          headers=flow.head, json={"reason": "new address"})
    assert r.status_code == 201, r.text
    r = await flow.c.post(f"/v1/licences/{r.json()['id']}/revoke", headers=flow.head,
                          json={"reason": "embargo"})
    assert r.json()["status"] == "revoked"
    return a


async def test_parliament_report_counts_each_decision_once(flow):
    await month_of_decisions(flow)
    report = await flow.report("parliament", period="2026-05")
    assert report["totals"] == {"granted": 2, "refused": 1}
    assert report["rows"] == [
        {"destination_country": "CH", "category": "5", "granted": 1, "granted_value": "10000.00",
         "refused": 0, "refused_value": "0.00"},
        {"destination_country": "NO", "category": "ML5", "granted": 1,
         "granted_value": "250000.00", "refused": 1, "refused_value": "100000.00"},
    ]
    assert report["refusal_criteria"] == [{"criterion": 2, "refusals": 1},
                                          {"criterion": 7, "refusals": 1}]
    half = await flow.report("parliament", period="2026-H1")
    assert half["totals"] == report["totals"]
    april = await flow.report("parliament", period="2026-04")
    assert april["totals"] == {"granted": 0, "refused": 0}
    r = await flow.c.get("/v1/reports/parliament", params={"period": "2026-13"},
                         headers=flow.officer)
    assert (r.status_code, r.json()["code"]) == (422, "INVALID_PERIOD")
    r = await flow.c.get("/v1/reports/parliament.csv", params={"period": "2026-05"},
                         headers=flow.officer)
    assert r.content.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, for Excel
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["destination_country", "category", "granted"]
    assert rows[2] == ["NO", "ML5", "1", "250000.00", "1", "100000.00"]
    annual = await flow.report("annual", year="2026")
    assert annual["totals"] == {"granted": 1, "refused": 1}  # military only


async def test_turnaround_report_matches_the_fixture(flow):
    await month_of_decisions(flow)
    report = await flow.report("turnaround", flow.minister, quarter="2026-Q2")
    assert report["tracks"] == [
        {"track": "fast", "decided": 1, "median_working_days": "11", "p90_working_days": "11",
         "within_max_pct": "0.0", "indicative_max_working_days": 10,
         "decided_in_delegation": 1, "decided_by_minister": 0},
        # standard: 3 and 5 days -> median 4, P90 = 3 + 0.9 * (5 - 3) = 4.8
        {"track": "standard", "decided": 2, "median_working_days": "4",
         "p90_working_days": "4.8", "within_max_pct": "100.0",
         "indicative_max_working_days": 30, "decided_in_delegation": 2,
         "decided_by_minister": 0},
    ]
    r = await flow.c.get("/v1/reports/turnaround.xlsx",
                         params={"quarter": "2026-Q2"}, headers=flow.officer)
    sheet = openpyxl.load_workbook(io.BytesIO(r.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "track" and values[2][:3] == ("standard", 2, 4)
    kpis = {k["id"]: k for k in (await flow.c.get("/v1/kpis", headers=flow.h.headers(
        "kpi.reader"))).json()}
    assert kpis["median_turnaround_working_days"]["value"] == 5.0  # of 3, 5, 11
    assert round(kpis["decided_within_indicative_max_pct"]["value"], 1) == 66.7
    assert kpis["decided_in_delegation_pct"]["value"] == 100.0
    assert kpis["open_backlog"]["value"] == 0


async def test_transaction_reports_discrepancy_overdue_and_infringement(flow):
    licence = await flow.granted_licence(lines=[dict(ML5, quantity="100", value_eur="1000.00")])
    await flow.c.post("/v1/customs/debits", headers=flow.customs, json={
        "licence_number": licence["number"], "line_no": 1, "mrn": "26BE00000000000001",
        "item_number": 1, "quantity": "10", "value": "100.00"})
    await flow.c.post("/v1/customs/debits", headers=flow.customs, json={
        "licence_number": licence["number"], "line_no": 1, "mrn": "26BE00000000000002",
        "item_number": 1, "quantity": "5", "value": "50.00"})
    r = await flow.c.post("/v1/transaction-reports", headers=flow.applicant, json={
        "licence_id": licence["id"], "lines": [
            {"line_no": 1, "mrn": "26BE00000000000001", "item_number": 1,
             "shipped_on": "2026-03-02", "quantity": "12", "value": "100.00"}]})
    assert r.status_code == 201, r.text
    assert r.json()["has_discrepancy"] is True
    assert r.json()["lines"][0]["ledger_quantity"] == "10"
    other = flow.h.headers("csg.applicant", org="0987654321")
    r = await flow.c.post("/v1/transaction-reports", headers=other, json={
        "licence_id": licence["id"], "lines": [
            {"line_no": 1, "mrn": "26BE00000000000001", "item_number": 1,
             "shipped_on": "2026-03-02", "quantity": "10", "value": "100.00"}]})
    assert r.status_code == 404
    # The second debit is never reported: overdue after 30 days, a case after 30 more.
    clock = flow.h.app.state.clock
    for day in (datetime(2026, 4, 2, 8, tzinfo=UTC), datetime(2026, 5, 3, 8, tzinfo=UTC)):
        clock.set(day)
        async with flow.h.sessionmaker() as session, session.begin():
            await enqueue(session, "overdue-transaction-reports", {}, run_at=day)
        assert await run_due_jobs(flow.h.sessionmaker, registry, clock) == 1
        if day.month == 4:
            obligations = (await flow.c.get("/v1/transaction-reports/obligations",
                                            headers=flow.applicant)).json()["items"]
            assert sorted(o["status"] for o in obligations) == ["overdue", "reported"]
            kpis = {k["id"]: k for k in (await flow.c.get("/v1/kpis",
                                                          headers=flow.officer)).json()}
            assert kpis["overdue_transaction_reports"]["value"] == 1
    cases = (await flow.c.get("/v1/infringements", headers=flow.officer)).json()["items"]
    assert [(c["legal_basis"], c["follow_up"], c["status"]) for c in cases] == [
        ("arms_trade_decree", "administrative_sanction", "opened")]
    url = f"/v1/infringements/{cases[0]['id']}/transitions"
    r = await flow.c.post(url, headers=flow.officer, json={"to": "sanctioned"})
    assert (r.status_code, r.json()["code"]) == (409, "ILLEGAL_TRANSITION")
    for step in ("investigating", "established", "sanctioned"):
        r = await flow.c.post(url, headers=flow.officer, json={"to": step, "outcome": "fine"})
        assert r.json()["status"] == step
    assert r.json()["closed_at"] is not None


async def test_routing_rule_sets_are_versioned(flow):
    sets = (await flow.c.get("/v1/routing-rule-sets", headers=flow.officer)).json()
    content = dict(sets[0]["content"], version="2026.3", fast_value_limit="1.00")
    r = await flow.c.post("/v1/routing-rule-sets", headers=flow.officer, json=content)
    assert r.status_code == 403
    r = await flow.c.post("/v1/routing-rule-sets", headers=flow.head, json=content)
    assert r.status_code == 201, r.text
    r = await flow.c.post("/v1/routing-rule-sets", headers=flow.head, json=content)
    assert (r.status_code, r.json()["code"]) == (409, "RULE_SET_VERSION_EXISTS")
    app = await flow.submitted(application_type="dual_use_individual_export",
                               destination_country="CH", parties=[PARTY], lines=[
                                   {"description": "x", "control_entry": "5A002",
                                    "quantity": "1", "unit": "pcs", "value_eur": "2.00"}])
    results = (await flow.c.get(f"/v1/applications/{app['id']}/routing-results",
                                headers=flow.officer)).json()
    assert results[-1]["rule_set_version"] == "2026.3"
    assert results[-1]["inputs"]["total_value"] == "2.00"
    assert results[-1]["track"] == "standard"
