"""KPIs, the per-disaster dashboard, norm alerts and exports against a hand-computed fixture,
plus the same figures produced through the API, bulk operations and the demo data."""

import csv
import io
import uuid
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from decimal import Decimal

import openpyxl
import pytest
from df_support import at
from df_support import set_now
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy.dialects.postgresql import insert

from disaster_fund import demo
from disaster_fund.applications.models import Application
from disaster_fund.disasters.models import Disaster

TODAY = at(2025, 10, 1, 10)


def moment(day: date) -> datetime:
    return datetime.combine(day, time(8), tzinfo=UTC)


def disaster_row(key, event_end, publication, investigation, submitted, decision):
    return dict(id=uuid.uuid5(uuid.NAMESPACE_URL, key), reference=f"RAMP-T-{key}", title=key,
                phenomenon="flooding", event_start=event_end, event_end=event_end,
                municipalities=["44021"], regime="regime_2019", state="published", version=1,
                investigation_started_on=investigation, submitted_to_government_on=submitted,
                recognition_decision_date=decision, publication_date=publication,
                scope_municipalities=["44021"], scope_period_start=event_end,
                scope_period_end=event_end, state_changed_at=moment(publication))


def app_row(key, disaster, mark, received, state, **facts):
    row = dict(id=uuid.uuid5(uuid.NAMESPACE_URL, key), disaster_id=disaster["id"],
               applicant_sub=key, channel="online", received_at=moment(received),
               received_on=received, municipality_nis="44021", damage_date=disaster["event_end"],
               category="private_goods", claimed_total=Decimal("10000.00"), state=state,
               state_changed_at=moment(received), version=1, one_year_mark=mark,
               paid_amount=Decimal("0"), recovered_amount=Decimal("0"), paused_days=0,
               phase_paused_days=0, insured=False, insurance_compensation=Decimal("0"),
               crop_insurable_in_principle=True, priority_requested=False, is_late=False,
               phase=None, phase_entered_at=None, open_pause_started_at=None,
               completed_on=None, completion_kind=None, completed_on_time=None,
               lead_gross_days=None, lead_net_days=None, decided_amount=None,
               first_paid_on=None, dossier_number=f"T-{key}")
    row.update(facts)
    return row


@pytest.fixture
async def fixture(client, harness):
    """Three disasters and nine dossiers; every expected figure below is computed by hand."""
    a = disaster_row("A", date(2024, 6, 3), date(2024, 9, 16), date(2024, 6, 10),
                     date(2024, 8, 1), date(2024, 9, 2))     # lead 105 days, mark 2025-09-16
    b = disaster_row("B", date(2025, 1, 12), date(2025, 3, 3), date(2025, 1, 20),
                     date(2025, 2, 10), date(2025, 3, 1))    # lead 50, mark 2026-03-03
    c = disaster_row("C", date(2024, 8, 1), date(2024, 11, 1), date(2024, 8, 5),
                     date(2024, 9, 1), date(2024, 10, 20))   # lead 92, mark 2025-11-01 (31 days)
    ma, mb, mc = date(2025, 9, 16), date(2026, 3, 3), date(2025, 11, 1)
    apps = [
        app_row("a1", a, ma, date(2024, 10, 1), "paid", completed_on=date(2025, 3, 1),
                completion_kind="paid", completed_on_time=True, first_paid_on=date(2025, 3, 1),
                decided_amount=Decimal("8000.00"), paid_amount=Decimal("8000.00"),
                recovered_amount=Decimal("1000.00"), lead_gross_days=151, lead_net_days=141),
        app_row("a2", a, ma, date(2024, 10, 1), "final", completed_on=date(2025, 9, 20),
                completion_kind="rejected", completed_on_time=False,
                decided_amount=Decimal("0.00"), lead_gross_days=354, lead_net_days=354),
        app_row("a3", a, ma, date(2024, 10, 1), "inadmissible", completed_on=date(2024, 10, 15),
                completion_kind="inadmissible", completed_on_time=True, lead_gross_days=14,
                lead_net_days=14),
        app_row("a4", a, ma, date(2024, 10, 2), "withdrawn"),
        app_row("a5", a, ma, date(2024, 12, 1), "intake", phase="intake",
                phase_entered_at=moment(date(2024, 12, 1)), phase_paused_days=5),
        app_row("b1", b, mb, date(2025, 3, 10), "paid", completed_on=date(2025, 6, 1),
                completion_kind="paid", completed_on_time=True, first_paid_on=date(2025, 6, 1),
                decided_amount=Decimal("5000.00"), paid_amount=Decimal("5000.00"),
                lead_gross_days=83, lead_net_days=83),
        app_row("b2", b, mb, date(2025, 9, 1), "intake", phase="intake",
                phase_entered_at=moment(date(2025, 9, 1)),
                open_pause_started_at=moment(date(2025, 9, 25))),
        app_row("c1", c, mc, date(2024, 12, 15), "expert_assigned", phase="expertise",
                phase_entered_at=moment(date(2025, 8, 1))),
    ]
    async with harness.sessionmaker() as session, session.begin():
        await session.execute(insert(Disaster).values([a, b, c]))
        await session.execute(insert(Application).values(apps))
    set_now(harness, TODAY)
    return {"A": a, "B": b, "C": c}


async def test_kpis_match_the_hand_computed_fixture(fixture, client, harness):
    response = await client.get("/v1/kpis", headers=harness.headers("kpi.reader"))
    assert response.status_code == 200, response.text
    kpis = {k["id"]: k for k in response.json()}
    within = kpis["applications_completed_within_1y_pct"]
    assert within["value"] == 50.0 and within["status"] == "missed"    # A only: 2 of 4
    by_ref = {row["reference"]: row for row in within["breakdown"]}
    assert (by_ref["RAMP-T-A"]["on_time"], by_ref["RAMP-T-A"]["submitted"]) == (2, 4)
    assert by_ref["RAMP-T-B"]["pct"] == 50.0 and by_ref["RAMP-T-C"]["pct"] == 0.0
    assert kpis["recognition_lead_time_median_days"]["value"] == 92.0
    assert kpis["recognition_lead_time_p90_days"]["value"] == 102.4   # 92 + 0.8 * 13
    years = {row["year"]: row for row in kpis["recognition_lead_time_median_days"]["breakdown"]}
    assert years[2024]["median_days"] == 98.5 and years[2025]["median_days"] == 50.0
    assert years[2025]["investigation_median_days"] == 21.0
    assert kpis["recognition_to_payout_median_days"]["value"] == 128.0  # (166 + 90) / 2
    assert kpis["backlog_open_applications"]["value"] == 1              # a5
    assert kpis["backlog_open_applications"]["breakdown"] == [
        {"age_band": "0-90", "open_applications": 1},
        {"age_band": "91-180", "open_applications": 0},
        {"age_band": "181-365", "open_applications": 2},
        {"age_band": ">365", "open_applications": 0}]
    assert kpis["applications_at_risk"]["value"] == 1                   # c1
    assert kpis["dossier_lead_time_gross_avg_days"]["value"] == 150.5   # 602 / 4
    assert kpis["dossier_lead_time_net_avg_days"]["value"] == 148.0     # 592 / 4
    assert (await client.get("/v1/kpis", headers=harness.headers("vrf.citizen"))).status_code == 403


async def test_dashboard_matches_the_fixture_and_keeps_its_invariant(fixture, client, harness):
    did = fixture["A"]["id"]
    response = await client.get(f"/v1/disasters/{did}/dashboard",
                                headers=harness.headers("kpi.reader"))
    board = response.json()
    assert (board["submitted"], board["in_progress"], board["completed"], board["withdrawn"]) == \
        (5, 1, 3, 1)
    assert board["submitted"] == board["in_progress"] + board["completed"] + board["withdrawn"]
    assert (board["completed_paid"], board["completed_rejected"],
            board["completed_inadmissible"]) == (1, 1, 1)
    assert board["on_time_pct"] == 50.0 and board["at_risk"] == 0
    assert board["lead_time_gross_avg_days"] == 173.0 and board["lead_time_gross_median_days"] == 151.0
    assert board["lead_time_net_avg_days"] == 169.7 and board["lead_time_net_median_days"] == 141.0
    assert (board["amount_decided"], board["amount_paid_gross"], board["amount_paid_net"]) == \
        ("8000.00", "8000.00", "7000.00")
    at_risk = (await client.get(f"/v1/disasters/{fixture['C']['id']}/dashboard",
                                headers=harness.headers("vrf.handler"))).json()
    assert at_risk["at_risk"] == 1
    denied = await client.get(f"/v1/disasters/{did}/dashboard", headers=harness.headers("vrf.citizen"))
    assert denied.status_code == 403


async def test_norm_alerts(fixture, client, harness):
    url = "/v1/applications/norm-alerts"
    response = await client.get(url, headers=harness.headers("vrf.handler"))
    assert response.status_code == 200, response.text
    overdue = response.json()
    assert [i["dossier_number"] for i in overdue["items"]] == ["T-a5"]
    assert overdue["items"][0]["net_days_in_phase"] == 299                 # 304 - 5 paused
    at_risk = (await client.get(f"{url}?status=at_risk", headers=harness.headers("vrf.handler"))).json()
    assert [(i["dossier_number"], i["net_days_in_phase"]) for i in at_risk["items"]] == [("T-b2", 24)]
    bad = await client.get(f"{url}?status=late", headers=harness.headers("vrf.handler"))
    assert bad.status_code == 422


async def test_exports_csv_and_xlsx(fixture, client, harness):
    headers = harness.headers("vrf.handler")
    did = fixture["A"]["id"]
    response = await client.get(f"/v1/exports/applications.csv?disaster_id={did}", headers=headers)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, for Excel
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert sorted(r["dossier_number"] for r in rows) == ["T-a1", "T-a2", "T-a3", "T-a4", "T-a5"]
    assert next(r for r in rows if r["dossier_number"] == "T-a1")["recovered_amount"] == "1000.00"
    xlsx = await client.get("/v1/exports/applications.xlsx", headers=headers)
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "dossier_number" and len(values) == 1 + 8
    # Typed cells: dates as Excel dates, booleans as booleans, nothing as an empty cell.
    column = {name: index for index, name in enumerate(values[0])}
    first = values[1]
    assert isinstance(first[column["received_on"]], datetime)
    assert sheet.cell(row=2, column=column["received_on"] + 1).number_format == "yyyy-mm-dd"
    assert isinstance(first[column["is_late"]], bool)
    assert all(row[column["completion_kind"]] is None or row[column["completion_kind"]] != ""
               for row in values[1:])
    board = await client.get(f"/v1/exports/disasters/{did}/dashboard.csv", headers=headers)
    assert "amount_paid_net,7000.00" in board.text
    board_xlsx = await client.get(f"/v1/exports/disasters/{did}/dashboard.xlsx", headers=headers)
    cells = dict(list(openpyxl.load_workbook(io.BytesIO(board_xlsx.content)).active
                      .iter_rows(values_only=True))[1:])
    assert cells["submitted"] == 5 and cells["on_time_pct"] == 50.0
    assert (await client.get("/v1/exports/applications.pdf", headers=headers)).status_code == 422
    citizen = await client.get("/v1/exports/applications.csv", headers=harness.headers("vrf.citizen"))
    assert citizen.status_code == 403


async def test_dashboard_through_the_api_recovery_does_not_uncomplete(api, client, harness):
    disaster = await api.published_disaster()
    paid = await api.submit(disaster["id"], headers=api.citizen("p"))
    await api.to_final(paid["id"])
    payment = (await client.post("/v1/payments", headers=api.manager,
                                 json={"application_id": paid["id"]})).json()
    api.ensure_now_after(date(2024, 12, 10) - timedelta(days=1))
    await client.post(f"/v1/payments/{payment['id']}/execution", headers=api.manager,
                      json={"executed_on": "2024-12-10"})
    withdrawn = await api.submit(disaster["id"], headers=api.citizen("w"))
    await api.step(withdrawn["id"], "withdrawn", headers=api.citizen("w"), reason="hersteld")
    rejected = await api.submit(disaster["id"], headers=api.citizen("r"))
    await api.step(rejected["id"], "inadmissible", reason="geen ramp­schade")
    await api.submit(disaster["id"], headers=api.citizen("o"))
    url = f"/v1/disasters/{disaster['id']}/dashboard"
    before = (await client.get(url, headers=api.manager)).json()
    recovery = (await client.post("/v1/recoveries", headers=api.manager, json={
        "application_id": paid["id"], "amount": "550.00", "reason": "verzekering"})).json()
    await client.post(f"/v1/recoveries/{recovery['id']}/transitions", headers=api.manager,
                      json={"to_state": "settled"})
    after = (await client.get(url, headers=api.manager)).json()
    assert (after["submitted"], after["in_progress"], after["completed"], after["withdrawn"]) == \
        (4, 1, 2, 1)
    assert after["completed"] == before["completed"] and after["completed_on_time"] == 2
    assert before["amount_paid_net"] == "8550.00" and after["amount_paid_net"] == "8000.00"
    assert after["amount_decided"] == "8550.00"


async def test_bulk_expert_assignment_and_bulk_payments(api, client):
    disaster = await api.published_disaster()
    first = await api.submit(disaster["id"], headers=api.citizen("1"))
    second = await api.submit(disaster["id"], headers=api.citizen("2"))
    unready = await api.submit(disaster["id"], headers=api.citizen("3"))
    for application in (first, second):
        await api.step(application["id"], "intake")
    missing = str(uuid.uuid4())
    response = await client.post("/v1/applications/bulk/expert-assignment", headers=api.handler,
                                 json={"application_ids": [first["id"], second["id"], unready["id"],
                                                           missing], "expert_sub": "expert-9"})
    body = response.json()
    assert (body["succeeded"], body["failed"]) == (2, 2)
    codes = {r["application_id"]: r["code"] for r in body["results"]}
    assert codes[missing] == "NOT_FOUND"
    assert codes[unready["id"]] == "ILLEGAL_TRANSITION"     # still submitted, not in intake
    listed = await client.get("/v1/applications?expert_sub=expert-9", headers=api.handler)
    assert listed.json()["total"] == 2
    payments = await client.post("/v1/payments/bulk", headers=api.handler,
                                 json={"application_ids": [unready["id"]]})
    assert payments.json()["results"][0]["code"] == "NO_DECISION"


async def test_demo_is_idempotent(client, harness):
    first = await demo.load(harness.sessionmaker)
    second = await demo.load(harness.sessionmaker)
    assert first > 200 and second == 0
    async with harness.sessionmaker() as session:
        count = await session.scalar(select(func.count()).select_from(Application))
        states = (await session.execute(text("SELECT count(DISTINCT state) FROM disasters"))).scalar()
    assert count == first and states >= 4
    response = await client.get("/v1/kpis", headers=harness.headers("kpi.reader"))
    assert response.status_code == 200


STATS_CHECK = text("""
SELECT s.disaster_id FROM (
  SELECT disaster_id, sum(submitted) AS submitted, sum(withdrawn) AS withdrawn,
         sum(completed) AS completed, sum(completed_on_time) AS completed_on_time,
         sum(lead_gross_sum) AS lead_gross_sum, sum(amount_paid) AS amount_paid,
         sum(amount_recovered) AS amount_recovered
  FROM disaster_application_stats GROUP BY disaster_id) s
FULL JOIN (
  SELECT disaster_id, count(*) AS submitted,
         count(*) FILTER (WHERE state = 'withdrawn' AND completed_on IS NULL) AS withdrawn,
         count(*) FILTER (WHERE completed_on IS NOT NULL) AS completed,
         count(*) FILTER (WHERE completed_on_time) AS on_time,
         coalesce(sum(lead_gross_days), 0) AS gross, coalesce(sum(paid_amount), 0) AS paid,
         coalesce(sum(recovered_amount), 0) AS recovered
  FROM applications GROUP BY disaster_id) a USING (disaster_id)
WHERE (s.submitted, s.withdrawn, s.completed, s.completed_on_time, s.lead_gross_sum,
       s.amount_paid, s.amount_recovered)
      IS DISTINCT FROM (a.submitted, a.withdrawn, a.completed, a.on_time, a.gross, a.paid,
                        a.recovered)
""")


async def test_incremental_stats_equal_a_full_recount(api, client, harness):
    """The trigger-maintained figures equal a recount after API changes and a bulk load."""
    await demo.load(harness.sessionmaker)
    disaster = await api.published_disaster()
    paid = await api.submit(disaster["id"], headers=api.citizen("p"))
    await api.to_final(paid["id"])
    payment = (await client.post("/v1/payments", headers=api.manager,
                                 json={"application_id": paid["id"]})).json()
    await client.post(f"/v1/payments/{payment['id']}/execution", headers=api.manager, json={})
    withdrawn = await api.submit(disaster["id"], headers=api.citizen("w"))
    await api.step(withdrawn["id"], "withdrawn", headers=api.citizen("w"), reason="x")
    async with harness.sessionmaker() as session:
        assert (await session.execute(STATS_CHECK)).all() == []
        open_total = await session.scalar(text(
            "SELECT sum(open_count) FROM open_applications_by_day"))
        recount = await session.scalar(text(
            "SELECT count(*) FROM applications WHERE completed_on IS NULL AND state <> 'withdrawn'"))
    assert open_total == recount


@pytest.mark.parametrize(("histogram", "fraction", "expected"), [
    ([], 0.5, None),
    ([(90, 1), (166, 1)], 0.5, 128.0),
    ([(50, 1), (92, 1), (105, 1)], 0.9, 102.4),
    ([(10, 3), (20, 1)], 0.5, 10.0),           # ranks 10, 10, 10, 20: position 1.5 -> 10
    ([(10, 1), (20, 3)], 0.5, 20.0),
])
def test_weighted_percentile_matches_percentile_cont(histogram, fraction, expected):
    from disaster_fund.kpis import weighted_percentile

    result = weighted_percentile(histogram, fraction)
    assert (result if result is None else round(result, 6)) == expected
