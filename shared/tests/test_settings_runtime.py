"""Runtime settings: the database URL is required and secret, and building settings (or
importing the kit) creates no directory."""

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError
from pydantic_settings import SettingsConfigDict

from dkbuza_kit.settings import AppSettings
from dkbuza_kit.settings import ServiceSettings

PASSWORD = "s3cret-Pa55word-xyz"
URL = f"postgresql+asyncpg://app_role:{PASSWORD}@db.example.internal:5432/things"


class ThingsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="THINGS_", extra="ignore")


def test_service_settings_without_the_url_name_the_environment_variable(monkeypatch):
    for name in list(os.environ):
        if name.startswith("THINGS_"):
            monkeypatch.delenv(name)
    # The other secrets are in the input: the error must not echo them.
    monkeypatch.setenv("THINGS_MIGRATION_DATABASE_URL", URL)
    monkeypatch.setenv("THINGS_S3_SECRET_ACCESS_KEY", PASSWORD)
    with pytest.raises(ValidationError) as error:
        ThingsSettings()
    assert "THINGS_DATABASE_URL" in str(error.value)
    assert PASSWORD not in str(error.value)
    with pytest.raises(ValidationError) as error:  # a bad value elsewhere: not echoed either
        ThingsSettings(database_url=URL, db_pool_size=f"x{PASSWORD}")
    assert PASSWORD not in str(error.value)


def test_the_url_is_read_from_the_environment_and_kept_secret(monkeypatch):
    monkeypatch.setenv("THINGS_DATABASE_URL", URL)
    monkeypatch.setenv("THINGS_MIGRATION_DATABASE_URL", URL.replace("app_role", "owner"))
    settings = ThingsSettings()
    assert settings.database_url.get_secret_value() == URL
    assert settings.owner_database_url == URL.replace("app_role", "owner")
    for text in (repr(settings), str(settings), json.dumps(settings.model_dump(mode="json"))):
        assert PASSWORD not in text


def test_app_settings_need_no_database(monkeypatch):
    monkeypatch.delenv("DKBUZA_DATABASE_URL", raising=False)
    assert "database_url" not in AppSettings.model_fields
    AppSettings()


async def test_a_started_app_logs_no_database_password(pg_server_url, signing_key, caplog,
                                                       capsys):
    """The harness connects with a password-less URL; this app gets one with a password (the
    server trusts local connections, so the app starts and its logs can be read)."""
    from asgi_lifespan import LifespanManager
    from httpx import ASGITransport
    from httpx import AsyncClient
    from sqlalchemy.engine import make_url

    from dkbuza_kit.app import create_app

    # TCP or the embedded server's unix socket (`?host=`): the same server, with a password.
    url = make_url(pg_server_url).set(drivername="postgresql+asyncpg", password=PASSWORD) \
        .render_as_string(hide_password=False)
    settings = ThingsSettings(database_url=url, jwks_path=str(signing_key.jwks_path),
                              log_level="DEBUG", service_name="things")
    with caplog.at_level(logging.DEBUG):
        app = create_app(settings, title="things")
        async with LifespanManager(app) as manager:
            async with AsyncClient(transport=ASGITransport(app=manager.app),
                                   base_url="http://testserver") as client:
                assert (await client.get("/readyz")).status_code == 200
                assert (await client.get("/nowhere")).status_code == 404
    # The shutdown closed /readyz's own connection (kept between probes, outside the pool).
    assert app.state.readiness._connection is None
    captured = capsys.readouterr()
    logged = caplog.text + captured.out + captured.err
    assert "readyz" in logged or "/nowhere" in logged  # the request lines were captured
    assert PASSWORD not in logged


def test_building_settings_and_importing_the_kit_create_no_directory(tmp_path):
    """In an empty working directory and HOME, without DKBUZA_DATA_DIR."""
    home, cwd = tmp_path / "home", tmp_path / "cwd"
    home.mkdir()
    cwd.mkdir()
    script = (
        "import dkbuza_kit, dkbuza_kit.app, dkbuza_kit.tokens, dkbuza_kit.db\n"
        "from dkbuza_kit.settings import AppSettings, ServiceSettings\n"
        "from gateway.settings import GatewaySettings\n"
        "from planning.settings import PlanningSettings\n"
        "AppSettings(); GatewaySettings(); PlanningSettings()\n"
        "ServiceSettings(database_url='postgresql+asyncpg://u:p@h/d')\n"
    )
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("DKBUZA_", "PLANNING_", "GATEWAY_", "PROMETHEUS_"))}
    env.update(HOME=str(home), PLANNING_DATABASE_URL="postgresql+asyncpg://u:p@h/d")
    before = _tree(Path(__file__).resolve().parents[2])
    subprocess.run([sys.executable, "-c", script], cwd=cwd, env=env, check=True)
    assert list(cwd.iterdir()) == [] and list(home.iterdir()) == []
    assert _tree(Path(__file__).resolve().parents[2]) <= before  # nothing new in the checkout


def _tree(root: Path) -> set[str]:
    """The repository's directories two levels deep (where `.data/` would appear)."""
    return {str(path.relative_to(root)) for path in [*root.glob("*"), *root.glob("*/*")]
            if path.is_dir()}
