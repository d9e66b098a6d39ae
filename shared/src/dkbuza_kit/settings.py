"""Settings shared by every app; each app subclasses with its own env prefix.

Example: `class PlanningSettings(ServiceSettings)` with `env_prefix="PLANNING_"` reads
`PLANNING_DATABASE_URL`, `PLANNING_JWKS_PATH`, ...
"""

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from dkbuza_kit.paths import data_dir


def default_jwks_path() -> str:
    return str(data_dir() / "keys" / "jwks.json")


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", env_prefix="DKBUZA_")

    service_name: str = "dkbuza"
    # postgresql+asyncpg://user:pass@host:port/db ; required (the run command sets it).
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
    db_pool_size: int = 10
    db_max_overflow: int = 10
    # Outside requests (workers, migrations, scripts); requests use the per-class ones below.
    db_statement_timeout_ms: int = 30_000
    # Load shedding (see dkbuza_kit.shedding): operational working values, tune per deployment.
    db_pool_timeout_s: float = 5.0          # wait for a pooled connection, then 503 DATABASE_BUSY
    db_statement_timeout_read_ms: int = 5_000
    db_statement_timeout_write_ms: int = 10_000
    db_statement_timeout_export_ms: int = 20_000
    max_in_flight: int = 100                # requests per process, then 503 OVERLOADED
    export_concurrency: int = 2             # heavy exports per process at a time
    export_wait_s: float = 1.0              # wait for an export slot, then 503 EXPORTS_BUSY
    readyz_timeout_s: float = 0.8           # /readyz's own connection: connect + query

    jwt_issuer: str = "dkbuza-dev"
    jwt_audience: str = "dkbuza"
    jwt_algorithms: list[str] = Field(default_factory=lambda: ["RS256"])
    # Exactly one of these is used: a local JWKS file or a URL fetched asynchronously.
    jwks_path: str | None = Field(default_factory=default_jwks_path)
    jwks_url: str | None = None
    jwks_cache_seconds: int = 300

    max_body_bytes: int = 1_048_576
    cors_origins: list[str] = Field(default_factory=list)
    log_level: str = "INFO"
    log_json: bool = True
    # Worker: how often scheduled jobs are enqueued and the queue polled.
    worker_poll_seconds: float = 1.0
