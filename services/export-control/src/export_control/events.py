"""The domain event types this service writes to its outbox (and offers as webhooks)."""

from export_control.applications.workflow import Status
from export_control.licences.workflow import ACTIONS, ISSUED

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
