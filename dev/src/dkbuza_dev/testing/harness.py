"""One app in-process (httpx ASGI transport, lifespan run) against its own migrated database."""

import asyncio
import tempfile
import uuid
from collections.abc import AsyncIterator
from collections.abc import Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from sqlalchemy import MetaData
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from dkbuza_dev.postgres import database_url
from dkbuza_dev.postgres import drop_database
from dkbuza_dev.postgres import ensure_database
from dkbuza_dev.testing.reset import empty_written_tables
from dkbuza_dev.testing.reset import install_dirty_tracking
from dkbuza_kit.clock import SystemClock
from dkbuza_kit.db import KitBase
from dkbuza_kit.db_roles import TEST_APP_ROLE
from dkbuza_kit.db_roles import ensure_login_role
from dkbuza_kit.db_roles import with_user
from dkbuza_kit.migrations import alembic_config
from dkbuza_kit.settings import AppSettings
from dkbuza_kit.tokens import SigningKey

# Tests connect as TEST_APP_ROLE, with the app's grants only (as in production); the server
# URL's role owns the database and runs the migrations.
__all__ = ["TEST_APP_ROLE", "ServiceHarness", "migrate", "migrations_roundtrip",
           "scratch_database"]


async def migrate(ini: Path, url: str, revision: str = "head", *, down: bool = False,
                  app_role: str | None = None) -> None:
    config = alembic_config(ini, url, app_role)
    # env.py calls asyncio.run(); give it a thread of its own.
    fn = command.downgrade if down else command.upgrade
    await asyncio.to_thread(fn, config, revision)


@asynccontextmanager
async def scratch_database(server_url: str, prefix: str) -> AsyncIterator[tuple[str, Any]]:
    """An empty database of its own for a migration test, as (url, engine); dropped after."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    await ensure_database(server_url, name)
    url = database_url(server_url, name)
    engine = create_async_engine(url)
    try:
        yield url, engine
    finally:
        await engine.dispose()
        await drop_database(server_url, name)


async def migrations_roundtrip(server_url: str, ini: Path, metadata: MetaData) -> list[Any]:
    """Upgrade an empty database to head, diff models against it, downgrade to base.

    Returns the model/migration differences (empty when there is no drift); raises if the
    downgrade leaves a table behind.
    """
    async with scratch_database(server_url, "test_migrations") as (url, engine):
        await migrate(ini, url)
        async with engine.connect() as connection:
            diff = await connection.run_sync(
                lambda sync: compare_metadata(
                    MigrationContext.configure(sync, opts={"compare_type": True}),
                    [metadata, KitBase.metadata],
                )
            )
        await migrate(ini, url, "base", down=True)
        async with engine.connect() as connection:
            left = (await connection.execute(text(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                "AND tablename <> 'alembic_version'"))).scalars().all()
        if left:
            raise AssertionError(f"downgrade to base left tables: {left}")
        return diff


async def _install_tracking(owner_url: str) -> None:
    engine = create_async_engine(owner_url, poolclass=NullPool)
    try:
        async with engine.begin() as connection:
            await install_dirty_tracking(connection)
    finally:
        await engine.dispose()


class ServiceHarness:
    """A running app, its client and token minting. Use `start()` in a session fixture."""

    app_name: str | None = None  # set by `for_app`

    def __init__(self, app: FastAPI, client: httpx.AsyncClient, key: SigningKey,
                 url: str | None, keep_tables: tuple[str, ...],
                 owner_url: str | None = None) -> None:
        self.app = app
        self.client = client
        self.key = key
        self.database_url = url  # the app role's (None: the app has no database)
        self.owner_url = owner_url or url  # the owning role's (migrations, resetting)
        self.keep_tables = keep_tables

    @classmethod
    @asynccontextmanager
    async def start(
        cls,
        server_url: str,
        key: SigningKey,
        *,
        name: str,
        create_app: Callable[[AppSettings], FastAPI],
        settings_cls: type[AppSettings],
        alembic_ini: Path | None,
        keep_tables: tuple[str, ...] = (),
        app_role: str | None = TEST_APP_ROLE,
        **settings_overrides: Any,
    ) -> AsyncIterator["ServiceHarness"]:
        """`app_role=None` connects the app as the owner (only for tests that need it);
        `alembic_ini=None`: an app without a database (no database is created)."""
        options = {"log_json": True, "log_level": "WARNING", "jwks_path": str(key.jwks_path),
                   **settings_overrides}
        if alembic_ini is None:
            async with cls._serve(create_app(settings_cls(**options)), key, None, ()) as running:
                yield running
            return
        database = f"test_{name}_{uuid.uuid4().hex[:8]}"
        await ensure_database(server_url, database)
        owner_url = database_url(server_url, database)
        url = owner_url
        try:
            if app_role:
                await ensure_login_role(server_url, app_role)
                url = with_user(owner_url, app_role)
            await migrate(alembic_ini, owner_url, app_role=app_role)
            await _install_tracking(owner_url)
            options = {"kpi_gauge_cache_seconds": 0,
                       "documents_dir": tempfile.mkdtemp(prefix=f"dkbuza-{name}-documents-"),
                       **options}
            settings = settings_cls(database_url=url, migration_database_url=owner_url,
                                    **options)
            async with cls._serve(create_app(settings), key, url, keep_tables,
                                  owner_url) as running:
                yield running
        finally:
            await drop_database(server_url, database)

    @classmethod
    @asynccontextmanager
    async def _serve(cls, app: FastAPI, key: SigningKey, url: str | None,
                     keep_tables: tuple[str, ...],
                     owner_url: str | None = None) -> AsyncIterator["ServiceHarness"]:
        async with LifespanManager(app) as manager:
            transport = httpx.ASGITransport(app=manager.app)
            async with httpx.AsyncClient(transport=transport,
                                         base_url="http://testserver") as client:
                yield cls(app, client, key, url, keep_tables, owner_url)

    @classmethod
    @asynccontextmanager
    async def for_app(cls, app_name: str, server_url: str, key: SigningKey,
                      **options: Any) -> AsyncIterator["ServiceHarness"]:
        """`start()` for one of the apps of `dkbuza_kit.apps`, by name (e.g. "planning")."""
        from dkbuza_kit.apps import app_named

        spec = app_named(app_name)
        loaded = spec.load()
        async with cls.start(server_url, key, name=spec.database or spec.package,
                             create_app=loaded.create_app,
                             settings_cls=loaded.settings_cls, alembic_ini=loaded.alembic_ini,
                             **options) as running:
            running.app_name = app_name
            yield running

    @property
    def sessionmaker(self):
        return self.app.state.sessionmaker

    def headers(self, *roles: str, org: str = "dkbuza", sub: str = "tester",
                teams: list[str] | None = None, **claims: Any) -> dict[str, str]:
        token = self.key.mint(sub=sub, roles=list(roles), org=org, teams=teams, **claims)
        return {"Authorization": f"Bearer {token}"}

    @asynccontextmanager
    async def owner_connection(self):
        """A transaction as the owning role (the app role may not TRUNCATE or alter tables)."""
        engine = create_async_engine(self.owner_url, poolclass=NullPool)
        try:
            async with engine.begin() as connection:
                yield connection
        finally:
            await engine.dispose()

    async def reset(self) -> None:
        """Empty every table a test wrote to (except `keep_tables`), restore the real clock."""
        self.app.state.clock = SystemClock()
        if self.owner_url is None:
            return
        async with self.owner_connection() as connection:
            await empty_written_tables(connection, self.keep_tables)
