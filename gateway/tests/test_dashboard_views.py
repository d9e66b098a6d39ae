"""Pure parts of the dashboard: Dutch number format, charts, drill-down, work-list filters."""

import pytest

from gateway.dashboard import charts
from gateway.dashboard import views
from gateway.dashboard.charts import Point
from gateway.dashboard.data import Outcome
from gateway.dashboard.data import has_shape


@pytest.mark.parametrize(("value", "shown"), [
    (None, "—"), (0, "0"), (7, "7"), (1234, "1.234"), (92.3, "92,3"), (1234.56, "1.234,6"),
    (-2.25, "-2,2"), (90.0, "90"), (1_000_000, "1.000.000"),
])
def test_numbers_in_dutch_format(value, shown):
    assert charts.format_number(value) == shown


@pytest.mark.parametrize(("value", "shown"), [
    (None, "—"), ("0.00", "€ 0,00"), ("1234.5", "€ 1.234,50"), ("12345678.91", "€ 12.345.678,91"),
])
def test_money_in_dutch_format(value, shown):
    assert charts.format_money(value) == shown


def test_bar_chart_escapes_labels_and_scales_to_the_largest_value():
    svg = charts.bar_chart("T <b>", [Point("<a>", 10), Point("b", 5), Point("c", None)])
    assert "<a>" not in svg and "&lt;a&gt;" in svg and "T &lt;b&gt;" in svg
    widths = [float(w) for w in __import__("re").findall(r'width="([\d.]+)" height', svg)]
    assert widths[0] == pytest.approx(2 * widths[1]) and widths[2] == 0


def test_bar_chart_of_only_zeros_or_nothing_does_not_divide_by_zero():
    assert "<svg" in charts.bar_chart("t", [Point("a", 0)])
    assert "<svg" in charts.bar_chart("t", [])


def test_line_chart_leaves_gaps_and_draws_the_target():
    svg = charts.line_chart("t", [Point("d1", 1), Point("d2", None), Point("d3", 3)], target=2)
    assert svg.count("<polyline") == 2 and "stroke-dasharray" in svg
    assert charts.line_chart("t", [Point("d1", None)]) == ""
    assert "<polyline" in charts.line_chart("t", [Point("d1", 5), Point("d2", 5)])


@pytest.mark.parametrize(("shape", "body", "ok"), [
    ("page", {"items": [], "total": 0}, True), ("page", {"items": [1]}, False),
    ("page", [], False), ("list", [{"id": "x"}], True), ("list", {"items": []}, False),
    ("object", {"a": 1}, True), ("object", None, False),
])
def test_bodies_must_have_the_documented_shape(shape, body, ok):
    assert has_shape(shape, body) is ok


@pytest.mark.parametrize(("outcomes", "state"), [
    ([], "missing"), ([Outcome(denied=True)], "denied"),
    ([Outcome(denied=True), Outcome(missing=True)], "missing"),
    ([Outcome(denied=True), Outcome(body={})], "ok"),
])
def test_service_state(outcomes, state):
    assert views.service_state(outcomes) == state


TREE = {"policy_fields": [{"id": 1, "number": 1, "title": "PF", "strategic_goals": [
    {"id": 10, "code": "SD1", "title": "SD", "operational_goals": [
        {"id": 100, "code": "OD1.1", "title": "OD", "initiatives": [
            {"id": 1000, "status": "on_track"}, {"id": 1001, "status": None}]}]}]}]}


@pytest.mark.parametrize(("node", "level", "trail"), [
    (None, "pf", ["Beleidsvelden"]), ("pf-999", "pf", ["Beleidsvelden"]),
    ("pf-1", "sd", ["Beleidsvelden", "PF"]), ("sd-10", "od", ["Beleidsvelden", "PF", "SD"]),
    ("od-100", "initiative", ["Beleidsvelden", "PF", "SD", "OD"]),
    ("sd-1", "pf", ["Beleidsvelden"]),  # an id of another level is not that level's node
])
def test_drill_down_levels(node, level, trail):
    crumbs, found_level, children = views.drill_down(TREE, node)
    assert found_level == level and [c.label for c in crumbs] == trail and children


def test_status_counts_count_unreported_initiatives():
    counts = views.status_counts(views.initiatives_under(TREE["policy_fields"][0], "pf"))
    assert counts["on_track"] == 1 and counts["not_reported"] == 1 and sum(counts.values()) == 2


def test_work_lists_keep_the_users_open_items_only():
    items = [
        {"id": 1, "handler_sub": "me", "completed_on": None, "state": "intake"},
        {"id": 2, "expert_sub": "me", "completed_on": None, "state": "expert_assigned"},
        {"id": 3, "handler_sub": "me", "completed_on": "2026-01-01", "state": "paid"},
        {"id": 4, "handler_sub": "me", "completed_on": None, "state": "withdrawn"},
        {"id": 5, "handler_sub": "other", "completed_on": None, "state": "intake"},
    ]
    assert [i["id"] for i in views.my_fund_dossiers(items, "me")] == [1, 2]
    cases = [{"id": 1, "submitted_at": "x", "decided_at": None, "status": "in_review"},
             {"id": 2, "submitted_at": None, "decided_at": None, "status": "draft"},
             {"id": 3, "submitted_at": "x", "decided_at": "y", "status": "decided"},
             {"id": 4, "submitted_at": "x", "decided_at": None, "status": "withdrawn"}]
    assert [c["id"] for c in views.open_export_cases(cases)] == [1]
