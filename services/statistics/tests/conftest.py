import pytest

from dkbuza_kit.testing import ServiceHarness
from vsp_statistics.main import ALEMBIC_INI, create_app
from vsp_statistics.settings import VspStatisticsSettings


@pytest.fixture(scope="session")
async def harness(pg_server_url, signing_key):
    async with ServiceHarness.start(
        pg_server_url, signing_key, name="vsp_statistics", create_app=create_app,
        settings_cls=VspStatisticsSettings, alembic_ini=ALEMBIC_INI,
    ) as running:
        yield running


@pytest.fixture
async def client(harness):
    await harness.reset()
    return harness.client
