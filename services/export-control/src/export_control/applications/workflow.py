"""The application lifecycle as an explicit transition table (any other move: 409).

States (Dutch labels): draft (ontwerp), submitted (ingediend), completeness_check
(ontvankelijkheidsonderzoek), under_assessment (in behandeling), advice_given (advies gegeven),
countersigned (medeondertekend), with_minister (bij de minister), decided (beslist),
withdrawn (ingetrokken).

Decisions (`decided`) only go through `/decision`, which adds the authority and screening rules;
`reopen` (decided -> under_assessment) needs the dedicated `csg.reopen` permission.
"""

from enum import StrEnum

from dkbuza_kit.errors import KitErrors
from dkbuza_kit.statemachine import TransitionTable
from export_control.roles import APPLICANT
from export_control.roles import HEAD
from export_control.roles import MINISTER
from export_control.roles import OFFICER
from export_control.roles import REOPEN


class Status(StrEnum):
    draft = "draft"
    submitted = "submitted"
    completeness_check = "completeness_check"
    under_assessment = "under_assessment"
    advice_given = "advice_given"
    countersigned = "countersigned"
    with_minister = "with_minister"
    decided = "decided"
    withdrawn = "withdrawn"



S = Status
OPEN_STATES = frozenset({S.submitted, S.completeness_check, S.under_assessment, S.advice_given,
                         S.countersigned, S.with_minister})

# (from, to) -> roles allowed to make that move.
TRANSITIONS: dict[tuple[Status, Status], frozenset[str]] = {
    (S.draft, S.submitted): frozenset({APPLICANT}),
    (S.submitted, S.completeness_check): frozenset({OFFICER, HEAD}),
    (S.completeness_check, S.under_assessment): frozenset({OFFICER, HEAD}),
    (S.under_assessment, S.advice_given): frozenset({OFFICER, HEAD}),
    # The head sends an advice back for more assessment instead of countersigning it.
    (S.advice_given, S.under_assessment): frozenset({HEAD}),
    (S.advice_given, S.countersigned): frozenset({HEAD}),
    (S.countersigned, S.with_minister): frozenset({HEAD}),
    (S.countersigned, S.decided): frozenset({HEAD}),
    (S.with_minister, S.decided): frozenset({MINISTER}),
    (S.decided, S.under_assessment): frozenset({REOPEN}),
    **{(state, S.withdrawn): frozenset({APPLICANT}) for state in (S.draft, *OPEN_STATES)},
}


def _next_states() -> dict[str, set[str]]:
    table: dict[str, set[str]] = {}
    for source, target in TRANSITIONS:
        table.setdefault(source.value, set()).add(target.value)
    return table


APPLICATION_FLOW = TransitionTable("application", _next_states())


def allowed_roles(current: str, target: str) -> frozenset[str]:
    """Roles that may move an application from `current` to `target`; 409 if no such move."""
    APPLICATION_FLOW.check(current, target)
    return TRANSITIONS[(Status(current), Status(target))]


def check_transition(current: str, target: str, roles: frozenset[str]) -> None:
    """409 ILLEGAL_TRANSITION for a move not in the table, 403 for a role not allowed to make it."""
    allowed = allowed_roles(current, target)
    if not roles & allowed:
        raise KitErrors.FORBIDDEN(f"moving from {current} to {target} requires one of: "
                                  f"{', '.join(sorted(allowed))}")
