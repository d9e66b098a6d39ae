from pydantic_settings import SettingsConfigDict

from dkbuza_kit.settings import ServiceSettings


class GatewaySettings(ServiceSettings):
    """Environment variables prefixed `GATEWAY_`. Upstream addresses come only from here."""

    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore")

    service_name: str = "gateway"
    upstream_planning: str = "http://127.0.0.1:8001"
    upstream_disaster_fund: str = "http://127.0.0.1:8002"
    upstream_export_control: str = "http://127.0.0.1:8003"
    upstream_statistics: str = "http://127.0.0.1:8004"
    upstream_connect_timeout_s: float = 1.0
    upstream_read_timeout_s: float = 10.0
    upstream_pool_size: int = 100

    def upstreams(self) -> dict[str, str]:
        return {
            "planning": self.upstream_planning,
            "disaster-fund": self.upstream_disaster_fund,
            "export-control": self.upstream_export_control,
            "statistics": self.upstream_statistics,
        }
