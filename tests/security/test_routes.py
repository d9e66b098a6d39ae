"""Security checks over every route of every app, enumerated from its OpenAPI document.

Object-level authorisation needs real objects of each domain and is tested in each service's
own suite (another organisation's token gets 404).
"""

import base64
import hashlib
import hmac
import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from dkbuza_kit.apps import APPS
from dkbuza_kit.apps import ROLES
from dkbuza_kit.tokens import generate_key

APP_NAMES = [spec.name for spec in APPS]
WRITE_METHODS = {"post", "put", "patch", "delete"}
PLACEHOLDER = {"integer": "987654", "number": "987654", "string": "00000000-0000-4000-8000-000000000000"}


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def operations(spec: dict):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in WRITE_METHODS | {"get"}:
                yield method, path, operation


def concrete(path: str, operation: dict) -> str:
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "path":
            kind = parameter.get("schema", {}).get("type", "string")
            path = path.replace("{" + parameter["name"] + "}", PLACEHOLDER.get(kind, "x"))
    return path


def protected(operation: dict) -> bool:
    return bool(operation.get("security"))


def json_body(operation: dict) -> bool:
    return "application/json" in operation.get("requestBody", {}).get("content", {})


async def openapi(harness) -> dict:
    """The app's own document (the gateway's `/openapi.json` merges the services, which do not
    run behind it here: it would answer 503)."""
    return harness.app.openapi()


def bad_tokens(signing_key, tmp_path) -> dict[str, str]:
    now = int(time.time())
    claims = {"sub": "mallory", "roles": sorted({r for rs in ROLES.values() for r in rs}),
              "org": "dkbuza", "iss": "dkbuza-dev", "aud": "dkbuza", "iat": now, "exp": now + 600}

    def sign(headers=None, **override):
        payload = {name: value for name, value in {**claims, **override}.items()
                   if value is not None}
        return jwt.encode(payload, signing_key.private_pem, algorithm="RS256",
                          headers={"kid": signing_key.kid, **(headers or {})})

    public = serialization.load_pem_private_key(signing_key.private_pem, None).public_key()
    public_pem = public.public_bytes(serialization.Encoding.PEM,
                                     serialization.PublicFormat.SubjectPublicKeyInfo)
    header = b64(json.dumps({"alg": "HS256", "kid": signing_key.kid}).encode())
    payload = b64(json.dumps(claims).encode())
    hs256 = f"{header}.{payload}." + b64(hmac.new(public_pem, f"{header}.{payload}".encode(),
                                                  hashlib.sha256).digest())
    none = b64(json.dumps({"alg": "none", "kid": signing_key.kid}).encode()) + f".{payload}."
    other = generate_key(tmp_path / "other-key")
    return {
        "missing": "",
        "expired": sign(exp=now - 3600, iat=now - 7200),
        "alg none": none,
        "HS256 with the public key": hs256,
        "unknown kid": other.mint(sub="mallory", roles=claims["roles"]),
        "wrong aud": sign(aud="another-api"),
        "wrong iss": sign(iss="https://evil.example"),
        "not yet valid": sign(nbf=now + 3600),
        "no exp": sign(exp=None),
        "no sub": sign(sub=None),
        "another key with our kid": jwt.encode(claims, other.private_pem, algorithm="RS256",
                                               headers={"kid": signing_key.kid}),
        "kid traversal": sign(headers={"kid": "../../../../dev/null"}),
        "jku to another key set": jwt.encode(
            claims, other.private_pem, algorithm="RS256",
            headers={"kid": other.kid, "jku": "http://127.0.0.1:9/jwks.json"}),
        "embedded jwk": jwt.encode(
            claims, other.private_pem, algorithm="RS256",
            headers={"kid": other.kid,
                     "jwk": json.loads(other.jwks_path.read_text())["keys"][0]}),
        "garbage": "not.a.jwt",
        "exp as a string": sign(exp=str(now + 600)),
        "iat as a string": sign(iat=str(now)),
        "empty sub": sign(sub=""),
        "roles a string": sign(roles="csg.head"),
        "roles with a number": sign(roles=["csg.head", 1]),
        "org a list": sign(org=["dkbuza"]),
        # (100 kB and more: 431 by the header limit, tests/security/test_header_limits.py)
        "token above 8 KiB": sign(padding="x" * 8192),
    }


@pytest.fixture(scope="module")
def bad_token_set(signing_key, tmp_path_factory) -> dict[str, str]:
    """Built once for the five apps: the other key is an RSA key generation."""
    return bad_tokens(signing_key, tmp_path_factory.mktemp("bad-tokens"))


@pytest.mark.parametrize("app", APP_NAMES)
async def test_every_protected_route_rejects_bad_tokens(apps, app, bad_token_set):
    harness = apps[app]
    spec = await openapi(harness)
    failures = []
    checked = 0
    for kind, token in bad_token_set.items():
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        for method, path, operation in operations(spec):
            if not protected(operation):
                continue
            response = await harness.client.request(method, concrete(path, operation),
                                                    headers=headers)
            checked += 1
            if response.status_code != 401 or response.json().get("code") != "UNAUTHENTICATED":
                failures.append((kind, method.upper(), path, response.status_code))
    assert checked > 0
    assert failures == []


async def write_route_failures(harness, headers, selects, accepts, **request) -> list:
    """Every write operation `selects` picks, sent with `headers` (and `request`): those whose
    answer `accepts` refuses, as (METHOD, path, status)."""
    failures = []
    for method, path, operation in operations(await openapi(harness)):
        if method not in WRITE_METHODS or not selects(operation):
            continue
        response = await harness.client.request(method, concrete(path, operation),
                                                headers=headers, **request)
        if not accepts(response):
            failures.append((method.upper(), path, response.status_code))
    return failures


@pytest.mark.parametrize("app", APP_NAMES)
async def test_every_write_route_refuses_roles_not_granted(apps, app):
    harness = apps[app]
    headers = harness.headers("no.such.role", org="dkbuza", sub="outsider")
    assert await write_route_failures(harness, headers, protected,
                                      lambda response: response.status_code == 403) == []


def refuses_extra_fields(response) -> bool:
    errors = response.json().get("errors") or [] if response.status_code == 422 else []
    return any(error.get("type") == "extra_forbidden" for error in errors)


@pytest.mark.parametrize("app", APP_NAMES)
async def test_extra_input_fields_are_refused(apps, app):
    """Mass assignment: unknown fields (such as server-owned ones) never pass validation."""
    harness = apps[app]
    headers = harness.headers(*ROLES[app], org="dkbuza", sub="admin")
    assert await write_route_failures(
        harness, headers, json_body, refuses_extra_fields,
        json={"unexpected_field": 1, "status": "paid", "owner_org": "0000000000"}) == []


@pytest.mark.parametrize("app", APP_NAMES)
async def test_limits(apps, app):
    harness = apps[app]
    spec = await openapi(harness)
    headers = harness.headers(*ROLES[app], org="dkbuza", sub="admin")
    failures = []
    for method, path, operation in operations(spec):
        names = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
        url = concrete(path, operation)
        if method == "get" and "limit" in names:
            response = await harness.client.get(url, params={"limit": 10_000}, headers=headers)
            if response.status_code != 422:
                failures.append(("limit", path, response.status_code))
        if method in WRITE_METHODS and "requestBody" in operation:
            response = await harness.client.request(
                method, url, headers={**headers, "content-type": "application/json"},
                content=b"[" + b"1," * 1_000_000 + b"1]")
            if response.status_code != 413:
                failures.append(("body", path, response.status_code))
    assert failures == []


async def test_logs_carry_no_tokens(apps, capsys):
    for app, harness in apps.items():
        headers = harness.headers(*ROLES[app], org="dkbuza", sub="log-check")
        token = headers["Authorization"].removeprefix("Bearer ")
        await harness.client.get("/v1/kpis", headers=headers)
        await harness.client.get("/v1/kpis", headers={"Authorization": "Bearer " + token[:-4]})
        output = capsys.readouterr()
        assert '"event": "request"' in output.out, f"{app}: no access log to inspect"
        assert token[:40] not in output.out + output.err, f"{app} logged a token"
