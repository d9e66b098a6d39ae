"""Table-driven tests of the pure release rules, expectations computed by hand."""

from datetime import date

import pytest

from dkbuza_kit.dates import PartialDate
from vsp_statistics.releases.announcement import exact_day_required
from vsp_statistics.releases.announcement import pre_announcement_compliant
from vsp_statistics.releases.punctuality import PunctualityStatus
from vsp_statistics.releases.punctuality import punctuality
from vsp_statistics.releases.punctuality import release_punctuality
from vsp_statistics.releases.reference_period import ended_before
from vsp_statistics.releases.reference_period import matches_periodicity
from vsp_statistics.releases.timeliness import time_lag_days
from vsp_statistics.releases.workflow import IllegalTransition
from vsp_statistics.releases.workflow import ReleaseState
from vsp_statistics.releases.workflow import check_transition

P = PartialDate.parse
S = PunctualityStatus


@pytest.mark.parametrize(("target", "published", "today", "status", "days"), [
    # exact day: actual minus target
    ("2025-06-12", date(2025, 6, 12), date(2025, 7, 1), S.on_time, 0),
    ("2025-06-12", date(2025, 6, 16), date(2025, 7, 1), S.late, 4),
    ("2025-06-12", date(2025, 6, 10), date(2025, 7, 1), S.early, -2),
    ("2025-06-12", date(2025, 7, 2), date(2025, 7, 2), S.late, 20),  # across a month end
    # not published: before/at the target day, then overdue
    ("2025-06-12", None, date(2025, 6, 1), S.not_yet_published, None),
    ("2025-06-12", None, date(2025, 6, 12), S.not_yet_published, None),
    ("2025-06-12", None, date(2025, 6, 13), S.overdue, 1),
    ("2025-06-12", None, date(2025, 7, 12), S.overdue, 30),
    # month target: anywhere in the month is on time
    ("2025-06", date(2025, 6, 1), date(2025, 7, 1), S.on_time, 0),
    ("2025-06", date(2025, 6, 30), date(2025, 7, 1), S.on_time, 0),
    ("2025-06", date(2025, 7, 3), date(2025, 7, 3), S.late, 3),
    ("2025-06", date(2025, 5, 28), date(2025, 7, 3), S.early, -4),
    ("2025-06", None, date(2025, 7, 1), S.overdue, 1),
    # quarter and year targets
    ("2025-Q2", date(2025, 7, 1), date(2025, 7, 1), S.late, 1),
    ("2025", None, date(2025, 12, 31), S.not_yet_published, None),
    ("2024", None, date(2025, 1, 31), S.overdue, 31),
])
def test_punctuality(target, published, today, status, days):
    result = punctuality(P(target), published, today)
    assert (result.status, result.days) == (status, days)


def test_punctual_flag_counts_early_and_on_time_only():
    assert punctuality(P("2025-06-12"), date(2025, 6, 10), date(2025, 7, 1)).punctual is True
    assert punctuality(P("2025-06-12"), date(2025, 6, 12), date(2025, 7, 1)).punctual is True
    assert punctuality(P("2025-06-12"), date(2025, 6, 13), date(2025, 7, 1)).punctual is False
    assert punctuality(P("2025-06-12"), None, date(2025, 7, 1)).punctual is None


def test_strict_punctuality_after_a_reschedule_uses_the_first_announced_date():
    # announced for 12 June, moved (approved) to 19 June, published on 19 June
    both = release_punctuality(P("2025-06-19"), P("2025-06-12"), date(2025, 6, 19),
                               date(2025, 6, 30))
    assert (both.current.status, both.current.days) == (S.on_time, 0)
    assert (both.strict.status, both.strict.days) == (S.late, 7)


@pytest.mark.parametrize(("reference_period", "published", "lag"), [
    ("2024", date(2025, 3, 31), 90),  # annual: from 31 Dec 2024
    ("2024", date(2025, 1, 1), 1),
    ("2025-Q1", date(2025, 5, 15), 45),  # quarterly: from 31 Mar 2025
    ("2024-Q4", date(2025, 2, 14), 45),
    ("2025-03", date(2025, 4, 30), 30),  # monthly: from 31 Mar 2025
    ("2024-02", date(2024, 3, 30), 30),  # leap February ends on the 29th
    ("2025-02", date(2025, 3, 30), 30),
])
def test_time_lag_from_end_of_reference_period(reference_period, published, lag):
    assert time_lag_days(reference_period, published) == lag


@pytest.mark.parametrize(("target", "today", "required"), [
    ("2025-06", date(2025, 5, 4), False),  # 1 June is 28 days away
    ("2025-06", date(2025, 5, 5), True),  # 27 days away
    ("2025-06", date(2025, 6, 10), True),  # already inside the month
    ("2025-Q3", date(2025, 6, 4), True),  # 1 July is 27 days away
    ("2025-Q3", date(2025, 6, 3), False),  # 28 days
    ("2025-06-02", date(2025, 6, 1), False),  # an exact day is always fine
    ("2026", date(2025, 12, 10), True),
])
def test_exact_day_required(target, today, required):
    assert exact_day_required(P(target), today) is required


@pytest.mark.parametrize(("exact_day", "announced_on", "compliant"), [
    (date(2025, 6, 12), date(2025, 5, 15), True),  # 28 days
    (date(2025, 6, 12), date(2025, 5, 16), False),  # 27 days
    (date(2025, 6, 12), date(2025, 1, 10), True),
    (date(2025, 6, 12), date(2025, 6, 12), False),
])
def test_pre_announcement_compliance(exact_day, announced_on, compliant):
    assert pre_announcement_compliant(exact_day, announced_on) is compliant


R = ReleaseState
LEGAL = {
    (R.planned, R.in_review), (R.planned, R.cancelled),
    (R.in_review, R.approved), (R.in_review, R.planned), (R.in_review, R.cancelled),
    (R.approved, R.published), (R.approved, R.in_review), (R.approved, R.cancelled),
}


@pytest.mark.parametrize("current", list(R))
@pytest.mark.parametrize("target", list(R))
def test_state_machine(current, target):
    if (current, target) in LEGAL:
        check_transition(current, target)
    else:
        with pytest.raises(IllegalTransition):
            check_transition(current, target)


@pytest.mark.parametrize(("periodicity", "period", "matches"), [
    # edge cases first: a day and a quarter for an annual statistic
    ("annual", "2025-03-04", False), ("annual", "2025-03", False), ("annual", "2025-Q1", False),
    ("annual", "2025", True),
    ("multi_annual", "2024", True), ("multi_annual", "2024-Q4", False),
    ("quarterly", "2025-Q1", True), ("quarterly", "2025", False), ("quarterly", "2025-03", False),
    ("monthly", "2025-03", True), ("monthly", "2025-Q1", False), ("monthly", "2025-03-31", False),
    ("ad_hoc", "2025-03-04", True), ("ad_hoc", "2025", True),
])
def test_reference_period_matches_periodicity(periodicity, period, matches):
    assert matches_periodicity(P(period), periodicity) is matches


@pytest.mark.parametrize(("period", "day", "ended"), [
    ("2024", date(2024, 12, 31), False),  # its own last day: not yet ended
    ("2024", date(2025, 1, 1), True),
    ("2027", date(2026, 12, 6), False),  # the tried case: a lag of -390 days
    ("2025-Q1", date(2025, 3, 31), False), ("2025-Q1", date(2025, 4, 1), True),
    ("2024-02", date(2024, 2, 29), False), ("2024-02", date(2024, 3, 1), True),  # leap year
])
def test_reference_period_ends_before_the_publication(period, day, ended):
    assert ended_before(P(period), day) is ended
