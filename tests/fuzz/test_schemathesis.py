"""schemathesis over every app's OpenAPI, against real processes: zero 5xx, responses conform.

Bounded for CI: FUZZ_MAX_EXAMPLES examples per operation (default 8), derandomised so that a
failure reproduces. Requests carry a token with every role of the app, so generated data gets
past the role checks and reaches validation and the domain code.
"""

import os
import time

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance
from schemathesis.specs.openapi.checks import response_schema_conformance

from dkbuza_dev.testing.processes import prepare_app
from dkbuza_dev.testing.processes import prepare_apps
from dkbuza_dev.testing.processes import start_together
from dkbuza_kit.apps import APPS
from dkbuza_kit.apps import GATEWAY
from dkbuza_kit.apps import ROLES
from dkbuza_kit.apps import SERVICES

MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "8"))
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


@pytest.fixture(scope="module")
def running(pg_server_url, signing_key, tmp_path_factory):
    started = {}
    logs = tmp_path_factory.mktemp("fuzz-logs")
    try:
        started.update(prepare_apps(SERVICES, pg_server_url, signing_key.jwks_path,
                                    log_dir=logs))
        # The gateway in front of the services, as in a deployment.
        upstreams = {f"GATEWAY_UPSTREAM_{name.upper().replace('-', '_')}": app.url
                     for name, app in started.items()}
        started[GATEWAY.name] = prepare_app(GATEWAY, pg_server_url, signing_key.jwks_path,
                                            log_path=logs / "gateway.log", extra_env=upstreams)
        start_together(list(started.values()))
        yield started
    finally:
        for app in started.values():
            app.stop()
            app.drop_database()


def complete_document_url(app, within_s: float = 90.0) -> str:
    """The app's `/openapi.json` once it answers 200: the gateway's merged document is a 503
    (Retry-After) until it has fetched every service's document."""
    url = f"{app.url}/openapi.json"
    deadline = time.monotonic() + within_s
    while httpx.get(url, timeout=30).status_code == 503 and time.monotonic() < deadline:
        time.sleep(1)
    return url


@pytest.mark.timeout(900)
@pytest.mark.parametrize("app_name", [spec.name for spec in APPS])
def test_no_server_errors_and_conforming_responses(running, signing_key, app_name):
    app = running[app_name]
    schema = schemathesis.openapi.from_url(complete_document_url(app))
    token = signing_key.mint(sub="fuzzer", roles=list(ROLES[app_name]), org="dkbuza")
    headers = {"Authorization": f"Bearer {token}"}
    failures = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def check(case):
            response = case.call(base_url=app.url, headers=headers, timeout=30)
            case.validate_response(response, checks=CHECKS)

        try:
            check()
        except Exception as exc:  # collect every failing operation, report them all
            failures.append(f"{operation.label}: {str(exc)[:600]}")
    assert operations > 0
    assert not failures, "\n\n".join(failures)
