import pytest

from dkbuza_kit.testing import ServiceHarness
from disaster_fund.main import ALEMBIC_INI, create_app
from disaster_fund.settings import DisasterFundSettings


@pytest.fixture(scope="session")
async def harness(pg_server_url, signing_key):
    async with ServiceHarness.start(
        pg_server_url, signing_key, name="disaster_fund", create_app=create_app,
        settings_cls=DisasterFundSettings, alembic_ini=ALEMBIC_INI,
    ) as running:
        yield running


@pytest.fixture
async def client(harness):
    await harness.reset()
    return harness.client
