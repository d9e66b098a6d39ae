"""Table-driven tests of the pure rule modules, with hand-computed expectations."""

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from disaster_fund import calculation
from disaster_fund import deadlines
from disaster_fund import turnaround
from disaster_fund import workflow
from disaster_fund.calculation import Bracket
from disaster_fund.calculation import CalculationInput
from disaster_fund.calculation import CalculationRules
from disaster_fund.calculation import CropRules
from disaster_fund.rules.schemas import RecognitionPhase
from disaster_fund.workflow import ApplicationState as A
from disaster_fund.workflow import DisasterState as D
from dkbuza_kit.problems import ProblemError

BXL = ZoneInfo("Europe/Brussels")
W = deadlines.Windows()


@pytest.mark.parametrize(("published", "deadline"), [
    (date(2021, 7, 13), date(2021, 10, 31)),   # spec example
    (date(2016, 10, 31), date(2017, 1, 31)),   # spec example, over the year end
    (date(2023, 11, 30), date(2024, 2, 29)),   # leap February
    (date(2022, 11, 1), date(2023, 2, 28)),    # common February
    (date(2024, 1, 31), date(2024, 4, 30)),    # 30-day month
    (date(2024, 12, 1), date(2025, 3, 31)),
])
def test_application_deadline_is_end_of_third_month_after_publication_month(published, deadline):
    assert deadlines.application_deadline(published, W) == deadline


@pytest.mark.parametrize(("start", "end"), [
    (date(2024, 1, 31), date(2024, 2, 29)),    # clamped, leap year
    (date(2023, 1, 31), date(2023, 2, 28)),    # clamped, common year
    (date(2024, 3, 31), date(2024, 4, 30)),
    (date(2024, 12, 15), date(2025, 1, 15)),
    (date(2024, 2, 29), date(2024, 3, 29)),
])
def test_one_month_term(start, end):
    assert deadlines.term_end(start, 1) == end


@pytest.mark.parametrize(("received", "months", "last_day"), [
    (date(2026, 6, 10), 1, date(2026, 7, 10)),   # a Friday: not moved
    (date(2026, 9, 1), 1, date(2026, 10, 1)),    # a Thursday
    (date(2026, 1, 31), 1, date(2026, 3, 2)),    # 28 February 2026 is a Saturday -> Monday
    (date(2027, 10, 11), 1, date(2027, 11, 12)),  # Thursday 11 November: Armistice -> Friday
    (date(2026, 6, 11), 1, date(2026, 7, 13)),   # 11 July 2026 is a Saturday (and 11 July)
    (date(2027, 11, 25), 1, date(2027, 12, 27)),  # Christmas Saturday, Sunday 26 -> Monday 27
])
def test_appeal_term_moves_off_weekends_and_holidays(received, months, last_day):
    assert deadlines.appeal_term_end(received, months) == last_day


@pytest.mark.parametrize(("published", "mark"), [
    (date(2024, 2, 29), date(2025, 2, 28)),
    (date(2021, 7, 13), date(2022, 7, 13)),
])
def test_one_year_mark(published, mark):
    assert deadlines.one_year_mark(published) == mark


@pytest.mark.parametrize(("event_end", "deadline"), [
    (date(2021, 7, 16), date(2021, 9, 14)),
    (date(2024, 1, 1), date(2024, 3, 1)),      # through a leap February (29 days)
    (date(2023, 1, 1), date(2023, 3, 2)),
])
def test_report_deadline_is_60_days_after_event_end(event_end, deadline):
    assert deadlines.report_deadline(event_end, W) == deadline


def test_report_filing_day_60_accepted_day_61_refused():
    end = date(2021, 7, 16)
    deadlines.check_report_filing(datetime(2021, 9, 14, 23, 59, 59, tzinfo=BXL), end, W)
    with pytest.raises(ProblemError) as refused:
        deadlines.check_report_filing(datetime(2021, 9, 15, 0, 0, 0, tzinfo=BXL), end, W)
    assert refused.value.code == "REPORT_WINDOW_CLOSED"


def test_application_timing_last_second_and_one_second_later():
    published = date(2021, 7, 13)
    last = datetime(2021, 10, 31, 23, 59, 59, tzinfo=BXL)
    assert deadlines.check_application_timing(last, published, W, impediment_ended_on=None,
                                              late_motivation=None) is deadlines.Timeliness.on_time
    with pytest.raises(ProblemError) as refused:
        deadlines.check_application_timing(last + timedelta(seconds=1), published, W,
                                           impediment_ended_on=None, late_motivation=None)
    assert refused.value.code == "APPLICATION_DEADLINE_PASSED"
    assert "2021-10-31" in refused.value.detail and "2021-07-13" in refused.value.detail


@pytest.mark.parametrize(("received", "impediment_end", "expected"), [
    (date(2021, 12, 1), date(2021, 11, 15), "late"),          # inside both limits
    (date(2022, 2, 15), date(2021, 11, 15), "late"),          # impediment + 3 months exactly
    (date(2022, 2, 16), date(2021, 11, 15), "refused"),       # one day after impediment + 3 m
    (date(2022, 7, 13), date(2022, 6, 1), "late"),            # publication + 1 year exactly
    (date(2022, 7, 14), date(2022, 6, 1), "refused"),         # one day past the year
    (date(2021, 12, 1), date(2021, 12, 5), "refused"),        # impediment not ended yet
])
def test_late_window(received, impediment_end, expected):
    moment = datetime.combine(received, datetime.min.time(), tzinfo=BXL) + timedelta(hours=10)
    call = lambda: deadlines.check_application_timing(  # noqa: E731
        moment, date(2021, 7, 13), W, impediment_ended_on=impediment_end,
        late_motivation="ziekenhuisopname")
    if expected == "late":
        assert call() is deadlines.Timeliness.late
    else:
        with pytest.raises(ProblemError) as refused:
            call()
        assert refused.value.code == "APPLICATION_DEADLINE_PASSED"


def test_late_without_motivation_is_refused():
    with pytest.raises(ProblemError) as refused:
        deadlines.check_application_timing(datetime(2021, 11, 2, tzinfo=UTC), date(2021, 7, 13), W,
                                           impediment_ended_on=date(2021, 11, 1),
                                           late_motivation="  ")
    assert refused.value.code == "APPLICATION_DEADLINE_PASSED"


DISASTER = workflow.ensure_disaster_transition
APPLICATION = workflow.ensure_application_transition


@pytest.mark.parametrize(("ensure", "current", "target", "ok"), [
    (DISASTER, D.reporting, D.investigation, True),
    (DISASTER, D.reporting, D.recognised, False),
    (DISASTER, D.assessed, D.submitted_to_government, True),
    (DISASTER, D.recognised, D.published, True),
    (DISASTER, D.published, D.recognised, False),
    (DISASTER, D.not_recognised, D.investigation, False),
    (DISASTER, D.closed, D.published, False),
    (APPLICATION, A.submitted, A.intake, True),
    (APPLICATION, A.intake, A.waiting_for_documents, True),
    (APPLICATION, A.waiting_for_documents, A.intake, True),
    (APPLICATION, A.submitted, A.decided, False),
    (APPLICATION, A.report_sent, A.report_accepted, True),
    (APPLICATION, A.report_contested, A.report_sent, True),
    (APPLICATION, A.decision_notified, A.in_appeal, True),
    (APPLICATION, A.final, A.payment_ordered, True),
    (APPLICATION, A.payment_ordered, A.withdrawn, False),
    (APPLICATION, A.paid, A.withdrawn, False),
    (APPLICATION, A.inadmissible, A.intake, False),
    (APPLICATION, A.withdrawn, A.intake, False),
])
def test_transition_tables(ensure, current, target, ok):
    if ok:
        ensure(current, target)
    else:
        with pytest.raises(ProblemError) as refused:
            ensure(current, target)
        assert refused.value.status == 409 and refused.value.code == "ILLEGAL_TRANSITION"


def test_recognition_phases_are_disaster_states():
    # A rule set's recognition norms are looked up by the disaster's state (disasters/watch.py).
    assert {phase.value for phase in RecognitionPhase} <= {state.value for state in D}


def test_every_non_terminal_state_can_be_withdrawn_except_during_payment():
    for state, targets in workflow.APPLICATION_TRANSITIONS.items():
        if state in workflow.TERMINAL_APPLICATION_STATES or state is A.payment_ordered:
            continue
        assert A.withdrawn in targets, state


RULES = CalculationRules(
    franchise_private=Decimal("500.00"), franchise_public_domain=Decimal("12500.00"),
    brackets=(Bracket(Decimal(0), Decimal(10000), Decimal("0.90")),
              Bracket(Decimal(10000), Decimal(50000), Decimal("0.70")),
              Bracket(Decimal(50000), None, Decimal("0.50"))),
    crop_rules=CropRules(date(2020, 1, 1), date(2024, 12, 31), Decimal("0.25"), Decimal("0.50"),
                         Decimal("0.80"), Decimal("0.40")),
)


def inp(amount, category="private_goods", phenomenon="flooding", day=date(2024, 6, 2),
        insurance="0", area=None, insured=None, insurable=True):
    return CalculationInput(category, phenomenon, day, Decimal(amount), Decimal(insurance),
                            None if area is None else Decimal(area),
                            None if insured is None else Decimal(insured), insurable)


@pytest.mark.parametrize(("case", "expected_amount", "reason"), [
    (inp("499.99"), "0.00", "BELOW_FRANCHISE"),
    (inp("500.00"), "0.00", "BELOW_FRANCHISE"),                      # equal to the franchise
    (inp("500.01"), "0.01", None),                                   # 0.01 * 0.90 = 0.009 -> 0.01
    (inp("10500.00"), "9000.00", None),                              # 10000 * 0.90
    (inp("20500.00"), "16000.00", None),                             # 9000 + 10000 * 0.70
    (inp("100500.00"), "62000.00", None),                            # 9000 + 28000 + 50000 * 0.5
    (inp("3000.00", insurance="1000.00"), "1350.00", None),          # (3000-1000-500) * 0.9
    (inp("12500.00", category="public_domain"), "0.00", "BELOW_FRANCHISE"),
    (inp("32500.00", category="public_domain"), "16000.00", None),   # 20000 after franchise
    (inp("10500", "agricultural_crops", "hail", area="10", insured="10"), "0.00",
     "HAIL_ON_CROPS_EXCLUDED"),
    (inp("10500", "agricultural_crops", area="10", insured="2.4"), "0.00",
     "INSUFFICIENT_CROP_INSURANCE"),                                 # 24 % < 25 %
    (inp("10500", "agricultural_crops", area="10", insured="2.5"), "4000.00", None),  # 25 %: 40 %
    (inp("10500", "agricultural_crops", area="10", insured="5"), "4000.00", None),    # 50 %: 40 %
    (inp("10500", "agricultural_crops", area="10", insured="5.1"), "8000.00", None),  # > 50 %: 80 %
    (inp("10500", "agricultural_crops", area="10", insured="0", insurable=False), "9000.00",
     None),                                                          # not insurable: brackets
    (inp("10500", "agricultural_crops", day=date(2025, 1, 1), area="10", insured="10"), "0.00",
     "TRANSITIONAL_REGIME_ENDED"),
])
def test_calculation(case, expected_amount, reason):
    result = calculation.compute(case, RULES)
    assert result.amount == Decimal(expected_amount)
    assert result.reason_code == reason


def test_calculation_input_roundtrip_is_deterministic():
    case = inp("20500.00", insurance="12.34", area="3.5", insured="2")
    again = CalculationInput.from_json(case.to_json())
    assert again == case
    assert calculation.compute(again, RULES) == calculation.compute(case, RULES)


def bxl(day: str, hour: int = 10) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=BXL)


def test_phase_spans_gross_and_net_from_a_hand_computed_timeline():
    entries = [
        turnaround.StateEntry(bxl("2024-10-01"), "submitted"),
        turnaround.StateEntry(bxl("2024-10-05"), "intake"),
        turnaround.StateEntry(bxl("2024-10-10"), "waiting_for_documents"),
        turnaround.StateEntry(bxl("2024-10-20"), "intake"),
        turnaround.StateEntry(bxl("2024-10-31"), "expert_assigned"),
        turnaround.StateEntry(bxl("2024-12-01"), "report_sent"),
        turnaround.StateEntry(bxl("2024-12-11"), "report_accepted"),
    ]
    pauses = [turnaround.PauseSpan(bxl("2024-10-10"), bxl("2024-10-20")),   # 10 days in intake
              turnaround.PauseSpan(bxl("2024-12-01"), bxl("2024-12-11")),   # 10 days in expertise
              turnaround.PauseSpan(bxl("2024-12-15"), None)]                # open: until now
    now = bxl("2024-12-21")
    spans = turnaround.phase_spans(entries, pauses, now)
    assert [(s.phase, s.gross_days, s.net_days) for s in spans] == [
        ("intake", 30, 20),        # 1 Oct -> 31 Oct, minus 10
        ("expertise", 41, 31),     # 31 Oct -> 11 Dec, minus 10
        ("decision", 10, 4),       # 11 Dec -> today 21 Dec, minus the open pause (6 days)
    ]
    assert spans[-1].left_on is None
    assert turnaround.totals(spans)["intake"] == {"gross_days": 30, "net_days": 20}


@pytest.mark.parametrize(("net", "norm", "warn", "status", "left"), [
    (10, 30, 5, "ok", 20), (25, 30, 5, "at_risk", 5), (30, 30, 5, "at_risk", 0),
    (31, 30, 5, "overdue", -1),
])
def test_norm_status(net, norm, warn, status, left):
    result = turnaround.norm_status(net, norm, warn)
    assert (result.status, result.days_left) == (status, left)


def test_pause_reason_and_overlap_rules():
    turnaround.check_pause_reason("waiting_insurer_attest")
    with pytest.raises(ProblemError) as refused:
        turnaround.check_pause_reason("expert_on_holiday")
    assert refused.value.code == "PAUSE_REASON_NOT_ALLOWED"
    now = bxl("2024-12-31")
    existing = [turnaround.PauseSpan(bxl("2024-10-10"), bxl("2024-10-20"))]
    turnaround.check_no_overlap(existing, turnaround.PauseSpan(bxl("2024-10-20"), None), now)
    with pytest.raises(ProblemError) as overlap:
        turnaround.check_no_overlap(existing, turnaround.PauseSpan(bxl("2024-10-15"), None), now)
    assert overlap.value.code == "PAUSE_OVERLAP"
    with pytest.raises(ProblemError) as both_open:
        turnaround.check_no_overlap([turnaround.PauseSpan(bxl("2024-11-01"), None)],
                                    turnaround.PauseSpan(bxl("2024-12-01"), None), now)
    assert both_open.value.code == "PAUSE_OVERLAP"
