"""Table-driven tests of the pure rules (hand-computed expectations)."""

from decimal import Decimal

import pytest

from planning.indicators.progress import progress_pct
from planning.reporting.rules import deteriorated
from planning.reporting.rules import percentage
from planning.reporting.rules import report_errors
from planning.reporting.rules import worst_unfinished


def codes(errors):
    return [e["code"] for e in errors]


@pytest.mark.parametrize(("status", "explanation", "action", "results", "expected"), [
    ("on_track", None, None, ["open"], []),
    ("attention_needed", None, None, [], ["EXPLANATION_REQUIRED"]),
    ("attention_needed", "   ", None, [], ["EXPLANATION_REQUIRED"]),
    ("attention_needed", "late partner", None, [], []),
    ("action_needed", None, None, [], ["EXPLANATION_REQUIRED", "CORRECTIVE_ACTION_REQUIRED"]),
    ("action_needed", "late", None, [], ["CORRECTIVE_ACTION_REQUIRED"]),
    ("action_needed", "late", "replan", [], []),
    ("done", None, None, ["achieved", "dropped"], []),
    ("done", None, None, [], []),
    ("done", None, None, ["achieved", "open"], ["RESULTS_NOT_FINISHED"]),
])
def test_report_rules(status, explanation, action, results, expected):
    assert codes(report_errors(status, explanation, action, results)) == expected


@pytest.mark.parametrize(("statuses", "worst"), [
    ([], None),
    (["done", "done"], None),
    (["on_track", "done"], "on_track"),
    (["on_track", "not_reported"], "not_reported"),
    (["not_reported", "attention_needed", "on_track"], "attention_needed"),
    (["attention_needed", "action_needed", "done"], "action_needed"),
])
def test_worst_of_unfinished(statuses, worst):
    assert worst_unfinished(statuses) == worst


@pytest.mark.parametrize(("before", "after", "worse"), [
    ("on_track", "attention_needed", True),
    ("attention_needed", "action_needed", True),
    ("done", "on_track", True),
    ("action_needed", "attention_needed", False),
    ("on_track", "on_track", False),
    ("on_track", "done", False),
    ("not_reported", "action_needed", False),
])
def test_deterioration(before, after, worse):
    assert deteriorated(before, after) is worse


@pytest.mark.parametrize(("value", "baseline", "target", "direction", "expected"), [
    ("50", "0", "100", "increasing", "50.0"),
    ("150", "0", "100", "increasing", "100.0"),  # clamped
    ("-5", "0", "100", "increasing", "0.0"),  # clamped
    ("30", "40", "20", "decreasing", "50.0"),  # decreasing target: 40 -> 20, now 30
    ("45", "40", "20", "decreasing", "0.0"),
    ("10", "40", "20", "decreasing", "100.0"),
    ("10", "10", "10", "increasing", None),  # baseline == target: invalid
    ("10", "0", "100", "decreasing", None),  # direction contradicts the numbers
    (None, "0", "100", "increasing", None),
    ("1", "0", "3", "increasing", "33.3"),
])
def test_indicator_progress(value, baseline, target, direction, expected):
    result = progress_pct(None if value is None else Decimal(value), Decimal(baseline),
                          Decimal(target), direction)
    assert result == (None if expected is None else Decimal(expected))


@pytest.mark.parametrize(("part", "whole", "expected"), [
    (0, 0, None), (1, 3, Decimal("33.3")), (2, 3, Decimal("66.7")), (4, 4, Decimal("100.0"))])
def test_percentage(part, whole, expected):
    assert percentage(part, whole) == expected
