"""Shared fixture of the deployment tests: the repository's deployment files and what each app
really reads.

Docker and Kubernetes cannot run here, so these tests hold the container and cluster files to
the code: the app list (`dkbuza_kit.apps.APPS`) and each app's settings class decide what the
files must contain, so a new app, a renamed setting or a dropped probe fails a test.
"""

import importlib
import importlib.util
import inspect
import os
import re
from functools import cached_property
from pathlib import Path

import pytest
import yaml

from dkbuza_kit.apps import APPS
from dkbuza_kit.apps import AppSpec
from dkbuza_kit.settings import AppSettings

REPO_ROOT = Path(__file__).resolve().parents[2]

# Settings the deployment files already pass although no settings class declares them yet,
# with the feature that will read them. Remove an entry once its field exists.
ANTICIPATED_SETTINGS: dict[str, str] = {}

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")
COMPOSE_VARIABLE = re.compile(r"\$\{(?P<name>[A-Z0-9_]+)(?::?-(?P<default>[^}]*))?\}")


class DeployRepo:
    """Read-only view of the repository for the deployment tests."""

    root = REPO_ROOT

    def path(self, relative: str) -> Path:
        return self.root / relative

    def load_yaml(self, relative: str) -> dict:
        path = self.path(relative)
        assert path.is_file(), f"{relative} is missing"
        return yaml.safe_load(path.read_text())

    def load_yaml_documents(self, relative: str) -> list[dict]:
        path = self.path(relative)
        assert path.is_file(), f"{relative} is missing"
        return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]

    @cached_property
    def compose(self) -> dict:
        return self.load_yaml("docker-compose.yml")

    @staticmethod
    def settings_class(app: AppSpec) -> type[AppSettings]:
        """The one AppSettings (or ServiceSettings) subclass defined in `<package>.settings`."""
        module = importlib.import_module(f"{app.package}.settings")
        classes = [
            cls for _, cls in inspect.getmembers(module, inspect.isclass)
            if issubclass(cls, AppSettings) and cls.__module__ != AppSettings.__module__
            and cls.__module__ == module.__name__
        ]
        assert len(classes) == 1, f"{module.__name__} should define one settings class: {classes}"
        return classes[0]

    def env_settings(self, app: AppSpec) -> dict[str, object]:
        """Environment variable -> plain default (None when computed) of each setting of `app`."""
        cls = self.settings_class(app)
        prefix = cls.model_config.get("env_prefix")
        assert prefix == app.env_prefix, (
            f"{cls.__name__} reads {prefix}*, but apps.py says {app.env_prefix}")
        return {
            f"{prefix}{name.upper()}": None if field.default_factory else field.default
            for name, field in cls.model_fields.items()
        }

    def loopback_settings(self, app: AppSpec) -> list[str]:
        """Settings whose default only works on one machine (a URL to 127.0.0.1/localhost):
        every deployment must set them."""
        return sorted(name for name, default in self.env_settings(app).items()
                      if is_loopback_url(default))

    @staticmethod
    def with_compose_defaults(value: str) -> str:
        """A compose value as `docker compose` resolves it with no variables set: ${X:-d} -> d."""
        return COMPOSE_VARIABLE.sub(lambda match: match.group("default") or "", value)

    def build_settings(self, app: AppSpec, env: dict[str, str], monkeypatch) -> AppSettings:
        """The app's settings as the container would build them from `env` alone."""
        for name in list(os.environ):
            if name.upper().startswith(app.env_prefix):
                monkeypatch.delenv(name)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        return self.settings_class(app)()

    @staticmethod
    def has_module(app: AppSpec, module: str) -> bool:
        return importlib.util.find_spec(f"{app.package}.{module}") is not None

    def check_env_names(self, app: AppSpec, names: set[str], where: str) -> None:
        """Every name with the app's prefix is one of its settings; no other app's leaks in."""
        known = set(self.env_settings(app)) | {
            name for name in ANTICIPATED_SETTINGS if name.startswith(app.env_prefix)}
        unknown = sorted(n for n in names if n.startswith(app.env_prefix) and n not in known)
        assert not unknown, f"{where}: {unknown} are not settings of {app.name} (typo? renamed?)"
        foreign = sorted(
            name for name in names for other in APPS
            if other is not app and name.startswith(other.env_prefix)
            and not name.startswith(app.env_prefix)
        )
        assert not foreign, f"{where}: {foreign} are settings of another app"


def is_loopback_url(value: object) -> bool:
    if not isinstance(value, str) or "://" not in value:
        return False
    authority = value.split("://", 1)[1].split("/", 1)[0]
    host = authority.rsplit("@", 1)[-1]
    return any(host == h or host.startswith(h + ":") for h in LOOPBACK_HOSTS)


@pytest.fixture(scope="session")
def repo() -> DeployRepo:
    return DeployRepo()

