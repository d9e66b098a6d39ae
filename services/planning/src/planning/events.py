"""The domain event types this service writes to its outbox (and offers as webhooks)."""

EVENT_TYPES: tuple[str, ...] = ("report.submitted", "report.edited", "report.corrected",
                                "report.acknowledged", "report.commented", "period.closed",
                                "period.reminder")
