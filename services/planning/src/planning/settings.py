from pydantic import Field
from pydantic import SecretStr
from pydantic_settings import SettingsConfigDict

from dkbuza_kit.settings import ServiceSettings


class PlanningSettings(ServiceSettings):
    """Environment variables prefixed `PLANNING_` (e.g. `PLANNING_DATABASE_URL`)."""

    model_config = SettingsConfigDict(env_prefix="PLANNING_", extra="ignore")

    service_name: str = "planning"
    # The indicator job reads every service's KPIs through the gateway aggregate.
    gateway_url: str = "http://127.0.0.1:8000"
    # A `kpi.reader` client token for the gateway; unset = a development token is minted.
    kpi_token: SecretStr | None = None
    kpi_request_timeout_s: float = 10.0
    # Pauses between attempts when the gateway is unreachable or answers 502-504 (e.g. the
    # worker's first run while the stack is still starting).
    kpi_retry_delays_s: list[float] = [2.0, 5.0, 10.0]
    # Working value (no document fixes it): teams that have not reported get a reminder this
    # many days before a period's reporting deadline (event `period.reminder`).
    reminder_days_before_deadline: int = Field(5, ge=1, le=60)
