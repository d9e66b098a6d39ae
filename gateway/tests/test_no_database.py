"""The gateway keeps no data: no database, no migrations, a readiness of its process."""

from pathlib import Path

from dkbuza_kit.apps import GATEWAY
from dkbuza_kit.settings import ServiceSettings
from gateway.settings import GatewaySettings

GATEWAY_DIR = Path(__file__).resolve().parents[1]


async def test_readyz_answers_without_a_database(client, harness):
    response = await client.get("/readyz")
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["status"], body["database"], body["checked"]) == ("ok", "none", "process")
    assert set(body["upstreams"]) == {"planning", "disaster-fund", "export-control",
                                      "statistics"}
    state = harness.app.state
    assert not hasattr(state, "engine") and not hasattr(state, "sessionmaker")
    assert harness.database_url is None


def test_the_gateway_has_no_database_settings_or_migrations():
    assert not issubclass(GatewaySettings, ServiceSettings)
    assert "database_url" not in GatewaySettings.model_fields
    assert GATEWAY.database is None
    assert not (GATEWAY_DIR / "migrations").exists()
    assert not (GATEWAY_DIR / "alembic.ini").exists()
    assert not (GATEWAY_DIR / "src" / "gateway" / "models.py").exists()
