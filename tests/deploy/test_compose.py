"""docker-compose.yml: every app with its migration step, worker, settings and health gates."""

import importlib.util
import stat
from urllib.parse import urlsplit

import pytest

from dkbuza_kit.apps import APPS
from dkbuza_kit.apps import DATABASE_APPS
from dkbuza_kit.apps import GATEWAY
from dkbuza_kit.apps import SERVICES
from dkbuza_kit.apps import AppSpec

APP_PARAMS = [pytest.param(app, id=app.name) for app in APPS]
DATABASE_APP_PARAMS = [pytest.param(app, id=app.name) for app in DATABASE_APPS]
WORKER_APPS = [pytest.param(app, id=app.name) for app in APPS
               if importlib.util.find_spec(f"{app.package}.worker") is not None]


def service(repo, name: str) -> dict:
    services = repo.compose.get("services", {})
    assert name in services, f"docker-compose.yml has no service {name!r}"
    return services[name]


def environment(svc: dict) -> dict[str, str]:
    env = svc.get("environment") or {}
    if isinstance(env, list):  # the `- KEY=value` form
        env = dict(item.split("=", 1) for item in env)
    return {key: "" if value is None else str(value) for key, value in env.items()}


def healthcheck_command(svc: dict) -> str:
    check = svc.get("healthcheck") or {}
    assert not check.get("disable"), "healthcheck disabled"
    test = check.get("test")
    assert test, "no healthcheck test"
    return " ".join(test) if isinstance(test, list) else test


def conditions(svc: dict) -> dict[str, str]:
    depends = svc.get("depends_on") or {}
    assert isinstance(depends, dict), "depends_on must name a condition for each dependency"
    return {name: spec.get("condition") for name, spec in depends.items()}


def containers_of(repo, app: AppSpec) -> dict[str, dict]:
    """The compose services running this app's image: API, migration, worker."""
    names = [app.name] + ([f"{app.name}-migrate"] if app.database else [])
    if repo.has_module(app, "worker"):
        names.append(f"{app.name}-worker")
    return {name: service(repo, name) for name in names}


@pytest.mark.parametrize("app", APP_PARAMS)
def test_app_runs_its_image_with_a_readiness_healthcheck(repo, app):
    svc = service(repo, app.name)
    assert svc["build"]["dockerfile"] == "Dockerfile"
    assert {name: svc["build"]["args"][name] for name in ("APP_DIR", "APP_PACKAGE", "APP_PORT")} == {
        "APP_DIR": app.directory, "APP_PACKAGE": app.package, "APP_PORT": str(app.port)}
    assert svc["build"].get("context", ".") == "."
    assert "command" not in svc, "the API uses the image's CMD"
    command = healthcheck_command(svc)
    assert f"127.0.0.1:{app.port}/readyz" in command or f"localhost:{app.port}/readyz" in command
    published = [str(port) for port in svc.get("ports", [])]
    assert any(port.endswith(f":{app.port}") for port in published), published


@pytest.mark.parametrize("app", DATABASE_APP_PARAMS)
def test_app_has_a_one_shot_migration_step(repo, app):
    migrate = service(repo, f"{app.name}-migrate")
    assert migrate["image"] == service(repo, app.name)["image"]
    ini = f"{app.directory}/alembic.ini"
    assert migrate["command"] == ["alembic", "-c", ini, "upgrade", "head"]
    assert repo.path(ini).is_file()
    assert str(migrate.get("restart", "no")) == "no"
    assert conditions(migrate).get("postgres") == "service_healthy"


@pytest.mark.parametrize("app", DATABASE_APP_PARAMS)
def test_app_starts_after_its_migration_and_a_healthy_database(repo, app):
    gates = conditions(service(repo, app.name))
    assert gates.get("postgres") == "service_healthy"
    assert gates.get(f"{app.name}-migrate") == "service_completed_successfully"


@pytest.mark.parametrize("app", WORKER_APPS)
def test_worker_runs_beside_the_app(repo, app):
    worker = service(repo, f"{app.name}-worker")
    assert worker["image"] == service(repo, app.name)["image"]
    assert worker["command"] == ["python", "-m", f"{app.package}.worker"]
    gates = conditions(worker)
    assert gates.get("postgres") == "service_healthy"
    assert gates.get(f"{app.name}-migrate") == "service_completed_successfully"
    assert environment(worker) == environment(service(repo, app.name))


def test_every_app_with_a_worker_module_is_covered():
    # Guards the parametrisation itself: the four services ship a worker today.
    assert {p.values[0].name for p in WORKER_APPS} >= {s.name for s in SERVICES}


def test_gateway_has_no_database_migration_step_or_postgres_gate(repo):
    names = repo.compose["services"]
    assert "gateway-migrate" not in names and "gateway-demo" not in names
    assert not repo.path("gateway/alembic.ini").exists()
    assert not repo.path("gateway/migrations").exists()
    gateway = service(repo, GATEWAY.name)
    assert not [name for name in environment(gateway) if "DATABASE" in name]
    assert "postgres" not in conditions(gateway)


@pytest.mark.parametrize("app", DATABASE_APP_PARAMS)
def test_each_container_of_the_app_gets_its_database(repo, app):
    for name, svc in containers_of(repo, app).items():
        url = environment(svc).get(f"{app.env_prefix}DATABASE_URL", "")
        parts = urlsplit(url)
        assert parts.scheme == "postgresql+asyncpg", f"{name}: {url!r}"
        assert parts.hostname == "postgres", f"{name}: {url!r}"
        assert parts.path == f"/{app.database}", f"{name}: {url!r}"


@pytest.mark.parametrize("app", APP_PARAMS)
def test_app_gets_a_jwks_it_can_read(repo, app):
    keys_targets = [v.split(":")[1] for v in service(repo, "keys").get("volumes", [])
                    if str(v).startswith("keys:")]
    assert keys_targets, "the keys service must write the JWKS into the `keys` volume"
    api = service(repo, app.name)  # the API verifies tokens (the migration step does not)
    env = environment(api)
    jwks_path = env.get(f"{app.env_prefix}JWKS_PATH", "")
    jwks_url = env.get(f"{app.env_prefix}JWKS_URL", "")
    assert jwks_path or jwks_url, "neither JWKS_PATH nor JWKS_URL"
    if jwks_path:
        mounts = [str(v).split(":") for v in api.get("volumes", [])]
        assert any(source == "keys" and jwks_path.startswith(target + "/")
                   for source, target, *_ in mounts), f"{jwks_path} is not on a mounted volume"
        assert any(jwks_path.startswith(target + "/") for target in keys_targets)
    assert conditions(api).get("keys") == "service_completed_successfully"


@pytest.mark.parametrize("app", APP_PARAMS)
def test_settings_that_default_to_this_machine_are_all_set(repo, app):
    """A default such as http://127.0.0.1:8001 works for `dkbuza run`, never in a container."""
    required = repo.loopback_settings(app)
    if app.database:  # required without a default: set in every container of the app
        required.append(f"{app.env_prefix}DATABASE_URL")
    for name, svc in containers_of(repo, app).items():
        env = environment(svc)
        for setting in required:
            assert env.get(setting), f"{name}: {setting} is not set"
            assert "127.0.0.1" not in env[setting] and "localhost" not in env[setting]


@pytest.mark.parametrize("app", APP_PARAMS)
def test_env_names_are_settings_of_the_app(repo, app):
    for name, svc in containers_of(repo, app).items():
        repo.check_env_names(app, set(environment(svc)), f"compose service {name}")


def test_gateway_reaches_every_service_by_its_compose_name_and_port(repo):
    gateway = service(repo, GATEWAY.name)
    env = environment(gateway)
    settings = repo.env_settings(GATEWAY)
    upstream_settings = {name for name, default in settings.items()
                         if name.startswith("GATEWAY_UPSTREAM_") and isinstance(default, str)
                         and "://" in default}
    expected = {f"GATEWAY_UPSTREAM_{s.name.upper().replace('-', '_')}": s for s in SERVICES}
    assert upstream_settings == set(expected), "one upstream URL setting per service"
    for setting, target in expected.items():
        assert env.get(setting) == f"http://{target.name}:{target.port}", setting
        service(repo, target.name)  # the name resolves to a compose service
    gates = conditions(gateway)
    for target in SERVICES:
        assert gates.get(target.name) == "service_healthy", target.name


def test_gateway_can_use_the_optional_redis(repo):
    redis = service(repo, "redis")
    assert redis.get("profiles"), "Redis is optional: behind a profile"
    assert "GATEWAY_REDIS_URL" in environment(service(repo, GATEWAY.name))
    healthcheck_command(redis)


def test_postgres_creates_one_database_per_app(repo):
    postgres = service(repo, "postgres")
    healthcheck_command(postgres)
    assert environment(postgres)["DKBUZA_DATABASES"].split() == [
        app.database for app in DATABASE_APPS]
    init_mounts = [str(v).split(":") for v in postgres.get("volumes", [])
                   if ":/docker-entrypoint-initdb.d/" in str(v)]
    assert len(init_mounts) == 1
    script = repo.path(init_mounts[0][0].removeprefix("./"))
    assert script.is_file() and script.parent == repo.path("deploy/compose")
    assert script.stat().st_mode & stat.S_IXUSR, "init script must be executable"
    text = script.read_text()
    assert "DKBUZA_DATABASES" in text and "CREATE DATABASE" in text


def test_every_dependency_is_gated_on_health_or_completion(repo):
    services = repo.compose["services"]
    for name, svc in services.items():
        for dependency, condition in conditions(svc).items():
            assert dependency in services, f"{name} depends on unknown {dependency}"
            target = services[dependency]
            if condition == "service_healthy":
                healthcheck_command(target)
            else:
                assert condition == "service_completed_successfully", f"{name} -> {dependency}"
                assert str(target.get("restart", "no")) == "no", f"{dependency} is not one-shot"


def test_long_running_containers_restart_and_one_shots_do_not(repo):
    for name, svc in repo.compose["services"].items():
        one_shot = name == "keys" or name.endswith(("-migrate", "-demo"))
        restart = str(svc.get("restart", "no"))
        assert (restart == "no") == one_shot, f"{name}: restart {restart}"


@pytest.mark.parametrize("app", APP_PARAMS)
def test_app_settings_accept_the_compose_environment(repo, app, monkeypatch):
    env = {name: repo.with_compose_defaults(value)
           for name, value in environment(service(repo, app.name)).items()}
    settings = repo.build_settings(app, env, monkeypatch)
    if app.database:
        url = settings.database_url.get_secret_value()
        assert url == env[f"{app.env_prefix}DATABASE_URL"]
        assert f"@postgres:5432/{app.database}" in url
    else:
        assert not hasattr(settings, "database_url")
    assert settings.jwks_path or settings.jwks_url
