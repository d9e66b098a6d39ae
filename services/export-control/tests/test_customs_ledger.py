"""The customs ledger: concurrency, limits, replay, re-credit, validity."""

import asyncio
from datetime import UTC, datetime

from sqlalchemy import select, text

from dkbuza_kit.models import OutboxEvent

LINE_100 = [{"description": "Cartridges", "control_entry": "ML5.a", "quantity": "100",
             "unit": "pieces", "value_eur": "1000.00"}]


def mrn(n: int) -> str:
    return f"26BE{n:014d}"


async def debit(flow, licence, n, quantity="3", value="10.00", line_no=1, item=1):
    return await flow.c.post("/v1/customs/debits", headers=flow.customs, json={
        "licence_number": licence["number"], "line_no": line_no, "mrn": mrn(n),
        "item_number": item, "quantity": quantity, "value": value})


async def availability(flow, licence, headers=None):
    r = await flow.c.get("/v1/customs/availability", headers=headers or flow.customs,
                         params={"licence_number": licence["number"], "line_no": 1})
    assert r.status_code == 200, r.text
    return r.json()


async def test_fifty_concurrent_debits_never_overdraw(flow):
    licence = await flow.granted_licence(lines=LINE_100, line_terms=[
        {"line_no": 1, "control_mode": "quantity"}])
    responses = await asyncio.gather(*[debit(flow, licence, n) for n in range(50)])
    codes = [r.status_code for r in responses]
    assert codes.count(201) == 33
    assert codes.count(409) == 17
    assert all(r.json()["code"] == "LICENCE_QUANTITY_EXCEEDED"
               for r in responses if r.status_code == 409)
    state = await availability(flow, licence)
    assert state["remaining_quantity"] == "1"
    async with flow.h.sessionmaker() as session:
        used = await session.scalar(text("SELECT sum(quantity) FROM ledger_entries"))
    assert used == 99


async def test_both_line_refuses_a_debit_above_the_value_limit(flow):
    licence = await flow.granted_licence(lines=LINE_100)  # default control: both
    assert licence["lines"][0]["control_mode"] == "both"
    r = await debit(flow, licence, 1, quantity="5", value="1000.01")
    assert r.status_code == 409
    assert (r.json()["code"], r.json()["exceeded"]) == ("LICENCE_QUANTITY_EXCEEDED", "value")
    state = await availability(flow, licence)
    assert (state["remaining_quantity"], state["remaining_value"]) == ("100", "1000.00")
    assert (await debit(flow, licence, 2, quantity="5", value="1000.00")).status_code == 201
    assert (await debit(flow, licence, 3, quantity="1", value="0.01")).json()["code"] == \
        "LICENCE_QUANTITY_EXCEEDED"


async def test_replayed_debit_returns_the_original_entry(flow):
    licence = await flow.granted_licence(lines=LINE_100)
    first = await debit(flow, licence, 7, quantity="4", value="40.00")
    assert first.status_code == 201
    again = await debit(flow, licence, 7, quantity="4", value="40.00")
    assert again.status_code == 200
    assert again.json() == first.json()
    assert (await availability(flow, licence))["remaining_quantity"] == "96"


async def test_re_credit_through_a_reversal_entry(flow):
    licence = await flow.granted_licence(lines=LINE_100)
    assert (await debit(flow, licence, 1, quantity="10", value="100.00")).status_code == 201
    body = {"licence_number": licence["number"], "line_no": 1, "mrn": mrn(1),
            "item_number": 1, "quantity": "4", "value": "40.00", "reason": "declaration amended"}
    r = await flow.c.post("/v1/customs/re-credits", headers=flow.customs, json=body)
    assert r.status_code == 201, r.text
    assert (r.json()["kind"], r.json()["quantity"], r.json()["value"]) == (
        "reversal", "-4", "-40.00")
    state = await availability(flow, licence)
    assert (state["remaining_quantity"], state["remaining_value"]) == ("94", "940.00")
    # The rest of the debit is given back without amounts; then nothing is left to give.
    rest = {k: v for k, v in body.items() if k not in ("quantity", "value")}
    assert (await flow.c.post("/v1/customs/re-credits", headers=flow.customs,
                              json=rest)).status_code == 201
    assert (await availability(flow, licence))["remaining_quantity"] == "100"
    r = await flow.c.post("/v1/customs/re-credits", headers=flow.customs, json=rest)
    assert (r.status_code, r.json()["code"]) == (409, "ALREADY_RECREDITED")
    # Entries are never edited: the debit is still there, with two reversals.
    entries = (await flow.c.get("/v1/ledger-entries", headers=flow.officer)).json()
    assert sorted(e["kind"] for e in entries["items"]) == ["debit", "reversal", "reversal"]
    async with flow.h.sessionmaker() as session:
        try:
            await session.execute(text("UPDATE ledger_entries SET quantity = 0"))
            raise AssertionError("the ledger accepted an UPDATE")
        except Exception as exc:  # the append-only trigger
            assert "append-only" in str(exc)


async def test_re_credit_of_an_unknown_declaration_is_404(flow):
    licence = await flow.granted_licence(lines=LINE_100)
    r = await flow.c.post("/v1/customs/re-credits", headers=flow.customs, json={
        "licence_number": licence["number"], "line_no": 1, "mrn": mrn(99), "item_number": 1,
        "reason": "invalidated"})
    assert (r.status_code, r.json()["code"]) == (404, "DECLARATION_NOT_FOUND")
    r = await flow.c.post("/v1/customs/re-credits", headers=flow.customs, json={
        "licence_number": licence["number"], "line_no": 1, "mrn": mrn(1), "item_number": 1,
        "quantity": "1", "reason": "x"})
    assert r.json()["code"] == "DECLARATION_NOT_FOUND"


async def test_recredit_above_the_debit_is_refused(flow):
    licence = await flow.granted_licence(lines=LINE_100)
    await debit(flow, licence, 1, quantity="2", value="20.00")
    r = await flow.c.post("/v1/customs/re-credits", headers=flow.customs, json={
        "licence_number": licence["number"], "line_no": 1, "mrn": mrn(1), "item_number": 1,
        "quantity": "3", "reason": "too much"})
    assert (r.status_code, r.json()["code"]) == (409, "RECREDIT_EXCEEDS_DEBIT")


async def test_suspended_and_revoked_licences_refuse_debits_and_tell_customs(flow):
    licence = await flow.granted_licence(lines=LINE_100)
    r = await flow.c.post(f"/v1/licences/{licence['id']}/suspend", headers=flow.head,
                          json={"reason": "end-use check"})
    assert r.json()["status"] == "suspended"
    r = await debit(flow, licence, 1)
    assert (r.status_code, r.json()["code"]) == (409, "LICENCE_SUSPENDED")
    state = await availability(flow, licence)
    assert (state["valid"], state["reason"]) == (False, "LICENCE_SUSPENDED")
    await flow.c.post(f"/v1/licences/{licence['id']}/revoke", headers=flow.head,
                      json={"reason": "end use changed"})
    r = await debit(flow, licence, 2)
    assert (r.status_code, r.json()["code"]) == (409, "LICENCE_REVOKED")
    async with flow.h.sessionmaker() as session:
        events = (await session.scalars(
            select(OutboxEvent.type).where(OutboxEvent.subject == licence["number"])
            .order_by(OutboxEvent.created_at))).all()
    assert {"licence.suspended", "licence.revoked"} <= set(events)
    # Only the head suspends; a revoked licence cannot be reinstated.
    r = await flow.c.post(f"/v1/licences/{licence['id']}/reinstate", headers=flow.head,
                          json={"reason": "x"})
    assert (r.status_code, r.json()["code"]) == (409, "ILLEGAL_TRANSITION")
    r = await flow.c.post(f"/v1/licences/{licence['id']}/suspend", headers=flow.officer,
                          json={"reason": "x"})
    assert r.status_code == 403


async def test_last_valid_day_until_midnight_brussels_then_expired(flow):
    licence = await flow.granted_licence(lines=LINE_100)
    r = await flow.c.post(f"/v1/applications/{licence['application_id']}/decisions",
                          headers=flow.officer)
    assert r.status_code == 405  # decisions are listed with GET only
    end = licence["valid_until"]
    year, month, day = (int(x) for x in end.split("-"))
    # 23:59:59 Brussels (CET in March: UTC+1) on the last valid day: accepted.
    flow.at(datetime(year, month, day, 22, 59, 59, tzinfo=UTC)
            if month in (11, 12, 1, 2, 3) else datetime(year, month, day, 21, 59, 59, tzinfo=UTC))
    assert (await debit(flow, licence, 1)).status_code == 201
    flow.h.app.state.clock.advance(seconds=1)  # 00:00:00 the next day
    r = await debit(flow, licence, 2)
    assert (r.status_code, r.json()["code"]) == (409, "LICENCE_EXPIRED")


async def test_expiry_job_marks_the_licence_expired(flow):
    from dkbuza_kit.jobs import enqueue, run_due_jobs
    from export_control.jobs import registry

    licence = await flow.granted_licence(lines=LINE_100, decision={"valid_until": "2026-03-31"})
    clock = flow.h.app.state.clock
    clock.set(datetime(2026, 4, 1, 8, 0, tzinfo=UTC))
    async with flow.h.sessionmaker() as session, session.begin():
        await enqueue(session, "licence-expiry", {}, run_at=clock.now())
    assert await run_due_jobs(flow.h.sessionmaker, registry, clock) == 1
    r = await flow.c.get(f"/v1/licences/{licence['id']}", headers=flow.officer)
    assert r.json()["status"] == "expired"


async def test_manual_write_off_uses_the_same_ledger(flow):
    licence = await flow.granted_licence(lines=LINE_100)
    body = {"licence_number": licence["number"], "line_no": 1, "quantity": "30",
            "value": "300.00", "reason": "exported under another procedure"}
    r = await flow.c.post("/v1/ledger-entries", headers=flow.officer, json=body)
    assert (r.status_code, r.json()["kind"]) == (201, "write_off")
    body["quantity"] = "71"
    r = await flow.c.post("/v1/ledger-entries", headers=flow.officer, json=body)
    assert r.json()["code"] == "LICENCE_QUANTITY_EXCEEDED"
    r = await flow.c.post("/v1/ledger-entries", headers=flow.customs, json=body)
    assert r.status_code == 403


async def test_exhausted_licence_and_replenish_on_re_credit(flow):
    licence = await flow.granted_licence(lines=LINE_100, line_terms=[
        {"line_no": 1, "control_mode": "quantity"}])
    assert (await debit(flow, licence, 1, quantity="100")).status_code == 201
    r = await flow.c.get(f"/v1/licences/{licence['id']}", headers=flow.officer)
    assert r.json()["status"] == "exhausted"
    await flow.c.post("/v1/customs/re-credits", headers=flow.customs, json={
        "licence_number": licence["number"], "line_no": 1, "mrn": mrn(1), "item_number": 1,
        "reason": "invalidated"})
    r = await flow.c.get(f"/v1/licences/{licence['id']}", headers=flow.officer)
    assert r.json()["status"] == "issued"


async def test_debit_input_is_validated(flow):
    licence = await flow.granted_licence(lines=LINE_100)
    r = await flow.c.post("/v1/customs/debits", headers=flow.customs, json={
        "licence_number": licence["number"], "line_no": 1, "mrn": "not-an-mrn",
        "item_number": 1, "quantity": "-1", "value": "1.00"})
    assert (r.status_code, r.json()["code"]) == (422, "VALIDATION_ERROR")
    r = await flow.c.post("/v1/customs/debits", headers=flow.customs, json={
        "licence_number": "CSG/2026/999999/L1", "line_no": 1, "mrn": mrn(1),
        "item_number": 1, "quantity": "1", "value": "1.00"})
    assert (r.status_code, r.json()["code"]) == (404, "LICENCE_LINE_NOT_FOUND")
