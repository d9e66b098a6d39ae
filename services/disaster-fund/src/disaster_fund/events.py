"""The domain event types this service writes to its outbox (and offers as webhooks)."""

from disaster_fund.roles import HANDLER
from disaster_fund.roles import MANAGER
from disaster_fund.roles import MUNICIPALITY
from disaster_fund.workflow import ApplicationState
from disaster_fund.workflow import DisasterState

REPORTER_EVENTS = ("damage_report.disaster_recognised", "damage_report.application_window_opened",
                   "damage_report.disaster_not_recognised")

EVENT_TYPES: tuple[str, ...] = (
    *(f"disaster.{state.value}" for state in DisasterState),
    *REPORTER_EVENTS,
    *(f"application.{state.value}" for state in ApplicationState),
    "payment.executed",
    "document.stored", "document.withdrawn", "decision_letter.generated",
)

# Every subscriber role may read every type: municipalities get their own dossiers' events
# (by organisation), the fund's staff everyone's.
EVENT_READERS: dict[str, tuple[str, ...]] = {
    t: (MUNICIPALITY, HANDLER, MANAGER) for t in EVENT_TYPES}
