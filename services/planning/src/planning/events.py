"""The domain event types this service writes to its outbox (and offers as webhooks)."""

EVENT_TYPES: tuple[str, ...] = ("report.submitted", "report.edited", "report.corrected",
                                "report.acknowledged", "report.commented", "period.closed",
                                "period.reminder")

WEBHOOK_ROLES: tuple[str, ...] = ("planning.manager",)
# Only the plan's managers subscribe; they may read every type.
EVENT_READERS: dict[str, tuple[str, ...]] = {t: WEBHOOK_ROLES for t in EVENT_TYPES}
