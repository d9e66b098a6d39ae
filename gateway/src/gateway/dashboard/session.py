"""The dashboard's session: one signed cookie scoped to `/ui` (itsdangerous), HttpOnly,
SameSite=Lax and Secure unless switched off for plain-http development.

The session holds the user's bearer token (dev-minted or the issuer's access token), the
identity shown on the pages, a CSRF token checked on every form, and during an OpenID
Connect round trip the `state`, `nonce` and PKCE verifier. Anonymous visitors get a session
too, so that the sign-in form carries a CSRF token.
"""

import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi import Response
from itsdangerous import BadSignature
from itsdangerous import URLSafeTimedSerializer

from dkbuza_kit.problems import ProblemError

COOKIE_NAME = "dkbuza_ui"
COOKIE_PATH = "/ui"
CSRF_FIELD = "csrf_token"


@dataclass
class SessionCodec:
    secret: str
    ttl_s: int
    secure: bool

    @property
    def _serializer(self) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(self.secret, salt="dkbuza-dashboard-session")

    def load(self, request: Request) -> dict[str, Any]:
        raw = request.cookies.get(COOKIE_NAME)
        if raw:
            try:
                data = self._serializer.loads(raw, max_age=self.ttl_s)
                if isinstance(data, dict) and isinstance(data.get("csrf"), str):
                    return data
            except BadSignature:
                pass
        return {"csrf": secrets.token_urlsafe(32)}

    def save(self, response: Response, data: dict[str, Any]) -> None:
        response.set_cookie(COOKIE_NAME, self._serializer.dumps(data), max_age=self.ttl_s,
                            path=COOKIE_PATH, httponly=True, secure=self.secure,
                            samesite="lax")

    def clear(self, response: Response) -> None:
        response.delete_cookie(COOKIE_NAME, path=COOKIE_PATH, httponly=True,
                               secure=self.secure, samesite="lax")


def codec(request: Request) -> SessionCodec:
    return request.app.state.dashboard_sessions


def check_csrf(session: dict[str, Any], submitted: str | None) -> None:
    """A form post must carry the session's CSRF token (constant-time comparison)."""
    expected = session.get("csrf", "")
    if not submitted or not hmac.compare_digest(expected.encode(), submitted.encode()):
        raise ProblemError(403, "CSRF_TOKEN_INVALID",
                           "the form's CSRF token is missing or does not match the session")
