"""Jinja2 templates of the dashboard (autoescaped), with the Dutch number filters.

Every rendered page (re)writes the session cookie, so an anonymous visitor's CSRF token is
in place before the first form is posted.
"""

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from gateway.dashboard import charts
from gateway.dashboard.session import CSRF_FIELD
from gateway.dashboard.session import codec

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")
TEMPLATES.env.filters["number"] = charts.format_number
TEMPLATES.env.filters["money"] = charts.format_money
TEMPLATES.env.globals["bar_chart"] = charts.bar_chart
TEMPLATES.env.globals["line_chart"] = charts.line_chart
TEMPLATES.env.globals["Point"] = charts.Point
TEMPLATES.env.globals["CSRF_FIELD"] = CSRF_FIELD


def render(request: Request, template: str, session: dict[str, Any], *,
           status_code: int = 200, **context: Any) -> HTMLResponse:
    settings = request.app.state.settings
    response = TEMPLATES.TemplateResponse(request, template, {
        "csrf": session["csrf"], "session": session,
        "dev_login": settings.dashboard_dev_login,
        "oidc": bool(settings.dashboard_oidc_issuer and settings.dashboard_oidc_client_id),
        **context,
    }, status_code=status_code)
    response.headers["Cache-Control"] = "no-store"
    codec(request).save(response, session)
    return response
