"""Table-driven tests of the pure rule modules (hand-computed expectations)."""

from datetime import UTC
from datetime import date
from datetime import datetime
from decimal import Decimal

import pytest

from dkbuza_kit.problems import ProblemError
from export_control.applications.turnaround import ClockEvent
from export_control.applications.turnaround import compute_turnaround
from export_control.applications.workflow import TRANSITIONS
from export_control.applications.workflow import Status
from export_control.applications.workflow import check_transition
from export_control.controllist import normalise_control_entry
from export_control.controllist import parse_control_entry
from export_control.licences.workflow import next_state
from export_control.licences.workflow import refusal_reason
from export_control.routing.rules import RoutingInputs
from export_control.routing.rules import default_rule_set
from export_control.routing.rules import load_rule_set
from export_control.routing.rules import route


@pytest.mark.parametrize(("raw", "code", "regime", "category"), [
    ("ml1a", "ML1.a", "military", "ML1"),
    ("ML1.a", "ML1.a", "military", "ML1"),
    ("ML8.a.1", "ML8.a.1", "military", "ML8"),
    ("ml8a1", "ML8.a.1", "military", "ML8"),
    ("ML 22", "ML22", "military", "ML22"),
    ("ML10", "ML10", "military", "ML10"),
    ("5a002a1", "5A002.a.1", "dual_use", "5"),
    ("5A002.a.1", "5A002.a.1", "dual_use", "5"),
    ("1C350", "1C350", "dual_use", "1"),
    ("1c350.43", "1C350.43", "dual_use", "1"),
    (" 9e003 ", "9E003", "dual_use", "9"),
])
def test_control_list_normalisation(raw, code, regime, category):
    entry = normalise_control_entry(raw)
    assert (entry.code, entry.regime, entry.category) == (code, regime, category)
    assert entry.category_label  # labels come from the packaged reference data


@pytest.mark.parametrize("raw", [
    "", "ML0", "ML01", "ML23", "ML1.1", "ML1.aa", "ML", "5F002", "5A02", "5A002.1", "XYZ",
    "1C3500", "ML1a" + "1a" * 20, "12A001",
])
def test_invalid_control_list_entries_are_422(raw):
    assert parse_control_entry(raw) is None
    with pytest.raises(ProblemError) as exc:
        normalise_control_entry(raw)
    assert (exc.value.status, exc.value.code) == (422, "INVALID_CONTROL_LIST_ENTRY")


S = Status


@pytest.mark.parametrize(("current", "target", "role"), [
    (S.draft, S.submitted, "csg.applicant"),
    (S.submitted, S.completeness_check, "csg.officer"),
    (S.completeness_check, S.under_assessment, "csg.officer"),
    (S.under_assessment, S.advice_given, "csg.officer"),
    (S.advice_given, S.countersigned, "csg.head"),
    (S.advice_given, S.under_assessment, "csg.head"),
    (S.countersigned, S.with_minister, "csg.head"),
    (S.countersigned, S.decided, "csg.head"),
    (S.with_minister, S.decided, "csg.minister"),
    (S.decided, S.under_assessment, "csg.reopen"),
    (S.with_minister, S.withdrawn, "csg.applicant"),
    (S.draft, S.withdrawn, "csg.applicant"),
])
def test_allowed_transitions(current, target, role):
    check_transition(current, target, frozenset({role}))


@pytest.mark.parametrize(("current", "target"), [
    (S.draft, S.decided), (S.submitted, S.under_assessment), (S.draft, S.countersigned),
    (S.decided, S.withdrawn), (S.withdrawn, S.submitted), (S.decided, S.submitted),
    (S.under_assessment, S.countersigned), ("draft", "nonsense"),
])
def test_illegal_transitions_are_409(current, target):
    with pytest.raises(ProblemError) as exc:
        check_transition(current, target, frozenset({"csg.head", "csg.applicant"}))
    assert (exc.value.status, exc.value.code) == (409, "ILLEGAL_TRANSITION")


def test_transition_needs_the_role_of_the_table():
    with pytest.raises(ProblemError) as exc:
        check_transition(S.advice_given, S.countersigned, frozenset({"csg.officer"}))
    assert exc.value.status == 403
    with pytest.raises(ProblemError):  # reopening needs the dedicated permission, not head
        check_transition(S.decided, S.under_assessment, frozenset({"csg.head"}))
    assert all(roles for roles in TRANSITIONS.values())


def brussels(y, m, d, hh=10, mm=0):
    """A Brussels wall-clock time as UTC (CET = UTC+1 until 29 March 2026, then UTC+2)."""
    from dkbuza_kit.clock import BRUSSELS
    return datetime(y, m, d, hh, mm, tzinfo=BRUSSELS).astimezone(UTC)


def ev(kind, at, key=None):
    return ClockEvent(kind, at, key)


TIMELINES = [
    ("Mon morning -> Wed", [ev("submitted", brussels(2026, 3, 2)),
                            ev("decided", brussels(2026, 3, 4))], 2),
    ("over a weekend: Fri -> Tue", [ev("submitted", brussels(2026, 3, 6)),
                                    ev("decided", brussels(2026, 3, 10))], 2),
    ("Easter Monday 6 Apr 2026 skipped", [ev("submitted", brussels(2026, 4, 2)),
                                          ev("decided", brussels(2026, 4, 8))], 3),
    ("11 July 2025 (Friday) skipped", [ev("submitted", brussels(2025, 7, 9)),
                                       ev("decided", brussels(2025, 7, 15))], 3),
    ("after 18:00 counts from Tuesday", [ev("submitted", brussels(2026, 3, 2, 18, 30)),
                                         ev("decided", brussels(2026, 3, 4))], 1),
    ("17:59 still counts from Monday", [ev("submitted", brussels(2026, 3, 2, 17, 59)),
                                        ev("decided", brussels(2026, 3, 4))], 2),
    ("after 18:00 in summer time (UTC+2)", [ev("submitted", brussels(2026, 3, 30, 18, 5)),
                                            ev("decided", brussels(2026, 4, 1))], 1),
    ("submitted on Saturday counts from Monday", [ev("submitted", brussels(2026, 3, 7)),
                                                  ev("decided", brussels(2026, 3, 11))], 2),
    ("information request Tue -> Fri pauses Wed, Thu, Fri", [
        ev("submitted", brussels(2026, 3, 2, 9)),
        ev("information_requested", brussels(2026, 3, 3, 11), "r1"),
        ev("information_answered", brussels(2026, 3, 6, 15), "r1"),
        ev("decided", brussels(2026, 3, 11))], 4),
    ("reopened case adds a second segment", [
        ev("submitted", brussels(2026, 3, 2)), ev("decided", brussels(2026, 3, 4)),
        ev("reopened", brussels(2026, 3, 5)), ev("decided", brussels(2026, 3, 9))], 4),
]


@pytest.mark.parametrize(("label", "events", "expected"), TIMELINES, ids=[t[0] for t in TIMELINES])
def test_turnaround_timelines(label, events, expected):
    result = compute_turnaround(events, as_of=date(2026, 12, 31))
    assert result.working_days == expected, label
    assert not result.running
    # Recomputation is idempotent and independent of the order the events are read in.
    assert compute_turnaround(list(reversed(events)), as_of=date(2027, 6, 1)) == result


def test_turnaround_running_clock_and_open_request():
    events = [ev("submitted", brussels(2026, 3, 2)),
              ev("information_requested", brussels(2026, 3, 4), "r1")]
    result = compute_turnaround(events, as_of=date(2026, 3, 10))
    # Counted Tue 3 and Wed 4 (the request's day still counts); Thu 5 .. Tue 10 paused.
    assert (result.working_days, result.paused_working_days, result.running) == (2, 4, True)


RULES = load_rule_set(default_rule_set())


def inputs(country="NO", military=(), dual_use=False, value="5000", denial=False,
           sanctions=False, russia=False, embargo=()):
    return RoutingInputs(country, tuple(military), dual_use, Decimal(value), denial, sanctions,
                         russia, tuple(embargo))


@pytest.mark.parametrize(("given", "track", "authority", "max_days"), [
    (inputs(dual_use=True), "fast", "delegated", 10),
    (inputs(dual_use=True, value="100000.01"), "standard", "delegated", 30),
    (inputs(military=("ML5",)), "standard", "delegated", 30),
    (inputs(military=("ML1",)), "standard", "minister", 30),
    (inputs(country="SA", dual_use=True), "standard", "minister", 30),
    (inputs(country="RU", dual_use=True, embargo=["RU-dual-use: Regulation 833/2014, Art. 2"]),
     "complex", "minister", 60),
    # The rule set's own list holds national additions only: RU comes from the embargo list.
    (inputs(country="RU", dual_use=True), "fast", "delegated", 10),
    (inputs(dual_use=True, denial=True), "complex", "delegated", 60),
    (inputs(dual_use=True, sanctions=True), "complex", "minister", 60),
    (inputs(dual_use=True, russia=True), "complex", "minister", 60),
    (inputs(military=("ML5",), value="1000000.01"), "standard", "minister", 30),
    (inputs(military=("ML5",), value="1000000.00"), "standard", "delegated", 30),
])
def test_routing_rules(given, track, authority, max_days):
    routing = route(RULES, given)
    assert (routing.track, routing.authority, routing.indicative_max_working_days) == (
        track, authority, max_days)
    assert routing.reasons


@pytest.mark.parametrize(("status", "valid_until", "today", "expected"), [
    ("issued", date(2026, 6, 30), date(2026, 6, 30), None),  # last valid day
    ("issued", date(2026, 6, 30), date(2026, 7, 1), "LICENCE_EXPIRED"),
    ("issued", date(2026, 6, 30), date(2026, 1, 1), "LICENCE_NOT_YET_VALID"),
    ("suspended", date(2026, 6, 30), date(2026, 3, 1), "LICENCE_SUSPENDED"),
    ("revoked", date(2026, 6, 30), date(2026, 3, 1), "LICENCE_REVOKED"),
    ("expired", date(2026, 6, 30), date(2026, 3, 1), "LICENCE_EXPIRED"),
    ("surrendered", date(2026, 6, 30), date(2026, 3, 1), "LICENCE_SURRENDERED"),
    ("exhausted", date(2026, 6, 30), date(2026, 3, 1), None),
])
def test_licence_validity(status, valid_until, today, expected):
    assert refusal_reason(status, date(2026, 2, 1), valid_until, today) == expected


@pytest.mark.parametrize(("status", "action", "result"), [
    ("issued", "suspend", "suspended"), ("suspended", "reinstate", "issued"),
    ("suspended", "revoke", "revoked"), ("issued", "expire", "expired"),
    ("exhausted", "replenish", "issued"), ("issued", "surrender", "surrendered"),
])
def test_licence_transitions(status, action, result):
    assert next_state(status, action) == result


@pytest.mark.parametrize(("status", "action"), [
    ("revoked", "reinstate"), ("expired", "suspend"), ("issued", "reinstate"),
    ("revoked", "revoke"),
])
def test_illegal_licence_transitions(status, action):
    with pytest.raises(ProblemError) as exc:
        next_state(status, action)
    assert exc.value.code == "ILLEGAL_TRANSITION"
