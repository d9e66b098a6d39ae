"""The customs ledger: concurrency, limits, replay, re-credit, validity."""

import asyncio
from contextlib import contextmanager
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import event
from sqlalchemy import select
from sqlalchemy import text

from dkbuza_kit.models import OutboxEvent
from export_control.customs import service as customs

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
        obligations = await session.scalar(text("SELECT count(*) FROM report_obligations"))
    assert used == 99
    # A refused debit leaves nothing behind: no entry, no report obligation.
    assert obligations == 33


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
    from dkbuza_kit.jobs import enqueue
    from dkbuza_kit.jobs import run_due_jobs
    from export_control.jobs import registry

    licence = await flow.granted_licence(lines=LINE_100, decision={"valid_until": "2026-03-31"})
    clock = flow.h.app.state.clock
    clock.set(datetime(2026, 4, 1, 8, 0, tzinfo=UTC))
    async with flow.h.sessionmaker() as session, session.begin():
        await enqueue(session, "licence-expiry", {}, run_at=clock.now())
    assert await run_due_jobs(flow.h.sessionmaker, registry, clock) == 1
    r = await flow.c.get(f"/v1/licences/{licence['id']}", headers=flow.officer)
    assert r.json()["status"] == "expired"


async def _write_off(flow, quantity: str, value: str, reason: str):
    """An officer's manual write-off on line 1 of a new 100-unit licence: (body, response)."""
    licence = await flow.granted_licence(lines=LINE_100)
    body = {"licence_number": licence["number"], "line_no": 1, "quantity": quantity,
            "value": value, "reason": reason}
    return body, await flow.c.post("/v1/ledger-entries", headers=flow.officer, json=body)


async def test_manual_write_off_uses_the_same_ledger(flow):
    body, r = await _write_off(flow, "30", "300.00", "exported under another procedure")
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


@contextmanager
def statements_of(harness):
    """The SQL statements the app sends while the block runs (BEGIN/COMMIT and the kit's
    per-request `SET LOCAL statement_timeout` not included)."""
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if not statement.startswith("SET LOCAL statement_timeout"):
            seen.append(" ".join(statement.split()))

    engine = harness.app.state.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


async def test_debit_takes_the_line_lock_in_its_last_statement(flow):
    """The hot line serialises on its row lock: the conditional UPDATE that takes it is the
    last statement before the commit, after the entry and the obligation are written, and
    nothing is re-read."""
    licence = await flow.granted_licence(lines=LINE_100)
    with statements_of(flow.h) as seen:
        r = await debit(flow, licence, 1, quantity="4", value="40.00")
    assert r.status_code == 201, r.text
    assert (r.json()["kind"], r.json()["quantity"], r.json()["value"], r.json()["mrn"]) == (
        "debit", "4", "40.00", mrn(1))
    assert len(seen) == 3, seen
    assert seen[0].startswith("SELECT licences.id")
    assert seen[1].startswith("WITH entry AS (INSERT INTO ledger_entries")
    assert "INSERT INTO report_obligations" in seen[1]
    assert seen[2].startswith("UPDATE licence_lines SET remaining_quantity")
    # A replay is answered from the first statement alone.
    with statements_of(flow.h) as seen:
        again = await debit(flow, licence, 1, quantity="4", value="40.00")
    assert (again.status_code, again.json()) == (200, r.json())
    assert len(seen) == 1, seen
    async with flow.h.sessionmaker() as session:
        obligation = (await session.execute(text(
            "SELECT o.licence_id::text, o.holder_org, o.status, o.due_on, o.escalate_on "
            "FROM report_obligations o WHERE o.ledger_entry_id = :id"),
            {"id": r.json()["id"]})).one()
    settings = flow.h.app.state.settings
    due = date(2026, 3, 2) + timedelta(days=settings.transaction_report_term_days)
    assert tuple(obligation) == (licence["id"], licence["holder_org"], "open", due,
                                 due + timedelta(days=settings.transaction_report_grace_days))


async def _wait_until_a_debit_waits_on_a_lock(harness) -> None:
    for _ in range(100):
        # A fresh transaction each time: pg_stat_activity is a snapshot per transaction.
        async with harness.sessionmaker() as session:
            waiting = await session.scalar(text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND query LIKE '%INSERT INTO ledger_entries%'"))
        if waiting:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the duplicate debit never waited for the first")


async def test_concurrent_duplicate_debit_returns_the_first_entry(flow):
    """Two requests with the same (MRN, item, line) in flight at once: the second waits on
    the first's key, then answers with the first's entry and takes nothing off the line."""
    licence = await flow.granted_licence(lines=LINE_100)
    settings = flow.h.app.state.settings
    args = dict(licence_number=licence["number"], line_no=1, mrn=mrn(5), item_number=1,
                quantity=Decimal("6"), value=Decimal("60.00"), actor="certex",
                settings=settings, today=date(2026, 3, 2),
                now=datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    async with flow.h.sessionmaker() as first, flow.h.sessionmaker() as second:
        entry, replayed = await customs.debit(first, **args)
        assert not replayed
        duplicate = asyncio.create_task(customs.debit(second, **args))
        try:
            await _wait_until_a_debit_waits_on_a_lock(flow.h)
            await first.commit()
        finally:
            await first.rollback()  # lets the duplicate go on if the wait failed
            original, replayed = await duplicate
        await second.commit()
    assert replayed
    assert original == entry
    assert (await availability(flow, licence))["remaining_quantity"] == "94"


async def test_manual_write_off_refused_leaves_nothing(flow):
    _, r = await _write_off(flow, "101", "1.00", "too much")
    assert (r.status_code, r.json()["code"]) == (409, "LICENCE_QUANTITY_EXCEEDED")
    async with flow.h.sessionmaker() as session:
        counts = (await session.execute(text(
            "SELECT (SELECT count(*) FROM ledger_entries), "
            "(SELECT count(*) FROM audit_events WHERE action = 'write_off')"))).one()
    assert tuple(counts) == (0, 0)
