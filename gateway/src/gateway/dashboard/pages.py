"""The dashboard's pages under `/ui` (server-rendered, Dutch). Each reads the services' own
`/v1` endpoints with the user's token (`gateway.dashboard.data`)."""

import uuid
from datetime import timedelta
from urllib.parse import quote

from fastapi import APIRouter
from fastapi import Request
from fastapi.responses import RedirectResponse
from fastapi.responses import Response

from dkbuza_kit.clock import today_brussels
from gateway import overview
from gateway.dashboard import views
from gateway.dashboard.context import Visit
from gateway.dashboard.context import visit
from gateway.dashboard.data import read_all
from gateway.dashboard.render import render

router = APIRouter(prefix="/ui", include_in_schema=False)
HISTORY_DAYS = 90
LIST_LIMIT = 200  # the APIs' page size maximum
FUND_TREND_KPIS = ("applications_completed_within_1y_pct", "backlog_open_applications")
OVERVIEW_SHAPES = {"kpis": "list", "page": "object", "calendar": "object"}
WITHIN_YEAR_KPI = "applications_completed_within_1y_pct"


def _page(request: Request, current: Visit, template: str, **context) -> Response:
    return render(request, template, current.session, user=current.user, **context)


@router.get("")
async def overview_page(request: Request) -> Response:
    current = await visit(request)
    if isinstance(current, RedirectResponse):
        return current
    calls = overview.overview_calls(today_brussels(request.app.state.clock))
    outcomes = await read_all(request, current.token,
                              {call.figure: (call.source, call.path, OVERVIEW_SHAPES[call.shape])
                               for call in calls})
    view = views.overview_view(outcomes, calls)
    plan = view["plan"] or {}
    return _page(request, current, "overview.html", view=view,
                 plan_points=views.plan_points(plan.get("status_distribution")),
                 export_points=views.age_points(view["export_control"]),
                 status_nl=views.PLAN_STATUS_NL)


@router.get("/rampen")
async def disasters_page(request: Request) -> Response:
    current = await visit(request)
    if isinstance(current, RedirectResponse):
        return current
    outcomes = await read_all(request, current.token, {
        "disasters": ("disaster-fund", f"/v1/disasters?limit={LIST_LIMIT}", "page")})
    return _page(request, current, "disasters.html", disasters=outcomes["disasters"])


@router.get("/rampen/{disaster_id}")
async def disaster_page(request: Request, disaster_id: uuid.UUID) -> Response:
    current = await visit(request)
    if isinstance(current, RedirectResponse):
        return current
    start = today_brussels(request.app.state.clock) - timedelta(days=HISTORY_DAYS)
    outcomes = await read_all(request, current.token, {
        "dashboard": ("disaster-fund", f"/v1/disasters/{disaster_id}/dashboard", "object"),
        "kpis": ("disaster-fund", "/v1/kpis", "list"),
        "history": ("disaster-fund", f"/v1/kpis/history?from={start.isoformat()}", "list"),
    })
    history = outcomes["history"].body if outcomes["history"].ok else []
    trends = {kpi_id: views.trend(history, kpi_id) for kpi_id in FUND_TREND_KPIS}
    kpis = outcomes["kpis"].body if outcomes["kpis"].ok else []
    return _page(request, current, "disaster.html", outcome=outcomes["dashboard"],
                 trends=trends, kpis=kpis,
                 within_year_target=views.kpi_target(kpis, WITHIN_YEAR_KPI),
                 status_code=404 if outcomes["dashboard"].missing else 200)


@router.get("/kpis")
async def kpis_page(request: Request) -> Response:
    current = await visit(request)
    if isinstance(current, RedirectResponse):
        return current
    start = today_brussels(request.app.state.clock) - timedelta(days=HISTORY_DAYS)
    calls = {}
    for service in views.SERVICE_NL:
        calls[f"{service}:kpis"] = (service, "/v1/kpis", "list")
        calls[f"{service}:history"] = (service, f"/v1/kpis/history?from={start.isoformat()}",
                                       "list")
    outcomes = await read_all(request, current.token, calls)
    services = []
    for service, title in views.SERVICE_NL.items():
        kpis, history = outcomes[f"{service}:kpis"], outcomes[f"{service}:history"]
        services.append({"name": service, "title": title, "outcome": kpis,
                         "rows": views.kpi_rows(kpis.body, history.body if history.ok else [])})
    return _page(request, current, "kpis.html", services=services)


@router.get("/werklijsten")
async def worklists_page(request: Request) -> Response:
    current = await visit(request)
    if isinstance(current, RedirectResponse):
        return current
    fund_path = f"/v1/applications?limit={LIST_LIMIT}"
    if current.user.has_any("vrf.expert") and not current.user.has_any(
            "vrf.handler", "vrf.manager"):
        fund_path += f"&expert_sub={quote(current.user.sub)}"  # the API filters for experts
    outcomes = await read_all(request, current.token, {
        "fund": ("disaster-fund", fund_path, "page"),
        "export": ("export-control", f"/v1/applications?limit={LIST_LIMIT}", "page"),
    })
    fund, export = outcomes["fund"], outcomes["export"]
    return _page(
        request, current, "worklists.html", fund=fund, export=export,
        dossiers=views.my_fund_dossiers(fund.body["items"], current.user.sub) if fund.ok else [],
        cases=views.open_export_cases(export.body["items"]) if export.ok else [])
