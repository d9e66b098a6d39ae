"""FastAPI dependencies shared by the routers."""

from typing import Annotated

from fastapi import Depends

from dkbuza_kit.app import app_settings
from dkbuza_kit.clock import ClockDep
from export_control.settings import ExportControlSettings

Settings = Annotated[ExportControlSettings, Depends(app_settings)]
__all__ = ["ClockDep", "Settings"]  # ClockDep is the kit's, re-exported for the routers
