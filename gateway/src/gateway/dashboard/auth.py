"""Signing in and out of the dashboard.

- Development (`GATEWAY_DASHBOARD_DEV_LOGIN=true`, the run command sets it): a form to pick
  roles from the README's list and an organisation; the gateway mints a token with the
  development key (`dkbuza_kit.tokens.dev_signing_key`) that every app trusts in development.
- Otherwise OpenID Connect authorization code with PKCE (S256) against
  `GATEWAY_DASHBOARD_OIDC_ISSUER` (Authlib's OAuth2 client); the issuer's access token is what
  the pages send to the APIs, so the services decide what the user may see.

Either way the token is verified by the gateway's own verifier before a session is opened.
"""

import asyncio
import hmac
import re
import warnings
from pathlib import Path
from typing import Annotated
from typing import Any

import httpx
import jwt
from authlib.common.security import generate_token
from authlib.deprecate import AuthlibDeprecationWarning
from fastapi import APIRouter
from fastapi import Query
from fastapi import Request
from fastapi.responses import RedirectResponse
from fastapi.responses import Response

from dkbuza_kit.apps import ROLES
from dkbuza_kit.auth import Principal
from dkbuza_kit.problems import ProblemError
from dkbuza_kit.tokens import dev_signing_key
from gateway.dashboard.render import render
from gateway.dashboard.session import CSRF_FIELD
from gateway.dashboard.session import check_csrf
from gateway.dashboard.session import codec

with warnings.catch_warnings():
    # Authlib 1.9 announces a move of its httpx client to httpx2; the client works as documented.
    warnings.simplefilter("ignore", AuthlibDeprecationWarning)
    from authlib.integrations.httpx_client import AsyncOAuth2Client

router = APIRouter(prefix="/ui", include_in_schema=False)
ORG_PATTERN = re.compile(r"^[A-Za-z0-9._-]{1,100}$")
SUB_PATTERN = re.compile(r"^[A-Za-z0-9._@-]{1,200}$")
CALLBACK_PATH = "/ui/auth/callback"


def known_roles() -> dict[str, tuple[str, ...]]:
    """The roles of the README per service (kpi.reader once, under 'alle diensten')."""
    per_service = {name: tuple(r for r in roles if r != "kpi.reader")
                   for name, roles in ROLES.items() if name != "gateway"}
    return {**per_service, "alle diensten": ("kpi.reader",)}


async def signed_in(request: Request, session: dict[str, Any]) -> Principal | None:
    """The session's user, when its token still verifies (expired or revoked key: none)."""
    token = session.get("token")
    if not isinstance(token, str):
        return None
    try:
        return await request.app.state.token_verifier.verify(token)
    except ProblemError:
        return None


def login_form(request: Request, session: dict[str, Any], *, status_code: int = 200,
               error: str | None = None) -> Response:
    return render(request, "login.html", session, status_code=status_code, error=error,
                  roles=known_roles())


async def _open_session(request: Request, session: dict[str, Any], token: str) -> Response:
    principal = await signed_in(request, {"token": token})
    if principal is None:
        return login_form(request, session, status_code=401,
                          error="De API aanvaardt het token van deze aanmelding niet.")
    fresh = {"csrf": generate_token(32), "token": token}  # new CSRF token per sign-in
    response = RedirectResponse("/ui", status_code=303)
    codec(request).save(response, fresh)
    return response


@router.get("/login")
async def login_page(request: Request) -> Response:
    session = codec(request).load(request)
    if await signed_in(request, session) is not None:
        return RedirectResponse("/ui", status_code=303)
    return login_form(request, session)


def _dev_identity(form: Any) -> tuple[str, str, list[str]] | str:
    """(sub, org, roles) from the form, or the Dutch reason it is refused."""
    allowed = {role for roles in known_roles().values() for role in roles}
    roles = [str(role) for role in form.getlist("roles")]
    sub, org = str(form.get("sub", "")).strip(), str(form.get("org", "")).strip()
    if not SUB_PATTERN.match(sub):
        return "Geef een gebruikersnaam (letters, cijfers, . _ @ -)."
    if not ORG_PATTERN.match(org):
        return "Geef een organisatie (bv. dkbuza, een NIS-code of KBO-nummer)."
    if any(role not in allowed for role in roles):
        return "Kies alleen rollen uit de lijst."
    return sub, org, sorted(set(roles))


@router.post("/login/dev")
async def dev_login(request: Request) -> Response:
    settings = request.app.state.settings
    if not settings.dashboard_dev_login:
        raise ProblemError(404, "NOT_FOUND", "development sign-in is switched off")
    session = codec(request).load(request)
    form = await request.form()
    check_csrf(session, form.get(CSRF_FIELD))  # type: ignore[arg-type]
    identity = _dev_identity(form)
    if isinstance(identity, str):
        return login_form(request, session, status_code=422, error=identity)
    sub, org, roles = identity
    key_dir = settings.dashboard_dev_key_dir
    key = dev_signing_key(Path(key_dir) if key_dir else None)
    token = key.mint(sub=sub, roles=roles, org=org, ttl_seconds=settings.dashboard_session_ttl_s)
    return await _open_session(request, session, token)


@router.post("/logout")
async def logout(request: Request) -> Response:
    session = codec(request).load(request)
    form = await request.form()
    check_csrf(session, form.get(CSRF_FIELD))  # type: ignore[arg-type]
    response = RedirectResponse("/ui/login", status_code=303)
    codec(request).clear(response)
    return response


# -- OpenID Connect -----------------------------------------------------------------------------

async def _discovery(request: Request) -> dict[str, Any]:
    settings = request.app.state.settings
    cached = getattr(request.app.state, "dashboard_oidc_metadata", None)
    if cached is not None:
        return cached
    url = settings.dashboard_oidc_issuer.rstrip("/") + "/.well-known/openid-configuration"
    try:
        async with httpx.AsyncClient(timeout=5.0) as client:
            answer = await client.get(url)
            answer.raise_for_status()
            metadata = answer.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise ProblemError(502, "OIDC_ISSUER_UNAVAILABLE",
                           "the OpenID Connect issuer did not answer") from exc
    request.app.state.dashboard_oidc_metadata = metadata
    return metadata


def _oauth_client(request: Request) -> AsyncOAuth2Client:
    settings = request.app.state.settings
    # url_for cannot be used: the proxy route (first in the table) does not name routes.
    redirect = (settings.dashboard_oidc_redirect_url
                or str(request.base_url).rstrip("/") + CALLBACK_PATH)
    return AsyncOAuth2Client(settings.dashboard_oidc_client_id,
                             settings.dashboard_oidc_client_secret,
                             scope=settings.dashboard_oidc_scope, redirect_uri=redirect,
                             code_challenge_method="S256", timeout=10.0)


def _require_oidc(request: Request) -> None:
    settings = request.app.state.settings
    if not (settings.dashboard_oidc_issuer and settings.dashboard_oidc_client_id):
        raise ProblemError(404, "NOT_FOUND", "no OpenID Connect issuer is configured")


@router.get("/login/oidc")
async def oidc_start(request: Request) -> Response:
    _require_oidc(request)
    metadata = await _discovery(request)
    session = codec(request).load(request)
    state, nonce, verifier = generate_token(32), generate_token(32), generate_token(64)
    async with _oauth_client(request) as client:
        url, _ = client.create_authorization_url(metadata["authorization_endpoint"],
                                                 state=state, nonce=nonce,
                                                 code_verifier=verifier)
    session["oidc"] = {"state": state, "nonce": nonce, "verifier": verifier}
    response = RedirectResponse(url, status_code=302)
    codec(request).save(response, session)
    return response


async def _check_id_token(metadata: dict[str, Any], id_token: str, client_id: str,
                          nonce: str) -> None:
    """The ID token is signed by the issuer, for this client, and carries our nonce."""
    jwks = jwt.PyJWKClient(metadata["jwks_uri"])
    try:
        key = await asyncio.to_thread(jwks.get_signing_key_from_jwt, id_token)
        claims = jwt.decode(id_token, key.key, algorithms=["RS256", "ES256", "PS256"],
                            audience=client_id, issuer=metadata["issuer"])
    except jwt.PyJWTError as exc:
        raise ProblemError(401, "OIDC_ID_TOKEN_INVALID", "the ID token did not verify") from exc
    if not hmac.compare_digest(str(claims.get("nonce", "")), nonce):
        raise ProblemError(401, "OIDC_NONCE_MISMATCH", "the ID token's nonce does not match")


@router.get(CALLBACK_PATH.removeprefix("/ui"))
async def oidc_callback(request: Request, state: Annotated[str, Query(max_length=200)] = "",
                        code: Annotated[str | None, Query(max_length=2000)] = None,
                        error: Annotated[str, Query(max_length=100)] = "",
                        error_description: Annotated[str, Query(max_length=500)] = "",
                        iss: Annotated[str, Query(max_length=500)] = "") -> Response:
    _require_oidc(request)
    session = codec(request).load(request)
    pending = session.pop("oidc", None)
    if not pending or not hmac.compare_digest(pending["state"], state):
        raise ProblemError(400, "OIDC_STATE_MISMATCH", "the sign-in answer does not belong to "
                                                       "this browser session")
    if not code:
        raise ProblemError(401, "OIDC_DENIED", "the issuer did not grant a sign-in",
                           error=error)
    metadata = await _discovery(request)
    async with _oauth_client(request) as client:
        try:
            tokens = await client.fetch_token(metadata["token_endpoint"], code=code,
                                              code_verifier=pending["verifier"],
                                              grant_type="authorization_code")
        except Exception as exc:  # Authlib raises OAuthError and httpx errors here
            raise ProblemError(502, "OIDC_TOKEN_EXCHANGE_FAILED",
                               "the issuer did not exchange the code") from exc
    if tokens.get("id_token"):
        await _check_id_token(metadata, tokens["id_token"],
                              request.app.state.settings.dashboard_oidc_client_id,
                              pending["nonce"])
    return await _open_session(request, session, tokens["access_token"])
