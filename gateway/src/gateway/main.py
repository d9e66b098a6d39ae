"""The gateway app: `uvicorn --factory gateway.main:create_app`."""

from pathlib import Path

from fastapi import FastAPI

from dkbuza_kit.app import create_app as build_app
from gateway.proxy import router as proxy_router
from gateway.settings import GatewaySettings
from gateway.upstream import Upstream

ALEMBIC_INI = Path(__file__).resolve().parents[2] / "alembic.ini"


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    settings = settings or GatewaySettings()

    async def open_upstreams(app: FastAPI) -> None:
        app.state.upstreams = {
            name: Upstream(name, url, connect_timeout=settings.upstream_connect_timeout_s,
                           read_timeout=settings.upstream_read_timeout_s,
                           pool_size=settings.upstream_pool_size)
            for name, url in settings.upstreams().items()
        }

    async def close_upstreams(app: FastAPI) -> None:
        for upstream in app.state.upstreams.values():
            await upstream.close()

    return build_app(
        settings,
        title="DKBUZA API gateway",
        description="Routes `/<service>/...` to the services and aggregates across them.",
        public_routers=[proxy_router],
        alembic_ini=ALEMBIC_INI,
        on_startup=[open_upstreams],
        on_shutdown=[close_upstreams],
    )
