"""Pure rules of status reporting and roll-ups (no I/O).

Statuses: on_track = op schema, attention_needed = vertraging/aandacht nodig,
action_needed = actie/bijsturing nodig, done = afgewerkt; not_reported = niet gerapporteerd.
"""

from collections.abc import Iterable
from decimal import ROUND_HALF_UP
from decimal import Decimal

ON_TRACK, ATTENTION, ACTION, DONE = "on_track", "attention_needed", "action_needed", "done"
NOT_REPORTED = "not_reported"
STATUSES = (ON_TRACK, ATTENTION, ACTION, DONE)
DISTRIBUTION_KEYS = (*STATUSES, NOT_REPORTED)

# How bad a status is for deterioration (a higher rank later = worse).
PROGRESS_RANK = {DONE: 0, ON_TRACK: 1, ATTENTION: 2, ACTION: 3}
# How bad a status is among the unfinished children of a goal; no report is worse than on track.
WORST_RANK = {ON_TRACK: 1, NOT_REPORTED: 2, ATTENTION: 3, ACTION: 4}


def report_errors(status: str, explanation: str | None, corrective_action: str | None,
                  result_states: Iterable[str]) -> list[dict[str, str]]:
    """Every rule a status report breaks, as `{code, field, message}` (empty when valid)."""
    errors = []
    if status in (ATTENTION, ACTION) and not (explanation or "").strip():
        errors.append({"code": "EXPLANATION_REQUIRED", "field": "explanation",
                       "message": f"status {status} needs an explanation"})
    if status == ACTION and not (corrective_action or "").strip():
        errors.append({"code": "CORRECTIVE_ACTION_REQUIRED", "field": "corrective_action",
                       "message": "status action_needed needs a proposed corrective action"})
    if status == DONE:
        open_results = sum(1 for state in result_states if state not in ("achieved", "dropped"))
        if open_results:
            errors.append({"code": "RESULTS_NOT_FINISHED", "field": "status",
                           "message": f"{open_results} expected result(s) still open"})
    return errors


def worst_unfinished(statuses: Iterable[str]) -> str | None:
    """The worst status among children that are not done (None when all are done or none)."""
    unfinished = [s for s in statuses if s != DONE]
    return max(unfinished, key=WORST_RANK.__getitem__) if unfinished else None


def deteriorated(before: str, after: str) -> bool:
    """The status got worse between two periods (only reported statuses compare)."""
    if before not in PROGRESS_RANK or after not in PROGRESS_RANK:
        return False
    return PROGRESS_RANK[after] > PROGRESS_RANK[before]


def percentage(part: int, whole: int) -> Decimal | None:
    if whole == 0:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)
