from pydantic_settings import SettingsConfigDict

from dkbuza_kit.settings import ServiceSettings


class ExportControlSettings(ServiceSettings):
    """Environment variables prefixed `EXPORT_CONTROL_` (e.g. `EXPORT_CONTROL_DATABASE_URL`)."""

    model_config = SettingsConfigDict(env_prefix="EXPORT_CONTROL_", extra="ignore")

    service_name: str = "export-control"
