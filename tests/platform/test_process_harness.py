"""The process harness leaves no database behind when preparing apps fails."""

import asyncio
import dataclasses
import subprocess

import asyncpg
import pytest

from dkbuza_dev.postgres import plain_url
from dkbuza_dev.testing.processes import prepare_apps
from dkbuza_kit.apps import SERVICES


async def process_databases(server_url: str) -> set[str]:
    connection = await asyncpg.connect(plain_url(server_url))
    try:
        rows = await connection.fetch("SELECT datname FROM pg_database WHERE datname LIKE 'proc_%'")
        return {row["datname"] for row in rows}
    finally:
        await connection.close()


def test_a_failed_migration_drops_every_database_prepared_with_it(pg_server_url, signing_key):
    good = SERVICES[0]
    broken = dataclasses.replace(SERVICES[1], directory="no/such/app")  # no alembic.ini
    before = asyncio.run(process_databases(pg_server_url))
    with pytest.raises(subprocess.CalledProcessError):
        prepare_apps([good, broken], pg_server_url, signing_key.jwks_path)
    assert asyncio.run(process_databases(pg_server_url)) == before
