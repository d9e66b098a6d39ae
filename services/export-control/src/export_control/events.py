"""The domain event types this service writes to its outbox (and offers as webhooks)."""

from export_control.applications.workflow import Status
from export_control.licences.workflow import ACTIONS
from export_control.licences.workflow import ISSUED
from export_control.roles import APPLICANT
from export_control.roles import CUSTOMS
from export_control.roles import INTERNAL

EVENT_TYPES: tuple[str, ...] = (
    *(f"application.{status.value}" for status in Status),
    "application.decided",
    "application.information_requested",
    *sorted({f"licence.{target}" for _, target in ACTIONS.values()} | {f"licence.{ISSUED}"}),
    "denial_notice.consulted",
    "denial_notice.granted_despite_denial",
    "infringement.opened",
    "licence.extended",
    *(f"procedure.{state}" for state in ("requested", "under_review", "held", "follow_up",
                                         "closed", "withdrawn")),
    "transaction_report.discrepancy",
    "document.stored", "document.withdrawn", "licence.document_generated",
    "application.refusal_letter_generated",
)


def event_readers(event_type: str) -> tuple[str, ...]:
    """Who may receive an event type: customs reads licences only (it holds the customs
    endpoints and nothing of applications or enforcement); screening hits are internal."""
    if event_type.startswith("licence."):
        return (APPLICANT, *INTERNAL, CUSTOMS)
    if event_type.startswith("denial_notice."):
        return INTERNAL
    return (APPLICANT, *INTERNAL)


EVENT_READERS: dict[str, tuple[str, ...]] = {t: event_readers(t) for t in EVENT_TYPES}
