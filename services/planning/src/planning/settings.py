from pydantic_settings import SettingsConfigDict

from dkbuza_kit.settings import ServiceSettings


class PlanningSettings(ServiceSettings):
    """Environment variables prefixed `PLANNING_` (e.g. `PLANNING_DATABASE_URL`)."""

    model_config = SettingsConfigDict(env_prefix="PLANNING_", extra="ignore")

    service_name: str = "planning"
