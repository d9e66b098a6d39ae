"""deploy/README.md documents every environment variable of every app, and how an operator
deploys one service alone with compose and with Kubernetes."""

import pytest

from dkbuza_kit.apps import APPS
from dkbuza_kit.settings import ServiceSettings

APP_PARAMS = [pytest.param(app, id=app.name) for app in APPS]


@pytest.fixture(scope="module")
def readme(repo) -> str:
    path = repo.path("deploy/README.md")
    assert path.is_file()
    return path.read_text()


def test_common_settings_are_documented_with_their_prefix_placeholder(readme):
    for name in ServiceSettings.model_fields:
        assert f"`<PREFIX>{name.upper()}`" in readme, name


@pytest.mark.parametrize("app", APP_PARAMS)
def test_app_settings_are_documented(repo, readme, app):
    assert f"`{app.env_prefix}`" in readme
    own = set(repo.settings_class(app).model_fields) - set(ServiceSettings.model_fields)
    missing = sorted(f"{app.env_prefix}{name.upper()}" for name in own
                     if f"`{app.env_prefix}{name.upper()}`" not in readme)
    assert not missing, f"undocumented in deploy/README.md: {missing}"


def test_single_service_deployment_is_explained_for_compose_docker_and_kubernetes(readme):
    assert "docker compose up -d planning planning-worker" in readme
    assert "docker run -d --name planning --env-file planning.env" in readme
    assert "kubectl -n dkbuza apply -k deploy/k8s/planning" in readme


@pytest.mark.parametrize("app", APP_PARAMS)
def test_every_app_is_in_the_overview_table(repo, readme, app):
    # The walk-throughs use planning; the table gives every app's names to substitute.
    row = next((line for line in readme.splitlines() if line.startswith(f"| {app.name} |")), "")
    assert f"`APP_DIR={app.directory}`" in row
    assert f"| {app.port} |" in row and f"`{app.env_prefix}`" in row
    assert (f"`{app.database}`" if app.database else f"`{app.env_prefix}` | none |") in row
    if repo.has_module(app, "worker"):
        assert f"`python -m {app.package}.worker`" in row
