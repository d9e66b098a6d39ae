"""Settings shared by every app; each app subclasses with its own env prefix.

`AppSettings` is everything an app needs without a database (the gateway); `ServiceSettings`
adds the database. Example: `class PlanningSettings(ServiceSettings)` with
`env_prefix="PLANNING_"` reads `PLANNING_DATABASE_URL`, `PLANNING_JWKS_PATH`, ...

`<PREFIX>DATABASE_URL` is required and secret: no default (the run command, compose and the
test harness set it; nothing falls back to a development server), never shown by `repr()` or
in logs. Building settings reads the environment only: no file or directory is created.
"""

from typing import Any
from typing import Literal

from pydantic import Field
from pydantic import SecretStr
from pydantic import model_validator
from pydantic_settings import BaseSettings
from pydantic_settings import SettingsConfigDict

from dkbuza_kit.paths import data_dir


def default_jwks_path() -> str:
    return str(data_dir() / "keys" / "jwks.json")


def secret_value(value: SecretStr | str | None) -> str | None:
    """The plain text of a secret setting (or of a plain string, as tests pass them)."""
    return value.get_secret_value() if isinstance(value, SecretStr) else value


class AppSettings(BaseSettings):
    """Everything an app needs without a database."""

    # Validation errors never echo the input (it holds the secrets of the other settings).
    model_config = SettingsConfigDict(extra="ignore", env_prefix="DKBUZA_",
                                      hide_input_in_errors=True)

    service_name: str = "dkbuza"
    max_in_flight: int = 100                # requests per process, then 503 OVERLOADED
    export_concurrency: int = 2             # heavy exports per process at a time
    export_wait_s: float = 1.0              # wait for an export slot, then 503 EXPORTS_BUSY
    # Once started, what is alive (modules, routes, models, the engine) stays for the process's
    # life: freeze it out of the cyclic garbage collector (`dkbuza_kit.app.freeze_startup_heap`).
    gc_freeze_after_startup: bool = True

    jwt_issuer: str = "dkbuza-dev"
    jwt_audience: str = "dkbuza"
    jwt_algorithms: list[str] = Field(default_factory=lambda: ["RS256"])
    # Exactly one of these is used: a local JWKS file or a URL fetched asynchronously.
    jwks_path: str | None = Field(default_factory=default_jwks_path)
    jwks_url: str | None = None
    jwks_cache_seconds: int = 300

    max_body_bytes: int = 1_048_576
    # Request headers, all together and by count (431 above; see dkbuza_kit.header_limits).
    max_header_bytes: int = 32_768
    max_header_count: int = 100
    # Document uploads (POST .../documents) may be larger; each kind has its own lower limit.
    documents_max_body_bytes: int = 26_214_400
    cors_origins: list[str] = Field(default_factory=list)
    log_level: str = "INFO"
    log_json: bool = True
    # OTLP/HTTP collector (e.g. http://otel-collector:4318); tracing is off when unset.
    otlp_endpoint: str | None = None
    # Development only: webhooks to a receiver on this machine (127.0.0.1, ::1, localhost),
    # over plain http too. Off, every target must be https at a public address.
    webhook_allow_loopback_http: bool = False


class ServiceSettings(AppSettings):
    """An app with its own database (the four services)."""

    # postgresql+asyncpg://user:pass@host:port/db ; required, no default.
    database_url: SecretStr
    # The owning role's URL, for migrations only; the app connects with `database_url`, whose
    # role then gets only the app's grants (dkbuza_kit.db_roles). Unset: one role for both.
    migration_database_url: SecretStr | None = None
    db_pool_size: int = 10
    db_max_overflow: int = 10
    # Outside requests (workers, migrations, scripts); requests use the per-class ones below.
    db_statement_timeout_ms: int = 30_000
    # Load shedding (see dkbuza_kit.shedding): operational working values, tune per deployment.
    db_pool_timeout_s: float = 5.0          # wait for a pooled connection, then 503 DATABASE_BUSY
    db_statement_timeout_read_ms: int = 5_000
    db_statement_timeout_write_ms: int = 10_000
    db_statement_timeout_export_ms: int = 20_000
    readyz_timeout_s: float = 0.8           # /readyz's own connection: connect + query
    db_ping_after_idle_s: float = 2.0       # a pooled connection idle this long is pinged first

    # Where documents live: "local" (documents_dir, default <data dir>/documents/<service>) or
    # "s3" (an S3-compatible store: endpoint, bucket and credentials below).
    documents_backend: Literal["local", "s3"] = "local"
    documents_dir: str | None = None
    s3_endpoint_url: str | None = None
    s3_bucket: str = "dkbuza-documents"
    s3_access_key_id: str | None = None
    s3_secret_access_key: SecretStr | None = None
    s3_region: str | None = None
    # KPI gauges on /metrics are computed at scrape time and reused for this long.
    kpi_gauge_cache_seconds: float = 60.0
    # Worker: how often scheduled jobs are enqueued and the queue polled.
    worker_poll_seconds: float = 1.0
    # Worker: serve its own Prometheus metrics (jobs processed, KPI gauges) on this port.
    worker_metrics_port: int | None = None
    worker_metrics_host: str = "127.0.0.1"  # 0.0.0.0 in a pod, so Prometheus can scrape it

    @model_validator(mode="before")
    @classmethod
    def _database_url_given(cls, data: Any) -> Any:
        """Missing URL: an error naming the environment variable, not only the field."""
        if isinstance(data, dict) and not data.get("database_url"):
            prefix = cls.model_config.get("env_prefix", "")
            raise ValueError(f"{prefix.upper()}DATABASE_URL is required (the database URL, "
                             "postgresql+asyncpg://user:password@host:port/database)")
        return data

    @property
    def plain_database_url(self) -> str:
        """The app role's URL in plain text (for the engine; never log it)."""
        return secret_value(self.database_url)

    @property
    def owner_database_url(self) -> str:
        """The owning role's URL in plain text (migrations)."""
        return secret_value(self.migration_database_url) or self.plain_database_url

    @property
    def app_database_role(self) -> str | None:
        """The role that gets the app's grants after migrating (None: the owner connects)."""
        from dkbuza_kit.db_roles import app_role_for

        return app_role_for(self.owner_database_url, self.plain_database_url)
