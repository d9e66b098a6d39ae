"""The platform contract every app meets, as tests a package imports into its test suite:

    from dkbuza_dev.testing.contract import *  # noqa: F403

They use the package's `harness` (from `app_harness_fixture`) and `client` fixtures.
"""

from dkbuza_dev.testing.harness import migrations_roundtrip
from dkbuza_kit.apps import app_named

__all__ = ["test_health_and_metrics", "test_kpis_need_a_token",
           "test_migrations_upgrade_downgrade_without_drift"]


async def test_health_and_metrics(client):
    assert (await client.get("/livez")).status_code == 200
    ready = await client.get("/readyz")
    assert ready.status_code == 200, ready.text
    metrics = await client.get("/metrics")
    assert metrics.status_code == 200
    assert "http_requests_total" in metrics.text


async def test_kpis_need_a_token(client, harness):
    response = await client.get("/v1/kpis")
    assert response.status_code == 401
    assert response.json()["code"] == "UNAUTHENTICATED"
    ok = await client.get("/v1/kpis", headers=harness.headers("kpi.reader"))
    assert ok.status_code == 200, ok.text
    assert isinstance(ok.json(), list)


async def test_migrations_upgrade_downgrade_without_drift(pg_server_url, harness):
    loaded = app_named(harness.app_name).load()
    diff = await migrations_roundtrip(pg_server_url, loaded.alembic_ini, loaded.metadata)
    assert diff == []
