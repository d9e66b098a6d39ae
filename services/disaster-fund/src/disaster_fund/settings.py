from pydantic_settings import SettingsConfigDict

from dkbuza_kit.settings import ServiceSettings


class DisasterFundSettings(ServiceSettings):
    """Environment variables prefixed `DISASTER_FUND_` (e.g. `DISASTER_FUND_DATABASE_URL`)."""

    model_config = SettingsConfigDict(env_prefix="DISASTER_FUND_", extra="ignore")

    service_name: str = "disaster-fund"
