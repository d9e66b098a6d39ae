"""The whole system in this process: four services over real HTTP and the gateway before them."""

import pytest

from dkbuza_kit.testing.stack import system_stack


@pytest.fixture(scope="session")
async def stack(pg_server_url, signing_key):
    async with system_stack(pg_server_url, signing_key, aggregate_budget_s=10.0) as running:
        yield running
