"""FastAPI dependencies shared by the routers."""

from typing import Annotated

from fastapi import Depends
from fastapi import Request

from dkbuza_kit.clock import ClockDep
from export_control.settings import ExportControlSettings


def get_settings(request: Request) -> ExportControlSettings:
    return request.app.state.settings


Settings = Annotated[ExportControlSettings, Depends(get_settings)]
__all__ = ["ClockDep", "Settings"]  # ClockDep is the kit's, re-exported for the routers
