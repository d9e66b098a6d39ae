import pytest

from dkbuza_kit.testing import ServiceHarness
from planning.main import ALEMBIC_INI, create_app
from planning.settings import PlanningSettings


@pytest.fixture(scope="session")
async def harness(pg_server_url, signing_key):
    async with ServiceHarness.start(
        pg_server_url, signing_key, name="planning", create_app=create_app,
        settings_cls=PlanningSettings, alembic_ini=ALEMBIC_INI,
    ) as running:
        yield running


@pytest.fixture
async def client(harness):
    await harness.reset()
    return harness.client
