"""The domain event types this service writes to its outbox (and offers as webhooks)."""

from vsp_statistics.releases.workflow import ReleaseState
from vsp_statistics.roles import ENTITY
from vsp_statistics.roles import STAFF

EVENT_TYPES: tuple[str, ...] = (
    "release.announced",
    *(f"release.{state.value}" for state in ReleaseState if state is not ReleaseState.planned),
    "release.rescheduled",
    "release.overdue",  # the daily check: past its target, not published (releases/overdue.py)
)

# Entities read their own releases' events (by organisation), the authority's staff all.
EVENT_READERS: dict[str, tuple[str, ...]] = {t: (STAFF, ENTITY) for t in EVENT_TYPES}
