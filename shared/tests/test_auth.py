"""Bearer JWT rejection cases: each gets 401 with code UNAUTHENTICATED."""

import base64
import hashlib
import hmac
import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from dkbuza_kit.tokens import generate_key


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def claims(**overrides):
    now = int(time.time())
    base = {"sub": "mallory", "roles": ["kit.writer"], "org": "dkbuza", "iss": "dkbuza-dev",
            "aud": "dkbuza", "iat": now, "exp": now + 600}
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def unsigned(kid: str) -> str:
    header = b64(json.dumps({"alg": "none", "kid": kid, "typ": "JWT"}).encode())
    return f"{header}.{b64(json.dumps(claims()).encode())}."


def hs256_with_public_key(kid: str, public_pem: bytes) -> str:
    header = b64(json.dumps({"alg": "HS256", "kid": kid, "typ": "JWT"}).encode())
    payload = b64(json.dumps(claims()).encode())
    signature = hmac.new(public_pem, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{b64(signature)}"


def public_pem(signing_key) -> bytes:
    private = serialization.load_pem_private_key(signing_key.private_pem, password=None)
    return private.public_key().public_bytes(serialization.Encoding.PEM,
                                             serialization.PublicFormat.SubjectPublicKeyInfo)


def bad_tokens(signing_key, tmp_path):
    other = generate_key(tmp_path / "other")
    sign = lambda **c: jwt.encode(claims(**c), signing_key.private_pem, algorithm="RS256",  # noqa: E731
                                  headers={"kid": signing_key.kid})
    return {
        "expired": sign(exp=int(time.time()) - 3600, iat=int(time.time()) - 7200),
        "alg none": unsigned(signing_key.kid),
        "HS256 signed with the public key": hs256_with_public_key(signing_key.kid,
                                                                  public_pem(signing_key)),
        "unknown kid": other.mint(sub="mallory", roles=["kit.writer"]),
        "wrong aud": sign(aud="someone-else"),
        "wrong iss": sign(iss="https://evil.example"),
        "no exp": sign(exp=None),
        "no sub": sign(sub=None),
        "signed by another key with our kid": jwt.encode(
            claims(), other.private_pem, algorithm="RS256", headers={"kid": signing_key.kid}),
        "garbage": "not.a.jwt",
        # Claim types: PyJWT alone accepts these (it casts exp/iat with int()).
        "exp as a string": sign(exp=str(int(time.time()) + 600)),
        "exp as a boolean": sign(exp=True),
        "iat as a string": sign(iat=str(int(time.time()))),
        "nbf as a string": sign(nbf="0"),
        "empty sub": sign(sub=""),
        "blank sub": sign(sub="   "),
        "sub a number": sign(sub=42),
        "sub a list": sign(sub=["mallory"]),
        "sub of 201 characters": sign(sub="m" * 201),
        "roles a string": sign(roles="kit.writer"),
        "roles with a number": sign(roles=["kit.writer", 7]),
        "roles with an object": sign(roles=[{"name": "kit.writer"}]),
        "teams a string": sign(teams="team-a"),
        "org a number": sign(org=12345),
        "org a list": sign(org=["dkbuza"]),
        "token of 100 kB": sign(padding="x" * 100_000),
        "token just above 8 KiB": sign(padding="x" * 8192),
    }


CASES = ["expired", "alg none", "HS256 signed with the public key", "unknown kid", "wrong aud",
         "wrong iss", "no exp", "no sub", "signed by another key with our kid", "garbage",
         "exp as a string", "exp as a boolean", "iat as a string", "nbf as a string",
         "empty sub", "blank sub", "sub a number", "sub a list", "sub of 201 characters",
         "roles a string", "roles with a number", "roles with an object", "teams a string",
         "org a number", "org a list", "token of 100 kB", "token just above 8 KiB"]


@pytest.fixture(scope="module")
def bad_token_set(signing_key, tmp_path_factory):
    """Built once: the other key is an RSA key generation (most of a second)."""
    return bad_tokens(signing_key, tmp_path_factory.mktemp("bad-tokens"))


@pytest.mark.parametrize("case", CASES)
async def test_bad_token_is_rejected(client, bad_token_set, case):
    token = bad_token_set[case]
    response = await client.post("/v1/widgets", json={"name": "a"},
                                 headers={"Authorization": f"Bearer {token}"})
    if case == "token of 100 kB":  # refused before any token is read: the header limit
        assert (response.status_code, response.json()["code"]) == (431, "HEADERS_TOO_LARGE")
        return
    assert response.status_code == 401, case
    assert response.json()["code"] == "UNAUTHENTICATED"
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_the_verifier_refuses_a_100_kb_token_without_decoding_it(harness, signing_key):
    """Behind a larger header limit the token limit still holds (8 KiB)."""
    from dkbuza_kit.problems import ProblemError

    token = jwt.encode(claims(padding="x" * 100_000), signing_key.private_pem,
                       algorithm="RS256", headers={"kid": signing_key.kid})
    with pytest.raises(ProblemError) as refused:
        await harness.app.state.token_verifier.verify(token)
    assert (refused.value.status, refused.value.detail) == (401, "token too large")


@pytest.mark.parametrize("header", [None, "Basic YWxpY2U6c2VjcmV0", "Bearer ", "Bearer"])
async def test_missing_token_is_rejected(client, header):
    headers = {"Authorization": header} if header is not None else {}
    response = await client.get("/v1/widgets", headers=headers)
    assert response.status_code == 401
    assert response.json()["code"] == "UNAUTHENTICATED"


@pytest.mark.parametrize(("claim", "value"), [
    ("sub", "s" * 200), ("org", "o" * 100), ("roles", []), ("teams", ["team-a"]),
    ("exp", time.time() + 600.5), ("nbf", 0), ("padding", "x" * 5000),
])
async def test_token_at_the_edges_of_the_claim_rules_passes(client, signing_key, claim, value):
    """The edges that stay valid: the longest sub and org, no roles, fractional exp, a 7.5 KiB
    token (the limit is 8 KiB)."""
    token = jwt.encode(claims(**{claim: value}), signing_key.private_pem, algorithm="RS256",
                       headers={"kid": signing_key.kid})
    response = await client.get("/v1/widgets", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code in (200, 403), response.text


async def test_valid_token_passes_and_health_needs_none(client, harness):
    assert (await client.get("/v1/widgets", headers=harness.headers("kit.reader"))).status_code == 200
    for path in ("/livez", "/readyz", "/metrics"):
        assert (await client.get(path)).status_code == 200


def test_symmetric_algorithms_cannot_be_configured():
    from dkbuza_kit.auth import JwksProvider
    from dkbuza_kit.auth import TokenVerifier

    provider = JwksProvider(path="/dev/null", url=None)
    for algorithms in (["HS256"], ["RS256", "none"]):
        with pytest.raises(ValueError):
            TokenVerifier(provider, issuer="i", audience="a", algorithms=algorithms)


async def test_jwks_fetched_from_a_url_and_refetched_for_a_new_key(tmp_path):
    """Key rotation at the identity provider: a token signed by a key published later is
    accepted after one refetch; the provider is asked again only for an unknown kid."""
    import asyncio
    import socket

    import uvicorn

    from dkbuza_kit.auth import JwksProvider
    from dkbuza_kit.auth import TokenVerifier

    first, second = generate_key(tmp_path / "k1"), generate_key(tmp_path / "k2")
    published = {"keys": json.loads(first.jwks_path.read_text())["keys"]}
    fetches = []

    async def identity_provider(scope, receive, send):
        if scope["type"] != "http":
            return
        fetches.append(scope["path"])
        body = json.dumps(published).encode()
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": body})

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(identity_provider, log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:  # noqa: ASYNC110  (uvicorn exposes no started event)
        await asyncio.sleep(0.01)
    try:
        provider = JwksProvider(path=None, url=f"http://127.0.0.1:{sock.getsockname()[1]}/jwks",
                                cache_seconds=300)
        verifier = TokenVerifier(provider, issuer="dkbuza-dev", audience="dkbuza",
                                 algorithms=["RS256"])
        assert (await verifier.verify(first.mint(sub="a", roles=["r"]))).sub == "a"
        assert fetches == ["/jwks"]
        # The provider rotates: the new key is published; a token signed with it comes in.
        published["keys"] += json.loads(second.jwks_path.read_text())["keys"]
        provider._loaded_at -= 10  # the refetch guard (one per 5 s) has passed
        assert (await verifier.verify(second.mint(sub="b", roles=["r"]))).sub == "b"
        assert fetches == ["/jwks", "/jwks"]
        # A known key needs no fetch.
        assert (await verifier.verify(first.mint(sub="c", roles=["r"]))).sub == "c"
        assert fetches == ["/jwks", "/jwks"]
    finally:
        server.should_exit = True
        await task


def _solved_calls(dependant) -> list:
    """Every dependency FastAPI solves for a request, in order: it solves a sub-dependency anew
    under each dependant that declares it, cached value or not."""
    calls = []
    for sub in dependant.dependencies:
        calls.append(sub.call)
        calls.extend(_solved_calls(sub))
    return calls


async def test_a_role_protected_route_resolves_the_token_from_the_request_once(harness):
    from fastapi.routing import iter_route_contexts
    from fastapi.security.base import SecurityBase

    from dkbuza_kit.auth import authenticate

    route = next(r for r in iter_route_contexts(harness.app.routes)
                 if r.path_format == "/v1/widgets" and "POST" in r.methods)
    calls = _solved_calls(route.dependant)
    # The router's `authenticate` once; the role check reads the request itself, so no second
    # authenticate and no security class (HTTPBearer) under either.
    assert calls.count(authenticate) == 1
    assert not [c for c in calls if isinstance(c, SecurityBase)]
    document = (await harness.client.get("/openapi.json")).json()
    assert document["paths"]["/v1/widgets"]["post"]["security"] == [{"HTTPBearer": []}]
    assert document["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    assert "security" not in document["paths"]["/livez"]["get"]
