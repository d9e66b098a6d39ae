import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from dkbuza_dev.testing import app_harness_fixture

sys.path.insert(0, str(Path(__file__).parent))
from df_support import Api  # noqa: E402
from df_support import at  # noqa: E402
from df_support import set_now  # noqa: E402

# The rule sets are reference data seeded by a migration: kept between tests.
harness = app_harness_fixture("disaster-fund", keep_tables=("rule_sets",))


@pytest.fixture
async def client(harness):
    await harness.reset()
    async with harness.app.state.engine.begin() as connection:
        # Versions added by a test must not leak into the next one.
        await connection.execute(text("DELETE FROM rule_sets WHERE version > 1"))
    return harness.client


@pytest.fixture
def api(client, harness):
    # Inside the application window of the default test disaster (published 2024-09-16).
    set_now(harness, at(2024, 10, 1))
    return Api(client, harness)
