"""OpenID Connect sign-in (authorization code + PKCE S256) against a fake issuer."""

import base64
import hashlib
import json
from urllib.parse import parse_qs
from urllib.parse import urlsplit

import pytest
from aiohttp import web

from gateway.tests.conftest import free_port

CLIENT_ID = "dashboard"


class FakeIssuer:
    def __init__(self, key) -> None:
        self.key = key
        self.url = f"http://127.0.0.1:{free_port()}"
        self.challenges: dict[str, tuple[str, str]] = {}  # code -> (challenge, nonce)

    async def discovery(self, request):
        return web.json_response({"issuer": self.url, "jwks_uri": f"{self.url}/jwks",
                                  "authorization_endpoint": f"{self.url}/authorize",
                                  "token_endpoint": f"{self.url}/token"})

    async def jwks(self, request):
        return web.json_response(json.loads(self.key.jwks_path.read_text()))

    async def token(self, request):
        form = await request.post()
        challenge, nonce = self.challenges.get(form.get("code"), (None, None))
        digest = hashlib.sha256(str(form.get("code_verifier", "")).encode()).digest()
        if challenge != base64.urlsafe_b64encode(digest).rstrip(b"=").decode():
            return web.json_response({"error": "invalid_grant"}, status=400)
        access = self.key.mint(sub="oidc-user", roles=["kpi.reader"], org="dkbuza")
        id_token = self.key.mint(sub="oidc-user", roles=[], issuer=self.url,
                                 audience=CLIENT_ID, nonce=nonce)
        return web.json_response({"access_token": access, "token_type": "Bearer",
                                  "id_token": id_token, "expires_in": 3600})


@pytest.fixture
async def issuer(client, harness, signing_key):
    fake = FakeIssuer(signing_key)
    app = web.Application()
    app.router.add_get("/.well-known/openid-configuration", fake.discovery)
    app.router.add_get("/jwks", fake.jwks)
    app.router.add_post("/token", fake.token)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", int(fake.url.rsplit(":", 1)[1])).start()
    settings, state = harness.app.state.settings, harness.app.state
    settings.dashboard_oidc_issuer, settings.dashboard_oidc_client_id = fake.url, CLIENT_ID
    state.dashboard_sessions.secure = False
    state.dashboard_oidc_metadata = None
    client.cookies.clear()
    yield fake
    settings.dashboard_oidc_issuer = settings.dashboard_oidc_client_id = None
    state.dashboard_sessions.secure = True
    state.dashboard_oidc_metadata = None
    client.cookies.clear()
    await runner.cleanup()


async def start(client, issuer) -> dict[str, str]:
    answer = await client.get("/ui/login/oidc", follow_redirects=False)
    assert answer.status_code == 302
    location = urlsplit(answer.headers["location"])
    assert location.netloc == urlsplit(issuer.url).netloc and location.path == "/authorize"
    return {key: values[0] for key, values in parse_qs(location.query).items()}


async def test_oidc_sign_in_with_pkce_opens_a_session(client, issuer):
    asked = await start(client, issuer)
    assert asked["code_challenge_method"] == "S256" and asked["client_id"] == CLIENT_ID
    assert asked["response_type"] == "code" and asked["nonce"]
    issuer.challenges["code-1"] = (asked["code_challenge"], asked["nonce"])
    answer = await client.get(f"/ui/auth/callback?code=code-1&state={asked['state']}",
                              follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/ui"
    page = await client.get("/ui/kpis")
    assert page.status_code == 200 and 'data-user="oidc-user"' in page.text


async def test_oidc_callback_with_a_foreign_state_is_refused(client, issuer):
    asked = await start(client, issuer)
    issuer.challenges["code-2"] = (asked["code_challenge"], asked["nonce"])
    answer = await client.get("/ui/auth/callback?code=code-2&state=forged")
    assert answer.status_code == 400 and answer.json()["code"] == "OIDC_STATE_MISMATCH"
    assert (await client.get("/ui", follow_redirects=False)).status_code == 303


async def test_oidc_code_without_the_right_verifier_is_refused(client, issuer):
    asked = await start(client, issuer)
    issuer.challenges["code-3"] = ("not-the-challenge", asked["nonce"])
    answer = await client.get(f"/ui/auth/callback?code=code-3&state={asked['state']}")
    assert answer.status_code == 502 and answer.json()["code"] == "OIDC_TOKEN_EXCHANGE_FAILED"


async def test_oidc_id_token_with_another_nonce_is_refused(client, issuer):
    asked = await start(client, issuer)
    issuer.challenges["code-4"] = (asked["code_challenge"], "another-nonce")
    answer = await client.get(f"/ui/auth/callback?code=code-4&state={asked['state']}")
    assert answer.status_code == 401 and answer.json()["code"] == "OIDC_NONCE_MISMATCH"
