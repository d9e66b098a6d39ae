"""Test support: a real PostgreSQL per test run, a migrated database per app, tokens.

The pytest plugin (`plugin.py`, registered through the `pytest11` entry point) provides the
session fixtures `pg_server_url` and `signing_key`; `ServiceHarness` runs one app in-process
against its own freshly migrated database.
"""

from dkbuza_dev.testing.harness import ServiceHarness
from dkbuza_dev.testing.harness import migrations_roundtrip
from dkbuza_dev.testing.plugin import app_harness_fixture

__all__ = ["ServiceHarness", "app_harness_fixture", "migrations_roundtrip"]
