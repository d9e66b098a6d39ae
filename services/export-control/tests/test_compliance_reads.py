"""Reading transaction reports and infringement cases: filters, object rules (a company sees
only its own, 404 for another's), customs has no access (403)."""

from datetime import UTC
from datetime import datetime

from dkbuza_kit.clock import BRUSSELS

from .conftest import OTHER_COMPANY

ML5 = {"description": "Thermal sights", "control_entry": "ML5.a", "unit": "pieces"}
SWISS = {"role": "end_user", "name": "Swiss Telecom AG", "address": "Bern", "country": "CH"}


def at_brussels(flow, *moment):
    flow.at(datetime(*moment, tzinfo=BRUSSELS).astimezone(UTC))


async def debit(flow, licence, mrn_no, quantity="10", value="100.00"):
    r = await flow.c.post("/v1/customs/debits", headers=flow.customs, json={
        "licence_number": licence["number"], "line_no": 1, "mrn": f"26BE{mrn_no:014d}",
        "item_number": 1, "quantity": quantity, "value": value})
    assert r.status_code == 201, r.text


async def report(flow, headers, licence, mrn_no, quantity="10", value="100.00"):
    r = await flow.c.post("/v1/transaction-reports", headers=headers, json={
        "licence_id": licence["id"], "lines": [
            {"line_no": 1, "mrn": f"26BE{mrn_no:014d}", "item_number": 1,
             "shipped_on": "2026-03-02", "quantity": quantity, "value": value}]})
    assert r.status_code == 201, r.text
    return r.json()


async def other_company_licence(flow):
    """A dual-use licence held by another company (fast track, decided in delegation)."""
    own, flow.applicant = flow.applicant, flow.h.headers("csg.applicant", org=OTHER_COMPANY)
    try:
        return await flow.granted_licence(
            application_type="dual_use_individual_export", destination_country="CH",
            parties=[SWISS], lines=[{"description": "Crypto", "control_entry": "5A002.a.1",
                                     "quantity": "10", "unit": "pieces",
                                     "value_eur": "1000.00"}])
    finally:
        flow.applicant = own


async def reports_scenario(flow):
    """Debits on 2 March 2026 are due on 1 April (30 days). Own licence: a report on
    2 March with a discrepancy, one on 1 April 23:30 (in time), one on 2 April 00:30 Brussels
    (late, although still 1 April in UTC). Another company reports on its own licence."""
    own = await flow.granted_licence(lines=[dict(ML5, quantity="100", value_eur="1000.00")])
    other = await other_company_licence(flow)
    for mrn_no in (1, 2, 3):
        await debit(flow, own, mrn_no)
    await debit(flow, other, 4)
    on_time_discrepancy = await report(flow, flow.applicant, own, 1, quantity="12")
    at_brussels(flow, 2026, 3, 2, 14, 0)  # distinct times: the list order is by time
    other_report = await report(flow, flow.officer, other, 4)
    at_brussels(flow, 2026, 4, 1, 23, 30)
    last_day = await report(flow, flow.applicant, own, 2)
    at_brussels(flow, 2026, 4, 2, 0, 30)
    late = await report(flow, flow.applicant, own, 3)
    return own, other, {"discrepancy": on_time_discrepancy, "last_day": last_day, "late": late,
                        "other": other_report}


async def listed(flow, url, headers, **params):
    r = await flow.c.get(url, headers=headers, params=params)
    assert r.status_code == 200, r.text
    return r.json()


async def test_transaction_report_list_filters_and_company_scope(flow):
    own, other, reports = await reports_scenario(flow)
    assert (reports["discrepancy"]["has_discrepancy"], reports["discrepancy"]["overdue"]) == (
        True, False)
    assert (reports["last_day"]["overdue"], reports["late"]["overdue"]) == (False, True)

    async def ids(headers, **params):
        page = await listed(flow, "/v1/transaction-reports", headers, **params)
        if "limit" not in params:
            assert page["total"] == len(page["items"])
        return [item["id"] for item in page["items"]]

    mine = [reports[k]["id"] for k in ("discrepancy", "last_day", "late")]
    assert await ids(flow.applicant) == mine  # oldest first, never the other company's
    assert await ids(flow.officer) == [mine[0], reports["other"]["id"], *mine[1:]]
    assert await ids(flow.officer, licence_id=other["id"]) == [reports["other"]["id"]]
    assert await ids(flow.applicant, licence_id=other["id"]) == []
    assert await ids(flow.applicant, overdue="true") == [reports["late"]["id"]]
    assert await ids(flow.applicant, overdue="false") == mine[:2]
    assert await ids(flow.applicant, has_discrepancy="true") == [mine[0]]
    assert await ids(flow.applicant, has_discrepancy="false") == mine[1:]
    assert await ids(flow.applicant, period="2026-03") == [mine[0]]
    # 1 April 23:30 and 2 April 00:30 Brussels are both April.
    assert await ids(flow.applicant, period="2026-04") == mine[1:]
    assert await ids(flow.officer, period="2026-Q1", licence_id=own["id"]) == [mine[0]]
    assert await ids(flow.applicant, limit=1, offset=1) == [mine[1]]
    page = await listed(flow, "/v1/transaction-reports", flow.applicant, limit=1, offset=1)
    assert (page["total"], page["limit"], page["offset"]) == (3, 1, 1)
    r = await flow.c.get("/v1/transaction-reports", headers=flow.applicant,
                         params={"period": "2026-14"})
    assert (r.status_code, r.json()["code"]) == (422, "INVALID_PERIOD")
    r = await flow.c.get("/v1/transaction-reports", headers=flow.customs)
    assert r.status_code == 403


async def test_transaction_report_read_is_scoped_to_the_company(flow):
    _, _, reports = await reports_scenario(flow)
    late = reports["late"]
    r = await flow.c.get(f"/v1/transaction-reports/{late['id']}", headers=flow.applicant)
    assert r.status_code == 200, r.text
    assert r.json() == late
    assert r.json()["lines"][0]["mrn"] == "26BE00000000000003"
    url = f"/v1/transaction-reports/{reports['other']['id']}"
    r = await flow.c.get(url, headers=flow.applicant)
    assert (r.status_code, r.json()["code"]) == (404, "NOT_FOUND")
    r = await flow.c.get(url, headers=flow.minister)
    assert r.status_code == 200
    r = await flow.c.get(url, headers=flow.customs)
    assert r.status_code == 403
    r = await flow.c.get("/v1/transaction-reports/8d1f4b8e-0000-4000-8000-000000000000",
                         headers=flow.officer)
    assert (r.status_code, r.json()["code"]) == (404, "NOT_FOUND")
    r = await flow.c.get("/v1/transaction-reports/not-a-uuid", headers=flow.officer)
    assert r.status_code == 422


async def open_case(flow, licence, description):
    r = await flow.c.post("/v1/infringements", headers=flow.officer,
                          json={"licence_id": licence["id"], "description": description})
    assert r.status_code == 201, r.text
    return r.json()


async def cases_scenario(flow):
    own = await flow.granted_licence(lines=[dict(ML5, quantity="100", value_eur="1000.00")])
    other = await other_company_licence(flow)
    own_case = await open_case(flow, own, "exported before the licence was valid")
    at_brussels(flow, 2026, 3, 3, 10, 0)  # distinct times: the list order is by time
    other_case = await open_case(flow, other, "no end-use check")
    r = await flow.c.post(f"/v1/infringements/{other_case['id']}/transitions",
                          headers=flow.officer, json={"to": "dismissed", "outcome": "no breach"})
    assert r.status_code == 200, r.text
    return own, other, own_case, other_case


async def test_infringement_list_filters_and_company_scope(flow):
    own, other, own_case, other_case = await cases_scenario(flow)
    assert (own_case["legal_basis"], other_case["legal_basis"]) == (
        "arms_trade_decree", "dual_use_regulation")

    async def ids(headers, **params):
        page = await listed(flow, "/v1/infringements", headers, **params)
        if "limit" not in params:
            assert page["total"] == len(page["items"])
        return [item["id"] for item in page["items"]]

    both = [own_case["id"], other_case["id"]]
    assert await ids(flow.officer) == both
    assert await ids(flow.applicant) == [own_case["id"]]
    assert await ids(flow.officer, status="dismissed") == [other_case["id"]]
    assert await ids(flow.officer, status="opened") == [own_case["id"]]
    assert await ids(flow.applicant, status="dismissed") == []
    assert await ids(flow.head, legal_basis="dual_use_regulation") == [other_case["id"]]
    assert await ids(flow.head, legal_basis="arms_trade_decree") == [own_case["id"]]
    assert await ids(flow.officer, holder_org=OTHER_COMPANY) == [other_case["id"]]
    # A company cannot widen its view by naming another company.
    assert await ids(flow.applicant, holder_org=OTHER_COMPANY) == []
    assert await ids(flow.officer, licence_id=own["id"]) == [own_case["id"]]
    assert await ids(flow.officer, limit=1, offset=1) == [other_case["id"]]
    for bad in ({"status": "closed"}, {"legal_basis": "criminal_code"}):
        r = await flow.c.get("/v1/infringements", headers=flow.officer, params=bad)
        assert (r.status_code, r.json()["code"]) == (422, "VALIDATION_ERROR")
    r = await flow.c.get("/v1/infringements", headers=flow.customs)
    assert r.status_code == 403


async def test_infringement_read_with_state_history(flow):
    _, _, own_case, other_case = await cases_scenario(flow)
    url = f"/v1/infringements/{own_case['id']}"
    r = await flow.c.post(f"{url}/transitions", headers=flow.officer,
                          json={"to": "investigating", "outcome": "documents requested"})
    assert r.status_code == 200, r.text
    r = await flow.c.get(url, headers=flow.officer)
    assert r.status_code == 200, r.text
    case = r.json()
    assert (case["status"], case["description"]) == (
        "investigating", "exported before the licence was valid")
    assert [(s["action"], s["from_state"], s["to_state"], s["reason"], s["actor"])
            for s in case["history"]] == [
        ("opened", None, "opened", None, "officer-1"),
        ("transition", "opened", "investigating", "documents requested", "officer-1"),
    ]
    r = await flow.c.get(url, headers=flow.applicant)
    assert r.status_code == 200, r.text
    assert [(s["to_state"], s["actor"]) for s in r.json()["history"]] == [
        ("opened", None), ("investigating", None)]  # the company does not see who
    other_url = f"/v1/infringements/{other_case['id']}"
    r = await flow.c.get(other_url, headers=flow.applicant)
    assert (r.status_code, r.json()["code"]) == (404, "NOT_FOUND")
    r = await flow.c.get(other_url, headers=flow.minister)
    assert [s["to_state"] for s in r.json()["history"]] == ["opened", "dismissed"]
    r = await flow.c.get(other_url, headers=flow.customs)
    assert r.status_code == 403
    r = await flow.c.get("/v1/infringements/8d1f4b8e-0000-4000-8000-000000000000",
                         headers=flow.officer)
    assert (r.status_code, r.json()["code"]) == (404, "NOT_FOUND")
