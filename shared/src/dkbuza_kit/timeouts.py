"""Statement timeouts per route class, so that one slow query cannot hold a connection for
the server-wide default (`DB_STATEMENT_TIMEOUT_MS`, which workers and migrations keep).

Each request has a class in `route_class_var`: `read` (GET/HEAD/OPTIONS) or `write` (set by
`InFlightLimitMiddleware` from the method), `export` (set by the `ExportSlot` dependency);
outside a request it is `other`. The app's connections default to the read timeout (the
most frequent class costs no statement); a transaction of another class first runs
`SET LOCAL statement_timeout`, which ends with the transaction, so a pooled connection
carries nothing over.
"""

from collections.abc import Mapping
from contextvars import ContextVar

from sqlalchemy import event
from sqlalchemy.orm import Session

READ, WRITE, EXPORT, OTHER = "read", "write", "export", "other"
route_class_var: ContextVar[str | None] = ContextVar("route_class", default=None)


def session_class_with_timeouts(timeouts_ms: Mapping[str, int],
                                connection_default_ms: int) -> type[Session]:
    """A Session subclass of its own (so the listener concerns this app's sessions only)."""

    class TimedSession(Session):
        pass

    @event.listens_for(TimedSession, "after_begin")
    def _set_statement_timeout(session, transaction, connection) -> None:
        milliseconds = timeouts_ms.get(route_class_var.get() or OTHER)
        if milliseconds and milliseconds != connection_default_ms:
            connection.exec_driver_sql(f"SET LOCAL statement_timeout = {int(milliseconds)}")

    return TimedSession
