"""The release state machine (pure).

planned (gepland) -> in_review (in nazicht) -> approved (goedgekeurd) -> published (gepubliceerd);
planned, in_review and approved may also go to cancelled (geannuleerd), always with a reason.
A reviewer may send a release back: in_review -> planned, approved -> in_review.
published and cancelled are final.
"""

from enum import StrEnum

from dkbuza_kit.statemachine import TransitionTable


class ReleaseState(StrEnum):
    """State of a release (publicatie). Values (Dutch label): planned (gepland), in_review
    (in nazicht), approved (goedgekeurd), published (gepubliceerd), cancelled (geannuleerd)."""

    planned = "planned"
    in_review = "in_review"
    approved = "approved"
    published = "published"
    cancelled = "cancelled"


ALLOWED: dict[ReleaseState, frozenset[ReleaseState]] = {
    ReleaseState.planned: frozenset({ReleaseState.in_review, ReleaseState.cancelled}),
    ReleaseState.in_review: frozenset(
        {ReleaseState.approved, ReleaseState.planned, ReleaseState.cancelled}),
    ReleaseState.approved: frozenset(
        {ReleaseState.published, ReleaseState.in_review, ReleaseState.cancelled}),
    ReleaseState.published: frozenset(),
    ReleaseState.cancelled: frozenset(),
}

OPEN_STATES = frozenset({ReleaseState.planned, ReleaseState.in_review, ReleaseState.approved})
# The kit's one ILLEGAL_TRANSITION shape (entity, from_state, to_state, allowed).
RELEASE_FLOW = TransitionTable("release", ALLOWED)


class IllegalTransition(ValueError):
    def __init__(self, current: ReleaseState, target: ReleaseState) -> None:
        super().__init__(f"a release cannot go from {current} to {target}")
        self.current = current
        self.target = target


def check_transition(current: ReleaseState, target: ReleaseState) -> None:
    """Raise IllegalTransition unless `current -> target` is an edge of the state machine."""
    if target not in ALLOWED[current]:
        raise IllegalTransition(current, target)
