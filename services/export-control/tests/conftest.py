import pytest

from dkbuza_kit.testing import ServiceHarness
from export_control.main import ALEMBIC_INI, create_app
from export_control.settings import ExportControlSettings


@pytest.fixture(scope="session")
async def harness(pg_server_url, signing_key):
    async with ServiceHarness.start(
        pg_server_url, signing_key, name="export_control", create_app=create_app,
        settings_cls=ExportControlSettings, alembic_ini=ALEMBIC_INI,
    ) as running:
        yield running


@pytest.fixture
async def client(harness):
    await harness.reset()
    return harness.client
