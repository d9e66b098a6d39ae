"""pytest plugin: the PostgreSQL server and the signing key every test session shares, and
`client` (the package's `harness` client on an emptied database).

A package's conftest declares its harness with `harness = app_harness_fixture("planning")`.
TEST_DATABASE_URL (a server URL such as postgresql://postgres@127.0.0.1:5432/postgres) is
used when set; otherwise an embedded PostgreSQL is started under `.data/test-pg`.
"""

import os
import tempfile
from pathlib import Path

import pytest

from dkbuza_kit.paths import data_dir
from dkbuza_kit.tokens import SigningKey
from dkbuza_kit.tokens import generate_key


@pytest.fixture(scope="session")
def pg_server_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    from dkbuza_dev.postgres import embedded_server

    server = embedded_server(data_dir() / "test-pg")
    return server.get_uri()


@pytest.fixture(scope="session")
def signing_key() -> SigningKey:
    return generate_key(Path(tempfile.mkdtemp(prefix="dkbuza-keys-")))



@pytest.fixture
async def client(harness):
    """The package's app client, on an emptied database."""
    await harness.reset()
    return harness.client


def app_harness_fixture(app_name: str, **options):
    """A session-scoped `harness` fixture for one app of `dkbuza_kit.apps` (each package
    declares its own, so that every package gets its own app and database)."""

    @pytest.fixture(scope="session", name="harness")
    async def harness(pg_server_url, signing_key):
        from dkbuza_dev.testing.harness import ServiceHarness

        async with ServiceHarness.for_app(app_name, pg_server_url, signing_key,
                                          **options) as running:
            yield running

    return harness
