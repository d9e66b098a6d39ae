"""Async SQLAlchemy: naming convention, engine in the lifespan, one unit of work per request.

The session dependency commits once, after the endpoint returns and before the response is
sent (FastAPI `Depends(..., scope="function")`), so a failed commit becomes a problem response
instead of a lost write behind a 2xx.

Pooled connections are checked on checkout only after they sat idle (`ping_after_idle_s`):
SQLAlchemy's `pool_pre_ping` costs three round trips on every checkout with asyncpg (the
ping runs in a transaction of its own), a third of a small request's statements. A connection
in steady use needs no ping: when the server went away under it, the statement fails as a
disconnect, SQLAlchemy invalidates every connection of the pool opened before that moment, and
the request answers 503 like any request caught by the outage.
"""

import time
from collections.abc import AsyncIterator
from collections.abc import Callable
from collections.abc import Mapping
from typing import Annotated
from typing import Any
from typing import TypeVar

from fastapi import Depends
from fastapi import Request
from pydantic import SecretStr
from sqlalchemy import MetaData
from sqlalchemy import event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.orm import DeclarativeBase

from dkbuza_kit.errors import KitErrors
from dkbuza_kit.settings import secret_value
from dkbuza_kit.timeouts import READ
from dkbuza_kit.timeouts import route_class_var
from dkbuza_kit.timeouts import session_class_with_timeouts

M = TypeVar("M")
S = TypeVar("S")

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_metadata() -> MetaData:
    return MetaData(naming_convention=NAMING_CONVENTION)


class KitBase(DeclarativeBase):
    """Tables owned by the kit (audit events, outbox, idempotency keys, jobs).

    Every service database has them; services keep their own Base for domain tables so that
    two services with a table of the same name can live in one test process.
    """

    metadata = new_metadata()


def create_engine(database_url: str | SecretStr, *, pool_size: int = 10,
                  max_overflow: int = 10, statement_timeout_ms: int = 30_000,
                  pool_timeout_s: float = 30.0, ping_after_idle_s: float = 2.0) -> AsyncEngine:
    """`database_url` may be the settings' secret: unwrapped here only (SQLAlchemy's URL hides
    the password in its own repr)."""
    engine = create_async_engine(
        secret_value(database_url),
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_timeout=pool_timeout_s,
        pool_pre_ping=False,  # see the module doc: pinged after idling instead
        connect_args={
            "server_settings": {
                "statement_timeout": str(statement_timeout_ms),
                "timezone": "UTC",
                "application_name": "dkbuza",
            }
        },
    )
    event.listen(engine.sync_engine, "do_connect", _connect_or_operational_error)
    _ping_after_idle(engine, ping_after_idle_s)
    return engine


_IDLE_SINCE = "dkbuza.idle_since"


def _ping_after_idle(engine: AsyncEngine, idle_s: float) -> None:
    """Ping a pooled connection on checkout when it was idle for `idle_s` or more; a failed ping
    makes the pool discard it and connect anew (SQLAlchemy retries on DisconnectionError)."""
    dialect = engine.sync_engine.dialect

    @event.listens_for(engine.sync_engine, "checkin")
    def _idle_from_now(dbapi_connection, record) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def _ping_if_idle(dbapi_connection, record, proxy) -> None:
        since = record.info.pop(_IDLE_SINCE, None)
        if since is None or time.monotonic() - since < idle_s:
            return
        try:
            dialect.do_ping(dbapi_connection)
        except Exception as exc:  # whatever broke it, a fresh connection is the answer
            raise DisconnectionError(f"pooled connection failed its ping: {exc!r}") from exc


def _connect_or_operational_error(dialect, connection_record, cargs, cparams):
    """asyncpg raises bare OSErrors when it cannot reach the server, which SQLAlchemy does not
    wrap; as the driver's OperationalError they become a 503 problem instead of a 500."""
    try:
        return dialect.loaded_dbapi.connect(*cargs, **cparams)
    except OSError as exc:
        raise dialect.loaded_dbapi.OperationalError(
            f"cannot connect to the database: {exc!r}", exc) from exc


def create_sessionmaker(engine: AsyncEngine, *,
                        statement_timeouts_ms: Mapping[str, int] | None = None,
                        connection_timeout_ms: int | None = None,
                        ) -> async_sessionmaker[AsyncSession]:
    """`statement_timeouts_ms`: per route class (see `dkbuza_kit.timeouts`);
    `connection_timeout_ms`: the engine's own statement timeout (no SET needed for it)."""
    if statement_timeouts_ms:
        session_class = session_class_with_timeouts(engine.sync_engine, statement_timeouts_ms,
                                                    connection_timeout_ms or 0)
        return async_sessionmaker(engine, expire_on_commit=False, autoflush=True,
                                  sync_session_class=session_class)
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=True)


async def _session(request: Request) -> AsyncIterator[AsyncSession]:
    sessionmaker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    async with sessionmaker() as session:
        try:
            yield session
        except BaseException:
            await session.rollback()
            raise
        else:
            if _has_work_to_commit(session):
                await session.commit()


def _has_work_to_commit(session: AsyncSession) -> bool:
    """A read request's statements ran in autocommit (where the session class says so), so
    there is nothing to commit; closing the session ends it. Pending ORM changes still go to
    `commit`, whose flush refuses them (`WriteInReadRequest`) instead of dropping them unsaid."""
    if route_class_var.get() != READ:
        return True
    if not getattr(session.sync_session, "reads_autocommit", False):
        return True  # this session class reads inside a transaction: commit it as before
    return bool(session.new or session.dirty or session.deleted)


# Use as `session: DbSession` in an endpoint.
DbSession = Annotated[AsyncSession, Depends(_session, scope="function")]


async def one_or_404(session: AsyncSession, stmt: Any, *, what: str, error: Any = None,
                     for_update: bool = False) -> Any:
    """The one row a statement (the caller's visibility rule and the key) selects, locked with
    `for_update`, or the not-found problem: an object the caller may not see is "not found"."""
    row = await session.scalar(stmt.with_for_update() if for_update else stmt)
    if row is None:
        raise (error or KitErrors.NOT_FOUND)(f"{what} not found")
    return row


async def get_or_404(session: AsyncSession, model: type[M], key: Any, *, what: str,
                     error: Any = None) -> M:
    """One row by primary key, or the catalogue's not-found problem (`error`, default NOT_FOUND)."""
    row = await session.get(model, key)
    if row is None:
        raise (error or KitErrors.NOT_FOUND)(f"{what} not found")
    return row


async def add_unique(session: AsyncSession, row: object, constraint: str,
                     conflict: Callable[[], Exception]) -> None:
    """Add and flush `row` in a savepoint; a violation of the unique `constraint` (its name) is
    `conflict()`, any other integrity error stays what it is. The constraint, not a SELECT
    before the insert, decides, so it also holds between concurrent requests; the savepoint
    keeps the transaction usable after the refusal."""
    try:
        async with session.begin_nested():
            session.add(row)
            await session.flush()
    except IntegrityError as exc:
        if constraint not in str(exc.orig):
            raise
        raise conflict() from exc


def where_given(stmt: S, *filters: tuple[Any, Any]) -> S:
    """`stmt` narrowed by `column == value` for each (column, value) whose value was given (not
    None; 0, "" and False are values): the optional equality filters of a list endpoint."""
    for column, value in filters:
        if value is not None:
            stmt = stmt.where(column == value)
    return stmt
