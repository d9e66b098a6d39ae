"""FastAPI dependencies shared by the routers."""

from typing import Annotated

from fastapi import Depends, Request

from dkbuza_kit.clock import Clock, get_clock
from export_control.settings import ExportControlSettings


def get_settings(request: Request) -> ExportControlSettings:
    return request.app.state.settings


Settings = Annotated[ExportControlSettings, Depends(get_settings)]
ClockDep = Annotated[Clock, Depends(get_clock)]
