"""Statement timeouts per route class, so that one slow query cannot hold a connection for
the server-wide default (`DB_STATEMENT_TIMEOUT_MS`, which workers and migrations keep), and
reads without a transaction.

Each request has a class in `route_class_var`: `read` (GET/HEAD/OPTIONS) or `write` (set by
`InFlightLimitMiddleware` from the method), `export` (set by the `ExportSlot` dependency);
outside a request it is `other`. The app's connections default to the read timeout (the
most frequent class costs no statement); a transaction of another class first runs
`SET LOCAL statement_timeout`, which ends with the transaction, so a pooled connection
carries nothing over.

A `read` request's statements run in autocommit: no `BEGIN` and `COMMIT` round trips around
them (two of a small GET's three). Under READ COMMITTED, PostgreSQL's default and ours, a
transaction gives its statements no common snapshot anyway, so a read sees what it saw
before. A read must not write: a data-changing statement on an autocommit connection is
refused (`WriteInReadRequest`), since it would be committed at once, without the rest of its
unit of work. Exports keep their transaction (their timeout is a `SET LOCAL`); a GET whose
handler may write (a packaged default installed on first use) declares
`dependencies=[TRANSACTIONAL_READ]` and gets a write's transaction and timeout.
"""

import re
from collections.abc import Mapping
from contextvars import ContextVar
from typing import Any

from fastapi import Depends
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

READ, WRITE, EXPORT, OTHER = "read", "write", "export", "other"
route_class_var: ContextVar[str | None] = ContextVar("route_class", default=None)
_WRITES = ("INSERT", "UPDATE", "DELETE", "MERGE", "SET", "LOCK", "SELECT PG_ADVISORY",
           "SELECT PG_TRY_ADVISORY", "CALL", "TRUNCATE", "COPY")
_DATA_CHANGE = re.compile(r"\b(INSERT\s+INTO|UPDATE\s+\S+\s+SET|DELETE\s+FROM|MERGE\s+INTO)\b", re.I)


class WriteInReadRequest(RuntimeError):
    """A programming error: a GET/HEAD request tried to change data."""


async def _transactional_read() -> None:
    route_class_var.set(WRITE)  # before the handler's first statement opens the session's


TRANSACTIONAL_READ = Depends(_transactional_read)


def session_class_with_timeouts(engine: Engine, timeouts_ms: Mapping[str, int],
                                connection_default_ms: int, *,
                                autocommit_reads: bool = True) -> type[Session]:
    """A Session subclass of its own (so the listeners concern this app's sessions only);
    `engine` is the app's (sync) engine, whose autocommit variant shares its pool."""
    reads = engine.execution_options(isolation_level="AUTOCOMMIT")
    event.listen(reads, "before_cursor_execute", _refuse_writes)

    class TimedSession(Session):
        reads_autocommit = autocommit_reads  # read by the session dependency (nothing to commit)

        def get_bind(self, *args: Any, **kwargs: Any) -> Any:
            bind = super().get_bind(*args, **kwargs)
            if autocommit_reads and bind is engine and route_class_var.get() == READ:
                return reads
            return bind

    @event.listens_for(TimedSession, "after_begin")
    def _set_statement_timeout(session, transaction, connection) -> None:
        milliseconds = timeouts_ms.get(route_class_var.get() or OTHER)
        if milliseconds and milliseconds != connection_default_ms:
            connection.exec_driver_sql(f"SET LOCAL statement_timeout = {int(milliseconds)}")

    return TimedSession


def _refuse_writes(connection, cursor, statement: str, parameters, context, executemany) -> None:
    if writes(statement):
        raise WriteInReadRequest(
            f"a read request (GET/HEAD) must not change data: {statement[:80]!r}")


def writes(statement: str) -> bool:
    """Whether a statement changes data or the session (a `WITH` counts by its parts)."""
    head = statement.lstrip()[:22].upper()
    if head.startswith("WITH"):
        return _DATA_CHANGE.search(statement) is not None
    return head.startswith(_WRITES)
