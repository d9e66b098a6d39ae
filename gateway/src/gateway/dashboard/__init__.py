"""The browser dashboard under `/ui` (server-rendered Dutch pages; see README, "Dashboard").

`mount(app, settings)` adds the pages, the sign-in routes and the stylesheet, none of them in
the OpenAPI document, and redirects `/` to `/ui`.
"""

import secrets
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

from gateway.dashboard import auth
from gateway.dashboard import pages
from gateway.dashboard import planning_pages
from gateway.dashboard.session import SessionCodec
from gateway.settings import GatewaySettings

STATIC_DIR = Path(__file__).parent / "static"


def mount(app: FastAPI, settings: GatewaySettings) -> None:
    # Without a configured secret, sessions last as long as the process (one replica only).
    app.state.dashboard_sessions = SessionCodec(
        secret=settings.dashboard_session_secret or secrets.token_urlsafe(32),
        ttl_s=settings.dashboard_session_ttl_s, secure=settings.dashboard_cookie_secure)
    app.include_router(auth.router)
    app.include_router(pages.router)
    app.include_router(planning_pages.router)
    app.mount("/ui/static", StaticFiles(directory=STATIC_DIR), name="dashboard-static")

    @app.get("/", include_in_schema=False)
    async def home() -> RedirectResponse:
        return RedirectResponse("/ui", status_code=307)
