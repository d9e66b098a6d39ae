"""Open applications against their track's indicative maximum: the daily `open-turnaround`
job (stored figures from the event table) and the KPI `open_past_indicative_max`.

Hand-computed timeline (May 2026; holidays: Ascension Thu 14 May, Whit Monday 25 May; the
clock counts working days after the submission day, a paused day is one in (opened, answered]):

- D, W: fast (max 10), submitted Mon 4 May. On Wed 20 May: 5-8 May (4) + 11-13, 15 May (4) +
  18-20 May (3) = 11 > 10, past. Then D is decided and W withdrawn: both stop counting.
- F: fast (max 10), submitted Mon 11 May. On Tue 2 June: 12, 13, 15 May (3) + 18-22 (5) +
  26-29 (4) + 1-2 June (2) = 14 > 10, past.
- S: standard (max 30), submitted Mon 11 May: 14 on 2 June, within.
- P: fast (max 10), submitted Mon 11 May, information requested Fri 15 May, answered Fri 29
  May: paused 18-22 (5) + 26-29 May (4) = 9, so 14 - 9 = 5 on 2 June, within (it would be past
  if the pause were counted).
"""

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta

from sqlalchemy import text

from dkbuza_kit.clock import BRUSSELS
from dkbuza_kit.clock import FixedClock
from dkbuza_kit.jobs import enqueue_schedules
from dkbuza_kit.jobs import run_due_jobs
from export_control.jobs import OPEN_TURNAROUND_TASK
from export_control.jobs import open_turnaround
from export_control.jobs import registry

ML5 = {"description": "Thermal sights", "control_entry": "ML5.a", "quantity": "10",
       "unit": "pieces", "value_eur": "250000.00"}
DUAL_USE = {"application_type": "dual_use_individual_export", "destination_country": "CH",
            "parties": [{"role": "end_user", "name": "Swiss Telecom AG", "address": "Bern",
                         "country": "CH"}],
            "lines": [{"description": "Crypto", "control_entry": "5a002a1", "quantity": "3",
                       "unit": "pieces", "value_eur": "10000.00"}]}

FIGURES_SQL = text("""
SELECT application_id::text AS id, track, indicative_max_working_days AS max,
       working_days, paused_working_days AS paused, past_max, as_of, xmin::text AS row_version
FROM open_turnaround_figures ORDER BY application_id
""")


def brussels(day: int, month: int = 5, hour: int = 10) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=BRUSSELS).astimezone(UTC)


async def stored_figures(harness) -> dict[str, dict]:
    async with harness.sessionmaker() as session:
        rows = (await session.execute(FIGURES_SQL)).mappings().all()
    return {row["id"]: dict(row) for row in rows}


async def run_task(harness, moment: datetime) -> None:
    """The task function itself, in its own transaction (as the runner calls it)."""
    async with harness.sessionmaker() as session, session.begin():
        await open_turnaround(session, {}, FixedClock(moment))


async def open_past_max_kpi(flow) -> dict:
    r = await flow.c.get("/v1/kpis", headers=flow.officer)
    assert r.status_code == 200, r.text
    return next(k for k in r.json() if k["id"] == "open_past_indicative_max")


def figure(row: dict) -> tuple:
    return row["track"], row["max"], row["working_days"], row["paused"], row["past_max"]


async def test_open_applications_past_their_track_maximum(flow, harness):
    assert any(s.task == OPEN_TURNAROUND_TASK and s.every == timedelta(days=1)
               for s in registry.schedules)
    flow.at(brussels(4))
    decided = await flow.submitted(**DUAL_USE)
    withdrawn = await flow.submitted(**DUAL_USE)
    decided = await flow.to_countersigned(decided)
    flow.at(brussels(11))
    fast = await flow.submitted(**DUAL_USE)
    standard = await flow.submitted(lines=[ML5])
    paused = await flow.submitted(**DUAL_USE)
    assert [a["track"] for a in (decided, fast, standard, paused)] == [
        "fast", "fast", "standard", "fast"]
    await flow.move(paused["id"], "completeness_check", flow.officer)
    flow.at(brussels(15))
    r = await flow.c.post(f"/v1/applications/{paused['id']}/information-requests",
                          headers=flow.officer, json={"question": "End-user statement?"})
    assert r.status_code == 201, r.text
    request_id = r.json()["id"]

    # Wed 20 May: D and W are past the fast maximum; the request on P is still open.
    await run_task(harness, brussels(20, hour=9))
    rows = await stored_figures(harness)
    assert {app_id: figure(row) for app_id, row in rows.items()} == {
        decided["id"]: ("fast", 10, 11, 0, True),
        withdrawn["id"]: ("fast", 10, 11, 0, True),
        fast["id"]: ("fast", 10, 6, 0, False),
        standard["id"]: ("standard", 30, 6, 0, False),
        paused["id"]: ("fast", 10, 3, 3, False),
    }
    kpi = await open_past_max_kpi(flow)
    assert (kpi["value"], kpi["status"], kpi["unit"], kpi["direction"], kpi["target"]) == (
        2, "missed", "count", "lower_is_better", 0)
    assert kpi["title_nl"] == "Openstaande aanvragen over de indicatieve termijn"
    assert kpi["breakdown"] == [{"track": "fast", "value": 2, "open": 4},
                                {"track": "standard", "value": 0, "open": 1}]

    # The decision and the withdrawal take their rows away at once, before the next run.
    flow.at(brussels(20, hour=11))
    await flow.decide(decided["id"], flow.head)
    await flow.move(withdrawn["id"], "withdrawn", flow.applicant)
    assert set(await stored_figures(harness)) == {fast["id"], standard["id"], paused["id"]}
    assert (await open_past_max_kpi(flow))["value"] == 0

    flow.at(brussels(29))
    r = await flow.c.post(
        f"/v1/applications/{paused['id']}/information-requests/{request_id}/answer",
        headers=flow.applicant, json={"answer": "attached"})
    assert r.status_code == 200, r.text
    # A row left behind for a decided case (say, written by an older run) is removed by the job.
    async with harness.sessionmaker() as session, session.begin():
        await session.execute(text(
            "INSERT INTO open_turnaround_figures VALUES (:id, 'fast', 10, 11, 0, true, :day)"),
            {"id": decided["id"], "day": date(2026, 5, 20)})

    # Tue 2 June, through the worker's schedule and runner.
    now = FixedClock(brussels(2, month=6, hour=3))
    await enqueue_schedules(harness.sessionmaker, registry, now)
    assert await run_due_jobs(harness.sessionmaker, registry, now) == len(registry.schedules)
    rows = await stored_figures(harness)
    assert {app_id: figure(row) for app_id, row in rows.items()} == {
        fast["id"]: ("fast", 10, 14, 0, True),
        standard["id"]: ("standard", 30, 14, 0, False),
        paused["id"]: ("fast", 10, 5, 9, False),
    }
    assert {row["as_of"] for row in rows.values()} == {date(2026, 6, 2)}
    kpi = await open_past_max_kpi(flow)
    assert (kpi["value"], kpi["status"]) == (1, "missed")
    assert kpi["period"]["kind"] == "as_of" and kpi["period"]["end"] == "2026-06-02"
    assert kpi["breakdown"] == [{"track": "fast", "value": 1, "open": 2},
                                {"track": "standard", "value": 0, "open": 1}]

    # A second run the same day stores the same figures and does not even rewrite the rows.
    await run_task(harness, brussels(2, month=6, hour=15))
    assert await stored_figures(harness) == rows
    assert (await open_past_max_kpi(flow))["breakdown"] == kpi["breakdown"]


async def test_kpi_without_open_applications_is_zero(flow):
    kpi = await open_past_max_kpi(flow)
    assert (kpi["value"], kpi["status"], kpi["breakdown"]) == (0, "met", [])
