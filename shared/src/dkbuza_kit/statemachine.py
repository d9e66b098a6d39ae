"""State machines as data: a transition table and one check with one problem shape.

    APPLICATION_FLOW = TransitionTable("application", {"draft": {"submitted"}, ...})
    APPLICATION_FLOW.check(current, requested)   # 409 ILLEGAL_TRANSITION otherwise

The problem always carries `entity`, `from_state`, `to_state` and `allowed` (sorted).
"""

from collections.abc import Iterable
from collections.abc import Mapping
from enum import Enum
from typing import Any

from dkbuza_kit.errors import KitErrors


def _name(state: Any) -> str:
    return state.value if isinstance(state, Enum) else str(state)


class TransitionTable:
    def __init__(self, entity: str, transitions: Mapping[Any, Iterable[Any]]) -> None:
        self.entity = entity
        self._next = {_name(source): frozenset(_name(t) for t in targets)
                      for source, targets in transitions.items()}

    def allowed(self, current: Any) -> frozenset[str]:
        return self._next.get(_name(current), frozenset())

    def can(self, current: Any, requested: Any) -> bool:
        return _name(requested) in self.allowed(current)

    def states(self) -> frozenset[str]:
        return frozenset(self._next) | frozenset().union(*self._next.values())

    def check(self, current: Any, requested: Any, detail: str | None = None) -> None:
        if not self.can(current, requested):
            raise illegal_transition(self.entity, current, requested, self.allowed(current),
                                     detail)


def illegal_transition(entity: str, current: Any, requested: Any,
                       allowed: Iterable[Any] = (), detail: str | None = None):
    """The one ILLEGAL_TRANSITION problem, also for guards outside a table (e.g. 'advice is
    given during the assessment')."""
    names = sorted(_name(state) for state in allowed)
    return KitErrors.ILLEGAL_TRANSITION(
        detail or f"a {entity} cannot go from {_name(current)} to {_name(requested)}",
        entity=entity, from_state=_name(current), to_state=_name(requested), allowed=names)
