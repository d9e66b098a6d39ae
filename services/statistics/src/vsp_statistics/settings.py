from datetime import time
from typing import Annotated

from fastapi import Depends
from pydantic_settings import SettingsConfigDict

from dkbuza_kit.app import app_settings
from dkbuza_kit.settings import ServiceSettings


class VspStatisticsSettings(ServiceSettings):
    """Environment variables prefixed `STATISTICS_` (e.g. `STATISTICS_DATABASE_URL`).

    - `STATISTICS_DEFAULT_RELEASE_TIME` (default 09:30): the network's fixed release time
      (Europe/Brussels), used for a release that does not set its own.
    - `STATISTICS_CALENDAR_UID_DOMAIN` (default statistiekvlaanderen.be): the domain part of
      the stable iCalendar UID of each release (`<release id>@<domain>`).
    """

    model_config = SettingsConfigDict(env_prefix="STATISTICS_", extra="ignore")

    service_name: str = "statistics"
    default_release_time: time = time(9, 30)
    calendar_uid_domain: str = "statistiekvlaanderen.be"


# The app's settings as an endpoint dependency.
SettingsDep = Annotated[VspStatisticsSettings, Depends(app_settings)]
