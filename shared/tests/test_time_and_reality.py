"""The kit's time and reality rules, table-driven: timeline, bounds, reference data, unknown
query parameters, and the KPI contract (status without a target, units, periods, history)."""

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from decimal import Decimal

import pytest
from pydantic import BaseModel
from pydantic import ValidationError

from dkbuza_kit.clock import FixedClock
from dkbuza_kit.errors import ErrorCatalogue
from dkbuza_kit.errors import ErrorCode
from dkbuza_kit.errors import KitErrors
from dkbuza_kit.errors import responses
from dkbuza_kit.kpi_history import take_snapshot
from dkbuza_kit.kpis import Direction
from dkbuza_kit.kpis import KpiStatus
from dkbuza_kit.kpis import kpi_status
from dkbuza_kit.problems import ProblemError
from dkbuza_kit.refdata import Bic
from dkbuza_kit.refdata import CountryCode
from dkbuza_kit.refdata import Iban
from dkbuza_kit.timeline import check_period
from dkbuza_kit.timeline import check_timeline
from dkbuza_kit.timeline import timeline_violation
from dkbuza_kit.types import BoundedDate
from dkbuza_kit.types import DayCount
from dkbuza_kit.types import NonNegativeMoney
from dkbuza_kit.types import Year

NOW = datetime(2026, 12, 6, 21, 30, tzinfo=UTC)  # 22:30 in Brussels


@pytest.mark.parametrize(("value", "rules", "code"), [
    # future: dates by the Brussels day, datetimes by the instant with 5 minutes of tolerance
    (date(2026, 12, 6), {}, None),
    (date(2026, 12, 7), {}, "DATE_IN_FUTURE"),
    (date(2199, 12, 31), {}, "DATE_IN_FUTURE"),
    (NOW + timedelta(minutes=4), {}, None),
    (NOW + timedelta(minutes=6), {}, "DATE_IN_FUTURE"),
    (date(2027, 1, 1), {"allow_future": True}, None),
    # 23:10 UTC on 6 December is already 7 December in Brussels: still today there, not future
    (date(2026, 12, 7), {"now": datetime(2026, 12, 6, 23, 10, tzinfo=UTC)}, None),
    # before the step it follows (same day is fine; a None step is not reached yet)
    (date(2026, 3, 1), {"follows": [("received_on", date(2026, 3, 1))]}, None),
    (date(2026, 2, 28), {"follows": [("received_on", date(2026, 3, 1))]},
     "DATE_BEFORE_PREDECESSOR"),
    (date(2024, 2, 29), {"follows": [("decided_on", None)]}, None),
    (date(2026, 3, 1), {"follows": [("a", date(2026, 1, 1)), ("b", date(2026, 3, 2))]},
     "DATE_BEFORE_PREDECESSOR"),
    # a date compared with an instant: by the Brussels day of the instant
    (date(2026, 3, 1), {"follows": [("submitted_at", datetime(2026, 2, 28, 23, 30, tzinfo=UTC))]},
     None),
    (date(2026, 2, 28), {"follows": [("submitted_at", datetime(2026, 2, 28, 23, 30, tzinfo=UTC))]},
     "DATE_BEFORE_PREDECESSOR"),
    # before the object's own origin
    (date(1950, 1, 1), {"origin": ("received_on", date(2026, 12, 6))}, "DATE_BEFORE_ORIGIN"),
    (date(2026, 12, 6), {"origin": ("received_on", date(2026, 12, 6))}, None),
    # the future is checked first
    (date(2199, 1, 1), {"origin": ("event", date(2200, 1, 1))}, "DATE_IN_FUTURE"),
])
def test_timeline_rule(value, rules, code):
    rules = {"now": NOW, **rules}
    violation = timeline_violation("on", value, **rules)
    assert (violation.error.code if violation else None) == code
    if code:
        with pytest.raises(ProblemError) as raised:
            check_timeline("on", value, **rules)
        assert (raised.value.status, raised.value.code) == (422, code)
        assert raised.value.extra["field"] == "on"
    else:
        check_timeline("on", value, **rules)


def test_period_inverted():
    check_period("from", date(2026, 1, 1), "to", date(2026, 1, 1))
    with pytest.raises(ProblemError) as raised:
        check_period("from", date(2026, 1, 2), "to", date(2026, 1, 1))
    assert raised.value.code == "PERIOD_INVERTED"


class Body(BaseModel):
    on: BoundedDate | None = None
    amount: NonNegativeMoney | None = None
    days: DayCount | None = None
    year: Year | None = None
    country: CountryCode | None = None
    iban: Iban | None = None
    bic: Bic | None = None


@pytest.mark.parametrize(("field", "value", "ok"), [
    ("on", "1900-01-01", True), ("on", "2099-12-31", True),
    ("on", "0001-01-01", False), ("on", "9999-12-31", False), ("on", "1899-12-31", False),
    ("amount", "0", True), ("amount", "9999999999.99", True), ("amount", "-0.01", False),
    ("amount", "999999999999.99", False), ("amount", "1.001", False),
    ("days", 0, True), ("days", 3660, True), ("days", -30, False), ("days", 10**12, False),
    ("year", 2026, True), ("year", 1, False), ("year", 9999, False),
    ("country", "BE", True), ("country", "be", True), ("country", "XK", True),
    ("country", "XX", False), ("country", "ZZ", False), ("country", "QQ", False),
    ("country", "Switzerland", False), ("country", "BEL", False),
    ("iban", "BE71 0961 2345 6769", True), ("iban", "BE71096123456768", False),
    ("iban", "NL91ABNA0417164300", True), ("iban", "XX00", False),
    ("bic", "GKCCBEBB", True), ("bic", "GKCC", False),
])
def test_bounds_and_reference_data(field, value, ok):
    if ok:
        Body.model_validate({field: value})
    else:
        with pytest.raises(ValidationError):
            Body.model_validate({field: value})


def test_reference_data_is_normalised():
    body = Body.model_validate({"country": " be ", "iban": "be71 0961 2345 6769"})
    assert (body.country, body.iban) == ("BE", "BE71096123456769")
    assert Body.model_validate({"amount": Decimal("12.5")}).amount == Decimal("12.50")


@pytest.mark.parametrize(("value", "target", "direction", "status"), [
    (0, None, Direction.higher_is_better, KpiStatus.no_target),
    (100, None, Direction.higher_is_better, KpiStatus.no_target),
    (None, None, Direction.lower_is_better, KpiStatus.no_target),
    (None, 90, Direction.higher_is_better, KpiStatus.no_data),
    (90, 90, Direction.higher_is_better, KpiStatus.met),
    (81, 90, Direction.higher_is_better, KpiStatus.at_risk),
    (80.9, 90, Direction.higher_is_better, KpiStatus.missed),
    (0, 0, Direction.lower_is_better, KpiStatus.met),
    (1, 0, Direction.lower_is_better, KpiStatus.missed),
    (33, 30, Direction.lower_is_better, KpiStatus.at_risk),
])
def test_kpi_status_never_met_without_a_target(value, target, direction, status):
    assert kpi_status(value, target, direction) is status


def test_error_catalogue_names_codes_and_documents_routes():
    class Errors(ErrorCatalogue):
        DOSSIER_CLOSED = ErrorCode(409, "The dossier is closed")

    problem = Errors.DOSSIER_CLOSED("paid", paid_on="2026-01-01")
    assert (problem.status, problem.code, problem.extra) == (409, "DOSSIER_CLOSED",
                                                            {"paid_on": "2026-01-01"})
    documented = responses(Errors.DOSSIER_CLOSED, KitErrors.ILLEGAL_TRANSITION,
                           KitErrors.DATE_IN_FUTURE)
    assert sorted(documented) == [409, 422]
    assert "DOSSIER_CLOSED" in documented[409]["description"]
    assert "ILLEGAL_TRANSITION" in documented[409]["description"]
    assert {e.code for e in Errors.codes()} == {"DOSSIER_CLOSED"}


async def test_unknown_query_parameter_is_refused(client, harness):
    headers = harness.headers("kit.reader")
    ok = await client.get("/v1/widgets?limit=5", headers=headers)
    assert ok.status_code == 200, ok.text
    refused = await client.get("/v1/widgets?dossier_number=X", headers=headers)
    assert refused.status_code == 422
    body = refused.json()
    assert body["code"] == "UNKNOWN_QUERY_PARAMETER" and body["parameters"] == ["dossier_number"]
    assert "limit" in body["accepted"]


async def test_kpi_history_from_the_daily_snapshot(client, harness):
    provider = harness.app.state.kpi_collector.provider  # the app's own KPI provider
    headers = harness.headers("kit.writer")
    for day, widgets in ((date(2026, 12, 1), 1), (date(2026, 12, 2), 2)):
        for _ in range(widgets - (1 if day.day == 2 else 0)):
            created = await client.post("/v1/widgets", json={"name": f"w{day}"}, headers=headers)
            assert created.status_code == 201, created.text
        clock = FixedClock(datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=9))
        async with harness.sessionmaker() as session:
            assert await take_snapshot(session, provider, clock) == 1
            await take_snapshot(session, provider, clock)  # a second run the same day replaces
            await session.commit()
    reader = harness.headers("kpi.reader")
    history = await client.get("/v1/kpis/history?id=widgets_total&from=2026-11-01&to=2026-12-31",
                               headers=reader)
    assert history.status_code == 200, history.text
    rows = history.json()
    assert [(r["taken_on"], r["value"], r["status"]) for r in rows] == [
        ("2026-12-01", 1.0, "no_target"), ("2026-12-02", 2.0, "no_target")]
    assert rows[0]["period"]["kind"] == "since_start" and rows[0]["unit"] == "count"
    for query, code in (("?from=2026-12-31&to=2026-01-01", "PERIOD_INVERTED"),
                        ("?from=0001-01-01", "VALIDATION_ERROR"),
                        ("?to=9999-12-31", "VALIDATION_ERROR"),
                        ("?from=1900-01-01&to=2099-12-31", "VALUE_OUT_OF_RANGE"),
                        ("?kpi=widgets_total", "UNKNOWN_QUERY_PARAMETER")):
        refused = await client.get(f"/v1/kpis/history{query}", headers=reader)
        assert (refused.status_code, refused.json()["code"]) == (422, code), query
