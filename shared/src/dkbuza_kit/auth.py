"""Bearer JWT verification: pinned algorithms, iss/aud/exp required, keys from a JWKS.

The JWKS comes from a file or a URL fetched asynchronously (httpx) and cached; an unknown
`kid` triggers at most one refetch per cache period, so a key rotation is picked up without
letting token spam hammer the key server.
"""

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Annotated
from typing import Any
from typing import TypeVar

import httpx
import jwt
from fastapi import Depends
from fastapi import Request

from dkbuza_kit.context import actor_var
from dkbuza_kit.problems import ProblemError

DKBUZA_ORG = "dkbuza"
_SCOPE_KEY = "dkbuza.principal"
# Our tokens are about 1 KiB; anything far larger is refused before it is decoded.
MAX_TOKEN_BYTES = 8192
# The audit trail stores the actor in 200 and the organisation in 100 characters.
MAX_SUB_CHARS = 200
MAX_ORG_CHARS = 100
_NUMERIC_CLAIMS = ("exp", "iat", "nbf")
F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Principal:
    sub: str
    roles: frozenset[str]
    org: str
    teams: frozenset[str] = field(default_factory=frozenset)
    claims: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def has_any(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def is_internal(self) -> bool:
        return self.org == DKBUZA_ORG


class JwksProvider:
    def __init__(self, *, path: str | None, url: str | None, cache_seconds: int = 300) -> None:
        if not path and not url:
            raise ValueError("a JWKS path or URL is required")
        self._path = path
        self._url = url
        self._cache_seconds = cache_seconds
        self._keys: dict[str, jwt.PyJWK] = {}
        self._loaded_at = 0.0

    async def _load(self) -> None:
        if self._url:
            async with httpx.AsyncClient(timeout=5.0) as client:
                response = await client.get(self._url)
                response.raise_for_status()
                data = response.json()
        else:
            data = json.loads(await asyncio.to_thread(Path(self._path).read_text))  # type: ignore[arg-type]
        keys: dict[str, jwt.PyJWK] = {}
        for jwk in data.get("keys", []):
            try:
                key = jwt.PyJWK.from_dict(jwk)
            except jwt.PyJWTError:
                continue  # keys of unsupported types are skipped, not fatal
            if key.key_id:
                keys[key.key_id] = key
        self._keys = keys
        self._loaded_at = time.monotonic()

    async def get(self, kid: str) -> jwt.PyJWK | None:
        stale = time.monotonic() - self._loaded_at > self._cache_seconds
        if stale or (kid not in self._keys and time.monotonic() - self._loaded_at > 5):
            try:
                await self._load()
            except (OSError, ValueError, httpx.HTTPError):
                if not self._keys:
                    raise
        return self._keys.get(kid)


class VerifiedTokens:
    """Tokens verified recently: checking an RS256 signature costs more than serving a small
    request (~250 us here). An entry lives until the token's `exp`, at most `ttl_s` (so a
    removed signing key stops being honoured within that time); the oldest entry makes room.
    Only successes are remembered: a bad token is checked, and refused, every time."""

    def __init__(self, *, max_entries: int = 10_000, ttl_s: float = 60.0,
                 clock: Callable[[], float] = time.time) -> None:
        self.max_entries = max_entries
        self.ttl_s = ttl_s
        self._clock = clock
        self._entries: dict[str, tuple[Principal, float]] = {}

    def get(self, token: str) -> Principal | None:
        entry = self._entries.get(token)
        if entry is None:
            return None
        if self._clock() >= entry[1]:
            del self._entries[token]
            return None
        return entry[0]

    def put(self, token: str, principal: Principal) -> None:
        expires = min(float(principal.claims.get("exp", 0)), self._clock() + self.ttl_s)
        if len(self._entries) >= self.max_entries:
            del self._entries[next(iter(self._entries))]  # the oldest entry
        self._entries[token] = (principal, expires)


class TokenVerifier:
    def __init__(self, jwks: JwksProvider, *, issuer: str, audience: str,
                 algorithms: list[str], cache_ttl_s: float = 60.0,
                 max_token_bytes: int = MAX_TOKEN_BYTES) -> None:
        if any(alg.lower() == "none" or alg.upper().startswith("HS") for alg in algorithms):
            raise ValueError("only asymmetric algorithms may be configured")
        self._jwks = jwks
        self._issuer = issuer
        self._audience = audience
        self._algorithms = algorithms
        self.max_token_bytes = max_token_bytes
        self.verified = VerifiedTokens(ttl_s=cache_ttl_s)

    async def verify(self, token: str) -> Principal:
        if len(token) > self.max_token_bytes:
            raise _unauthenticated("token too large")
        principal = self.verified.get(token)
        if principal is None:
            principal = await self._verify(token)
            self.verified.put(token, principal)
        return principal

    async def _verify(self, token: str) -> Principal:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise _unauthenticated("malformed token") from exc
        alg = header.get("alg")
        if alg not in self._algorithms:
            raise _unauthenticated("token algorithm not allowed")
        kid = header.get("kid")
        if not isinstance(kid, str):
            raise _unauthenticated("token has no key id")
        try:
            key = await self._jwks.get(kid)
        except Exception as exc:  # key source down: refuse, never accept unverified
            raise ProblemError(503, "KEYS_UNAVAILABLE", "signing keys unavailable") from exc
        if key is None:
            raise _unauthenticated("unknown key id")
        if key.algorithm_name != alg:
            raise _unauthenticated("token algorithm does not match its key")
        try:
            claims = jwt.decode(
                token,
                key=key.key,
                algorithms=[alg],
                audience=self._audience,
                issuer=self._issuer,
                options={"require": ["exp", "iss", "aud", "sub"]},
                leeway=30,
            )
        except jwt.ExpiredSignatureError as exc:
            raise _unauthenticated("token expired") from exc
        except jwt.PyJWTError as exc:
            raise _unauthenticated("token invalid") from exc
        problem = claim_type_problem(claims)
        if problem:
            raise _unauthenticated(problem)
        return Principal(
            sub=claims["sub"],
            roles=frozenset(claims.get("roles") or []),
            org=claims.get("org") or "",
            teams=frozenset(claims.get("teams") or []),
            claims=claims,
        )


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_string_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def claim_type_problem(claims: dict[str, Any]) -> str | None:
    """Why the claims' types are unacceptable, or None. PyJWT casts `exp` with int(), so a
    string "9999999999" would pass its own check; we accept JSON numbers only."""
    for name in _NUMERIC_CLAIMS:
        if name in claims and not _is_number(claims[name]):
            return f"claim {name} must be a number"
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub.strip() or len(sub) > MAX_SUB_CHARS:
        return f"claim sub must be a non-empty string of at most {MAX_SUB_CHARS} characters"
    org = claims.get("org")
    if org is not None and (not isinstance(org, str) or len(org) > MAX_ORG_CHARS):
        return f"claim org must be a string of at most {MAX_ORG_CHARS} characters"
    for name in ("roles", "teams"):
        if claims.get(name) is not None and not _is_string_list(claims[name]):
            return f"claim {name} must be a list of strings"
    return None


def _unauthenticated(detail: str) -> ProblemError:
    return ProblemError(401, "UNAUTHENTICATED", detail,
                        headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})


# How the OpenAPI document names the scheme (`dkbuza_kit.openapi` adds it to every operation
# behind a dependency marked with `authenticates`).
BEARER_SCHEME_NAME = "HTTPBearer"
BEARER_SCHEME_DOC = {"type": "http", "scheme": "bearer",
                     "description": "JWT issued by the DKBUZA identity provider"}


def authenticates(dependency: F) -> F:
    """Mark a dependency that requires a bearer token (documented as the operation's security).
    The kit reads the header itself: a FastAPI security class as a sub-dependency would be solved
    again under every dependency that needs the principal, on every request."""
    dependency.__dkbuza_authenticates__ = True  # type: ignore[attr-defined]
    return dependency


def is_authenticating(call: Any) -> bool:
    return getattr(call, "__dkbuza_authenticates__", False)


@authenticates
async def authenticate(request: Request) -> Principal:
    """Router-level dependency: every route under it needs a valid bearer token."""
    return await authenticate_request(request)


async def authenticate_request(request: Request) -> Principal:
    """Verify the request's bearer token once per request (401 problem when missing or bad)."""
    # Cached in the ASGI scope, which is per request (request.state may be shared lifespan state).
    cached = request.scope.get(_SCOPE_KEY)
    if cached is not None:
        return cached
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    token = token.strip()
    if len(token) > MAX_TOKEN_BYTES:
        raise _unauthenticated("token too large")
    if scheme.lower() != "bearer" or not token:
        raise ProblemError(401, "UNAUTHENTICATED", "a bearer token is required",
                           headers={"WWW-Authenticate": "Bearer"})
    principal = await request.app.state.token_verifier.verify(token)
    request.scope[_SCOPE_KEY] = principal
    actor_var.set(principal.sub)
    return principal


CurrentPrincipal = Annotated[Principal, Depends(authenticate)]


def require_roles(*roles: str):
    """Dependency factory: the caller must hold at least one of `roles` (else 403)."""

    # The request, not `CurrentPrincipal`: FastAPI solves a sub-dependency anew under every
    # dependant, however cached its value (see `authenticates`).
    @authenticates
    async def dependency(request: Request) -> Principal:
        principal = await authenticate_request(request)
        if not principal.has_any(*roles):
            raise ProblemError(403, "FORBIDDEN", f"requires one of the roles: {', '.join(roles)}")
        return principal

    return dependency
