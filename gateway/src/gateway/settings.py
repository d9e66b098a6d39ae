"""Gateway configuration: environment variables prefixed `GATEWAY_` (no database).

Upstream addresses come only from here, never from a request.

| variable | default | meaning |
|---|---|---|
| `GATEWAY_UPSTREAM_PLANNING` ... `_STATISTICS` | `http://127.0.0.1:800x` | service base URLs |
| `GATEWAY_UPSTREAM_CONNECT_TIMEOUT_S` | 1.0 | TCP connect to an upstream |
| `GATEWAY_UPSTREAM_READ_TIMEOUT_S` | 10.0 | max silence waiting for headers or body bytes |
| `GATEWAY_UPSTREAM_POOL_TIMEOUT_S` | 2.0 | waiting for a pooled connection, connect included |
| `GATEWAY_UPSTREAM_POOL_SIZE` | 100 | connections per upstream |
| `GATEWAY_UPSTREAM_TIMEOUTS` | `{}` | per-upstream overrides: `{"statistics": {"read_s": 30}}` |
| `GATEWAY_RETRY_ATTEMPTS` | 2 | extra attempts after a connection failure (idempotent only) |
| `GATEWAY_RETRY_BACKOFF_S` | 0.05 | base of the full-jitter exponential backoff |
| `GATEWAY_BREAKER_FAILURE_THRESHOLD` | 5 | consecutive failures (no connection, upstream 502/503) to open |
| `GATEWAY_BREAKER_COOLDOWN_S` | 0.5 | open time before one probe request is let through |
| `GATEWAY_RATE_LIMIT_REQUESTS` | 6000 | requests per client per window; 0 disables the limiter |
| `GATEWAY_RATE_LIMIT_WINDOW_S` | 60 | fixed window length |
| `GATEWAY_REDIS_URL` | unset | counters in Redis (shared by replicas) instead of in memory |
| `GATEWAY_TRUSTED_PROXIES` | `[]` | addresses/networks whose `X-Forwarded-For` is believed (JSON list) |
| `GATEWAY_AGGREGATE_BUDGET_S` | 2.0 | time budget of `/v1/kpis` and `/v1/overview` |
| `GATEWAY_OPENAPI_CACHE_S` | 30.0 | how long a service's fetched OpenAPI document is reused |
| `GATEWAY_READYZ_UPSTREAM_TIMEOUT_S` | 0.5 | per-upstream probe time in `/readyz` |
| `GATEWAY_DASHBOARD_DEV_LOGIN` | false | `/ui/login` signs in with a development identity (run command: on) |
| `GATEWAY_DASHBOARD_DEV_KEY_DIR` | `.data/keys` | where the development signing key lives |
| `GATEWAY_DASHBOARD_SESSION_SECRET` | per process | signs the `/ui` session cookie (set it with replicas) |
| `GATEWAY_DASHBOARD_COOKIE_SECURE` | true | cookie `Secure` flag (off only for http://127.0.0.1) |
| `GATEWAY_DASHBOARD_SESSION_TTL_S` | 3600 | session lifetime (never longer than the token's) |
| `GATEWAY_DASHBOARD_OIDC_ISSUER` | unset | OpenID Connect issuer (`/.well-known/openid-configuration`) |
| `GATEWAY_DASHBOARD_OIDC_CLIENT_ID` / `_CLIENT_SECRET` | unset | the dashboard's client at the issuer |
| `GATEWAY_DASHBOARD_OIDC_SCOPE` | `openid profile` | scopes asked for |
| `GATEWAY_DASHBOARD_OIDC_REDIRECT_URL` | derived | callback registered at the issuer (`/ui/auth/callback`) |
"""

from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic_settings import SettingsConfigDict

from dkbuza_kit.settings import AppSettings


class UpstreamTimeouts(BaseModel):
    """Timeouts of one upstream; unset fields fall back to the global ones."""

    model_config = ConfigDict(extra="forbid")
    connect_s: float | None = None
    read_s: float | None = None
    pool_s: float | None = None


class GatewaySettings(AppSettings):
    """No database: the gateway keeps no data (rate limits in memory or Redis, the
    dashboard's session in a signed cookie)."""

    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore")

    service_name: str = "gateway"
    # A proxy holds a request per upstream call: its bound is that of all services together.
    max_in_flight: int = 1000
    upstream_planning: str = "http://127.0.0.1:8001"
    upstream_disaster_fund: str = "http://127.0.0.1:8002"
    upstream_export_control: str = "http://127.0.0.1:8003"
    upstream_statistics: str = "http://127.0.0.1:8004"
    upstream_connect_timeout_s: float = 1.0
    upstream_read_timeout_s: float = 10.0
    upstream_pool_timeout_s: float = 2.0
    upstream_pool_size: int = 100
    upstream_timeouts: dict[str, UpstreamTimeouts] = {}

    retry_attempts: int = 2
    retry_backoff_s: float = 0.05
    breaker_failure_threshold: int = 5
    breaker_cooldown_s: float = 0.5

    rate_limit_requests: int = 6000
    rate_limit_window_s: int = 60
    redis_url: str | None = None
    # Proxies in front of the gateway (addresses or CIDR networks) whose X-Forwarded-For names
    # the client; from anyone else the header is ignored (gateway.clients).
    trusted_proxies: list[str] = []

    aggregate_budget_s: float = 2.0
    openapi_cache_s: float = 30.0
    readyz_upstream_timeout_s: float = 0.5

    # The browser dashboard under /ui (gateway.dashboard).
    dashboard_dev_login: bool = False
    dashboard_dev_key_dir: str | None = None
    dashboard_session_secret: str | None = None
    dashboard_cookie_secure: bool = True
    dashboard_session_ttl_s: int = 3600
    dashboard_oidc_issuer: str | None = None
    dashboard_oidc_client_id: str | None = None
    dashboard_oidc_client_secret: str | None = None
    dashboard_oidc_scope: str = "openid profile"
    dashboard_oidc_redirect_url: str | None = None

    def upstreams(self) -> dict[str, str]:
        return {
            "planning": self.upstream_planning,
            "disaster-fund": self.upstream_disaster_fund,
            "export-control": self.upstream_export_control,
            "statistics": self.upstream_statistics,
        }

    def timeouts_for(self, upstream: str) -> tuple[float, float, float]:
        """(connect, read, pool) seconds of one upstream, overrides applied."""
        override = self.upstream_timeouts.get(upstream, UpstreamTimeouts())
        return (
            override.connect_s or self.upstream_connect_timeout_s,
            override.read_s or self.upstream_read_timeout_s,
            override.pool_s or self.upstream_pool_timeout_s,
        )
