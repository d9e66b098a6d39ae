"""Cross-service fixtures: every app in-process on its own migrated database."""

from contextlib import AsyncExitStack

import pytest

from dkbuza_dev.testing import ServiceHarness
from dkbuza_kit.apps import APPS


@pytest.fixture(scope="session")
async def apps(pg_server_url, signing_key):
    """{app name: ServiceHarness} for the five apps (logs at INFO, so log hygiene is testable)."""
    async with AsyncExitStack() as stack:
        running = {}
        for spec in APPS:
            create_app, settings_cls, alembic_ini = spec.load()
            running[spec.name] = await stack.enter_async_context(ServiceHarness.start(
                pg_server_url, signing_key, name=f"sec_{spec.database}", create_app=create_app,
                settings_cls=settings_cls, alembic_ini=alembic_ini, log_level="INFO"))
        yield running
