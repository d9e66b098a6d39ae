"""The API documentation every app promises (platform.md, HTTP conventions): stable, unique
operationIds `<tag>-<name>`, every error response documented as a problem, and every enum with
its official Dutch labels."""

import pytest

from dkbuza_kit.apps import APPS

APP_NAMES = [spec.name for spec in APPS]


def openapi(app_name: str) -> dict:
    spec = next(app for app in APPS if app.name == app_name)
    loaded = spec.load()
    settings = loaded.settings_cls(database_url="postgresql+asyncpg://nobody@localhost/none")
    return loaded.create_app(settings).openapi()


def operations(document: dict):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            yield method, path, operation


@pytest.mark.parametrize("app_name", APP_NAMES)
def test_operation_ids_are_unique_and_tagged(app_name):
    document = openapi(app_name)
    ids = [operation["operationId"] for _, _, operation in operations(document)]
    assert len(ids) == len(set(ids))
    for method, path, operation in operations(document):
        tag = operation["tags"][0]
        assert operation["operationId"].startswith(f"{tag}-"), (method, path)


@pytest.mark.parametrize("app_name", APP_NAMES)
def test_error_responses_are_documented_as_problems(app_name):
    missing = []
    for method, path, operation in operations(openapi(app_name)):
        if path in ("/livez", "/readyz", "/metrics"):
            continue
        for status in ("401", "404", "422"):
            content = operation["responses"].get(status, {}).get("content", {})
            if "application/problem+json" not in content:
                missing.append((method.upper(), path, status))
    assert missing == []


@pytest.mark.parametrize("app_name", APP_NAMES)
def test_every_enum_carries_its_dutch_labels(app_name):
    schemas = openapi(app_name).get("components", {}).get("schemas", {})
    undocumented = [name for name, schema in schemas.items()
                    if "enum" in schema and not schema.get("description")]
    assert undocumented == []
