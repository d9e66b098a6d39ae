"""Statement timeouts per route class, so that one slow query cannot hold a connection for
the server-wide default (`DB_STATEMENT_TIMEOUT_MS`, which workers and migrations keep).

Each request has a class in `route_class_var`: `read` (GET/HEAD/OPTIONS) or `write` (set by
`InFlightLimitMiddleware` from the method), `export` (set by the `ExportSlot` dependency).
Every transaction a session of the app begins first runs `SET LOCAL statement_timeout` for
that class, so the timeout ends with the transaction and a pooled connection carries
nothing over. Outside a request (jobs, scripts) the connection's default applies.
"""

from collections.abc import Mapping
from contextvars import ContextVar

from sqlalchemy import event
from sqlalchemy.orm import Session

READ, WRITE, EXPORT = "read", "write", "export"
route_class_var: ContextVar[str | None] = ContextVar("route_class", default=None)


def session_class_with_timeouts(timeouts_ms: Mapping[str, int]) -> type[Session]:
    """A Session subclass of its own (so the listener concerns this app's sessions only)."""

    class TimedSession(Session):
        pass

    @event.listens_for(TimedSession, "after_begin")
    def _set_statement_timeout(session, transaction, connection) -> None:
        route_class = route_class_var.get()
        milliseconds = timeouts_ms.get(route_class) if route_class else None
        if milliseconds:
            connection.exec_driver_sql(f"SET LOCAL statement_timeout = {int(milliseconds)}")

    return TimedSession
