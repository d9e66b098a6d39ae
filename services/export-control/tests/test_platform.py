"""The platform contract of the export-control app: health, metrics, auth, migrations."""

from dkbuza_kit.testing import migrations_roundtrip
from export_control.main import ALEMBIC_INI
from export_control.models import Base


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


async def test_migrations_upgrade_downgrade_without_drift(pg_server_url):
    diff = await migrations_roundtrip(pg_server_url, ALEMBIC_INI, Base.metadata)
    assert diff == []
