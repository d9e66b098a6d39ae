"""The turnaround clock: phase durations, gross and net of pauses, from a dossier's events.

Pure. Days are Brussels calendar days: a phase entered on day a and left on day b lasted
b - a days; a pause from day p to day q removes the overlap of [p, q) with [a, b). An open
phase or pause runs until `today`.
"""

from dataclasses import dataclass
from datetime import date
from datetime import datetime
from enum import StrEnum

from disaster_fund.errors import Errors
from disaster_fund.workflow import PHASE_OF_STATE
from disaster_fund.workflow import ApplicationState
from disaster_fund.workflow import Phase
from dkbuza_kit.calendar import brussels_date


class PauseReason(StrEnum):
    """Reason for pausing the turnaround clock: only waits on the applicant stop it.
    Values (Dutch label): waiting_for_documents (wacht op documenten van de aanvrager),
    report_with_applicant (expertiseverslag ligt bij de aanvrager), waiting_insurer_attest
    (wacht op het attest van de verzekeraar)."""

    waiting_for_documents = "waiting_for_documents"
    report_with_applicant = "report_with_applicant"
    waiting_insurer_attest = "waiting_insurer_attest"


ALLOWED_PAUSE_REASONS = frozenset(reason.value for reason in PauseReason)


@dataclass(frozen=True)
class StateEntry:
    at: datetime
    state: str


@dataclass(frozen=True)
class PauseSpan:
    start: datetime
    end: datetime | None


@dataclass(frozen=True)
class PhaseSpan:
    phase: str
    entered_on: date
    left_on: date | None
    gross_days: int
    net_days: int


@dataclass(frozen=True)
class Norm:
    status: str  # ok | at_risk | overdue
    norm_days: int
    days_left: int


def check_pause_reason(reason: str) -> None:
    if reason not in ALLOWED_PAUSE_REASONS:
        raise Errors.PAUSE_REASON_NOT_ALLOWED(
            f"only waits on the applicant pause the clock ({', '.join(sorted(ALLOWED_PAUSE_REASONS))})",
            allowed=sorted(ALLOWED_PAUSE_REASONS),
        )


def overlaps(a: PauseSpan, b: PauseSpan, now: datetime) -> bool:
    a_end = a.end or now
    b_end = b.end or now
    if a.end is None and b.end is None:
        return True
    return a.start < b_end and b.start < a_end


def check_no_overlap(existing: list[PauseSpan], new: PauseSpan, now: datetime) -> None:
    if new.end is not None and new.end <= new.start:
        raise Errors.INVALID_PAUSE("a pause must end after it starts")
    for pause in existing:
        if overlaps(pause, new, now):
            raise Errors.PAUSE_OVERLAP("pauses of one dossier cannot overlap")


def _overlap_days(start: date, end: date, pause_start: date, pause_end: date) -> int:
    return max(0, (min(end, pause_end) - max(start, pause_start)).days)


def paused_days(start: date, end: date, pauses: list[PauseSpan], today: date) -> int:
    return sum(
        _overlap_days(start, end, brussels_date(p.start),
                      brussels_date(p.end) if p.end else today)
        for p in pauses
    )


def phase_spans(entries: list[StateEntry], pauses: list[PauseSpan], now: datetime) -> list[PhaseSpan]:
    """Consecutive states of one phase form a span; terminal states end the last span."""
    today = brussels_date(now)
    spans: list[PhaseSpan] = []
    current: tuple[str, date] | None = None
    for entry in sorted(entries, key=lambda e: e.at):
        phase = PHASE_OF_STATE.get(ApplicationState(entry.state))
        day = brussels_date(entry.at)
        if current is not None and (phase is None or phase.value != current[0]):
            spans.append(_span(current[0], current[1], day, pauses, today))
            current = None
        if phase is not None and current is None:
            current = (phase.value, day)
    if current is not None:
        spans.append(_span(current[0], current[1], None, pauses, today))
    return spans


def _span(phase: str, entered: date, left: date | None, pauses: list[PauseSpan],
          today: date) -> PhaseSpan:
    end = left or today
    gross = (end - entered).days
    return PhaseSpan(phase, entered, left, gross, gross - paused_days(entered, end, pauses, today))


def totals(spans: list[PhaseSpan]) -> dict[str, dict[str, int]]:
    result: dict[str, dict[str, int]] = {}
    for span in spans:
        entry = result.setdefault(span.phase, {"gross_days": 0, "net_days": 0})
        entry["gross_days"] += span.gross_days
        entry["net_days"] += span.net_days
    return result


def norm_status(net_days: int, norm_days: int, warn_days: int) -> Norm:
    """overdue past the norm; at_risk within `warn_days` of it; else ok."""
    left = norm_days - net_days
    status = "overdue" if left < 0 else "at_risk" if left <= warn_days else "ok"
    return Norm(status, norm_days, left)


__all__ = ["Phase", "PauseReason", "StateEntry", "PauseSpan", "PhaseSpan", "phase_spans",
           "totals", "paused_days", "check_pause_reason", "check_no_overlap", "norm_status"]
