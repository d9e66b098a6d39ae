from pydantic_settings import SettingsConfigDict

from dkbuza_kit.settings import ServiceSettings


class VspStatisticsSettings(ServiceSettings):
    """Environment variables prefixed `STATISTICS_` (e.g. `STATISTICS_DATABASE_URL`)."""

    model_config = SettingsConfigDict(env_prefix="STATISTICS_", extra="ignore")

    service_name: str = "statistics"
