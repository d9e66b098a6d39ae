"""Licence states and the validity rule customs relies on (pure).

States (Dutch labels): issued (uitgereikt), suspended (geschorst), revoked (ingetrokken),
expired (vervallen), exhausted (uitgeput), surrendered (afgestaan), superseded (vervangen:
a new decision after reopening replaced it).
A licence is valid through its end date until 23:59:59 Europe/Brussels; from the next day it
is expired even before the nightly job has recorded it.
"""

from datetime import date

from dkbuza_kit.statemachine import illegal_transition

ISSUED, SUSPENDED, REVOKED, EXPIRED, EXHAUSTED, SURRENDERED, SUPERSEDED = (
    "issued", "suspended", "revoked", "expired", "exhausted", "surrendered", "superseded")
# A licence customs may still see as the application's licence (one per application).
LIVE = frozenset({ISSUED, SUSPENDED, EXHAUSTED})

# action -> (states it may start from, resulting state)
ACTIONS: dict[str, tuple[frozenset[str], str]] = {
    "suspend": (frozenset({ISSUED, EXHAUSTED}), SUSPENDED),
    "reinstate": (frozenset({SUSPENDED}), ISSUED),
    "revoke": (frozenset({ISSUED, SUSPENDED, EXHAUSTED}), REVOKED),
    "surrender": (frozenset({ISSUED, SUSPENDED, EXHAUSTED}), SURRENDERED),
    "expire": (frozenset({ISSUED, SUSPENDED, EXHAUSTED}), EXPIRED),
    "exhaust": (frozenset({ISSUED}), EXHAUSTED),
    "replenish": (frozenset({EXHAUSTED}), ISSUED),
    # A new grant after a reopened case replaces the licence (used amounts carried over).
    "supersede": (frozenset({ISSUED, SUSPENDED, EXHAUSTED}), SUPERSEDED),
}

REFUSAL_CODES = {
    SUSPENDED: "LICENCE_SUSPENDED",
    REVOKED: "LICENCE_REVOKED",
    EXPIRED: "LICENCE_EXPIRED",
    SURRENDERED: "LICENCE_SURRENDERED",
    SUPERSEDED: "LICENCE_SUPERSEDED",
}


def _targets_from(current: str) -> set[str]:
    return {target for sources, target in ACTIONS.values() if current in sources}


def next_state(current: str, action: str) -> str:
    sources, target = ACTIONS[action]
    if current not in sources:
        raise illegal_transition("licence", current, target, _targets_from(current),
                                 f"a licence that is {current} cannot be {action}d")
    return target


def refusal_reason(status: str, valid_from: date, valid_until: date, today: date) -> str | None:
    """Why the licence cannot be used today (a stable code), or None when it can.

    `exhausted` is not a refusal here: the quantity check refuses what no longer fits, and
    `open` lines stay usable."""
    if status in REFUSAL_CODES:
        return REFUSAL_CODES[status]
    if today > valid_until:
        return "LICENCE_EXPIRED"
    if today < valid_from:
        return "LICENCE_NOT_YET_VALID"
    return None
