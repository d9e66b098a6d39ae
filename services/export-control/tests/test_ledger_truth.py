"""Ledger truth: one live licence per application, re-credits pro rata, replays that cannot lie,
debits that never commit after a suspension, transaction reports that can be true."""

import asyncio
from decimal import Decimal

import pytest
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import text

from dkbuza_kit.models import OutboxEvent
from export_control.compliance.models import TransactionReport
from export_control.customs.models import LedgerEntry

from .test_customs_ledger import LINE_100
from .test_customs_ledger import availability
from .test_customs_ledger import debit
from .test_customs_ledger import mrn

LINE_3 = [{"description": "Launchers", "control_entry": "ML5.b", "quantity": "3",
           "unit": "pieces", "value_eur": "900.00"}]


async def _count(flow, model, *where) -> int:
    async with flow.h.sessionmaker() as session:
        return await session.scalar(select(func.count()).select_from(model).where(*where))


async def _licences_of(flow, application_id: str) -> list[dict]:
    r = await flow.c.get("/v1/licences", headers=flow.officer, params={"limit": 200})
    return [item for item in r.json()["items"] if item["application_id"] == application_id]


async def test_reopen_suspends_at_once_and_a_regrant_supersedes_with_use_carried_over(flow):
    licence = await flow.granted_licence(lines=LINE_100)
    assert (await debit(flow, licence, 1, quantity="30", value="300.00")).status_code == 201
    app_id = licence["application_id"]
    reopener = flow.h.headers("csg.reopen", "csg.head", sub="reopener")
    await flow.move(app_id, "under_assessment", reopener, reason="new end-use information")
    state = await availability(flow, licence)
    assert (state["valid"], state["reason"]) == (False, "LICENCE_SUSPENDED")
    r = await debit(flow, licence, 2)
    assert (r.status_code, r.json()["code"]) == (409, "LICENCE_SUSPENDED")
    r = await flow.c.post(f"/v1/licences/{licence['id']}/reissue", headers=flow.head,
                          json={"reason": "try to revive"})
    assert (r.status_code, r.json()["code"]) == (409, "ILLEGAL_TRANSITION")
    app = (await flow.c.get(f"/v1/applications/{app_id}", headers=flow.officer)).json()
    await flow.advise_all(app)
    await flow.move(app_id, "advice_given", flow.officer)
    await flow.move(app_id, "countersigned", flow.head)
    decision = await flow.decide(app_id, flow.head)
    licences = await _licences_of(flow, app_id)
    live = [item for item in licences if item["status"] in ("issued", "suspended", "exhausted")]
    assert [item["id"] for item in live] == [decision["licence_id"]]
    old = next(item for item in licences if item["id"] == licence["id"])
    assert old["status"] == "superseded"
    new = live[0]
    assert new["replaces_licence_id"] == licence["id"]
    assert (new["lines"][0]["remaining_quantity"], new["lines"][0]["remaining_value"]) == (
        "70", "700.00")
    r = await debit(flow, licence, 3)
    assert (r.status_code, r.json()["code"]) == (409, "LICENCE_SUPERSEDED")
    async with flow.h.sessionmaker() as session:
        events = (await session.scalars(select(OutboxEvent.type).where(
            OutboxEvent.subject == licence["number"]))).all()
    assert sorted(events) == ["licence.issued", "licence.superseded", "licence.suspended"]


async def test_partial_re_credit_gives_value_back_pro_rata(flow):
    licence = await flow.granted_licence(lines=LINE_3)  # quantity and value
    assert (await debit(flow, licence, 1, quantity="3", value="300.00")).status_code == 201
    body = {"licence_number": licence["number"], "line_no": 1, "mrn": mrn(1),
            "item_number": 1, "reason": "one piece not shipped"}
    r = await flow.c.post("/v1/customs/re-credits", headers=flow.customs,
                          json=body | {"quantity": "1", "value": "300.00"})
    assert (r.status_code, r.json()["code"]) == (422, "RECREDIT_VALUE_MISMATCH")
    assert r.json()["expected_value"] == "100.00"
    assert await _count(flow, LedgerEntry, LedgerEntry.kind == "reversal") == 0
    r = await flow.c.post("/v1/customs/re-credits", headers=flow.customs,
                          json=body | {"quantity": "1"})
    assert r.status_code == 201, r.text
    assert (r.json()["quantity"], r.json()["value"]) == ("-1", "-100.00")
    state = await availability(flow, licence)
    assert (state["remaining_quantity"], state["remaining_value"]) == ("1", "700.00")
    # The value cannot be overdrawn: 2 pieces still debited for 200.00.
    r = await flow.c.post("/v1/customs/re-credits", headers=flow.customs, json=body)
    assert (r.json()["quantity"], r.json()["value"]) == ("-2", "-200.00")
    state = await availability(flow, licence)
    assert (state["remaining_quantity"], state["remaining_value"]) == ("3", "900.00")


@pytest.mark.parametrize(("open_q", "open_v", "quantity", "value", "expected"), [
    ("3", "300.00", "1", None, ("1", "100.00")),
    ("3", "100.00", "1", None, ("1", "33.33")),
    ("3", "100.00", "3", None, ("3", "100.00")),  # the last part: exactly what remains
    ("3", "100.00", "1", "33.34", ("1", "33.34")),  # within a cent
    ("3", "300.00", None, "150.00", ("1.500", "150.00")),
    ("3", "300.00", None, None, ("3", "300.00")),
])
def test_recredit_amounts(open_q, open_v, quantity, value, expected):
    from export_control.customs.service import recredit_amounts
    got = recredit_amounts(Decimal(open_q), Decimal(open_v),
                           None if quantity is None else Decimal(quantity),
                           None if value is None else Decimal(value))
    assert got == (Decimal(expected[0]), Decimal(expected[1]))


async def test_debit_replay_with_another_body_is_422_with_the_original(flow):
    licence = await flow.granted_licence(lines=LINE_100)
    first = await debit(flow, licence, 7, quantity="4", value="40.00")
    assert first.status_code == 201
    r = await debit(flow, licence, 7, quantity="5", value="40.00")
    assert (r.status_code, r.json()["code"]) == (422, "DEBIT_KEY_REUSED")
    assert r.json()["original_entry"]["id"] == first.json()["id"]
    assert r.json()["original_entry"]["quantity"] == "4"
    assert (await availability(flow, licence))["remaining_quantity"] == "96"


async def test_a_debit_waits_for_a_suspension_in_flight_and_is_refused(flow):
    """Deterministic: the suspension holds the licence row; the debit must wait for it."""
    licence = await flow.granted_licence(lines=LINE_100)
    async with flow.h.sessionmaker() as session, session.begin():
        await session.execute(text("UPDATE licences SET status = 'suspended' WHERE id = :id"),
                              {"id": licence["id"]})
        pending = asyncio.create_task(debit(flow, licence, 1))
        await asyncio.sleep(1.0)
        assert not pending.done(), "the debit did not wait for the licence row"
    r = await pending
    assert (r.status_code, r.json()["code"]) == (409, "LICENCE_SUSPENDED")
    assert await _count(flow, LedgerEntry) == 0


async def test_fifty_debits_racing_a_suspension_never_commit_after_it(flow):
    licence = await flow.granted_licence(lines=LINE_100, line_terms=[
        {"line_no": 1, "control_mode": "quantity"}])

    async def suspend():
        await asyncio.sleep(0.05)
        return await flow.c.post(f"/v1/licences/{licence['id']}/suspend", headers=flow.head,
                                 json={"reason": "end-use check"})

    results = await asyncio.gather(suspend(), *[debit(flow, licence, n, quantity="1")
                                                for n in range(50)])
    suspension, debits = results[0], results[1:]
    assert suspension.status_code == 200, suspension.text
    accepted = [r for r in debits if r.status_code == 201]
    assert all(r.json()["code"] == "LICENCE_SUSPENDED" for r in debits if r.status_code != 201)
    # What the suspension saw is what remains: no debit committed after it.
    seen = suspension.json()["lines"][0]["remaining_quantity"]
    assert (await availability(flow, licence))["remaining_quantity"] == seen
    assert Decimal(seen) == 100 - len(accepted)


@pytest.mark.parametrize(("shipped_on", "code"), [
    ("1900-01-01", "DATE_BEFORE_ORIGIN"), ("2099-01-01", "DATE_IN_FUTURE"),
    ("2026-03-03", "DATE_IN_FUTURE"), ("1800-01-01", "VALIDATION_ERROR"),
])
async def test_transaction_report_dated_within_the_licence_and_not_future(flow, shipped_on,
                                                                          code):
    licence = await flow.granted_licence(lines=LINE_100)
    await debit(flow, licence, 1, quantity="4", value="40.00")
    r = await flow.c.post("/v1/transaction-reports", headers=flow.applicant, json={
        "licence_id": licence["id"], "lines": [{"line_no": 1, "mrn": mrn(1), "item_number": 1,
                                                "shipped_on": shipped_on, "quantity": "4",
                                                "value": "40.00"}]})
    assert (r.status_code, r.json()["code"]) == (422, code)
    assert await _count(flow, TransactionReport) == 0


async def test_one_transaction_report_per_debit_line(flow):
    licence = await flow.granted_licence(lines=LINE_100)
    await debit(flow, licence, 1, quantity="4", value="40.00")
    line = {"line_no": 1, "mrn": mrn(1), "item_number": 1, "shipped_on": "2026-03-02",
            "quantity": "4", "value": "40.00"}
    body = {"licence_id": licence["id"], "lines": [line]}
    r = await flow.c.post("/v1/transaction-reports", headers=flow.applicant,
                          json={"licence_id": licence["id"], "lines": [line, line]})
    assert (r.status_code, r.json()["code"]) == (409, "REPORT_LINE_DUPLICATE")
    assert (await flow.c.post("/v1/transaction-reports", headers=flow.applicant,
                              json=body)).status_code == 201
    r = await flow.c.post("/v1/transaction-reports", headers=flow.applicant, json=body)
    assert (r.status_code, r.json()["code"]) == (409, "REPORT_LINE_DUPLICATE")
    assert await _count(flow, TransactionReport) == 1
