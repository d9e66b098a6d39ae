"""Planning drill-down: policy field -> SD -> OD -> initiative, from planning's plan tree;
an initiative with its status reports per period and its overdue results."""

from typing import Annotated

from fastapi import APIRouter
from fastapi import Query
from fastapi import Request
from fastapi.responses import RedirectResponse
from fastapi.responses import Response

from gateway.dashboard import views
from gateway.dashboard.context import visit
from gateway.dashboard.data import read_all
from gateway.dashboard.render import render

router = APIRouter(prefix="/ui/planning", include_in_schema=False)
NODE_PATTERN = r"^(pf|sd|od)-\d{1,9}$"


@router.get("")
async def plans_page(request: Request) -> Response:
    current = await visit(request)
    if isinstance(current, RedirectResponse):
        return current
    outcomes = await read_all(request, current.token,
                              {"plans": ("planning", "/v1/plans?limit=200", "page")})
    return render(request, "plans.html", current.session, user=current.user,
                  plans=outcomes["plans"])


@router.get("/plannen/{plan_id}")
async def tree_page(request: Request, plan_id: int,
                    node: Annotated[str | None, Query(pattern=NODE_PATTERN)] = None) -> Response:
    current = await visit(request)
    if isinstance(current, RedirectResponse):
        return current
    outcomes = await read_all(request, current.token,
                              {"tree": ("planning", f"/v1/plans/{plan_id}/tree", "object")})
    tree = outcomes["tree"]
    crumbs, level, children = ([], "pf", [])
    if tree.ok:
        crumbs, level, children = views.drill_down(tree.body, node)
    rows = [{"item": child,
             "counts": views.status_counts(views.initiatives_under(child, level))}
            for child in children]
    return render(request, "tree.html", current.session, user=current.user, tree=tree,
                  crumbs=crumbs, level=level, rows=rows, plan_id=plan_id,
                  status_nl=views.PLAN_STATUS_NL,
                  status_code=404 if tree.missing else 200)


@router.get("/initiatieven/{initiative_id}")
async def initiative_page(request: Request, initiative_id: int) -> Response:
    current = await visit(request)
    if isinstance(current, RedirectResponse):
        return current
    outcomes = await read_all(request, current.token, {
        "initiative": ("planning", f"/v1/initiatives/{initiative_id}", "object"),
        "reports": ("planning", f"/v1/status-reports?initiative_id={initiative_id}&limit=200",
                    "page"),
        "overdue": ("planning", "/v1/expected-results/overdue?limit=200", "page"),
        "periods": ("planning", "/v1/reporting-periods?limit=200", "page"),
    })
    periods = ({period["id"]: period["code"] for period in outcomes["periods"].body["items"]}
               if outcomes["periods"].ok else {})
    overdue = [item for item in (outcomes["overdue"].body or {"items": []})["items"]
               if item.get("initiative_id") == initiative_id] if outcomes["overdue"].ok else []
    return render(request, "initiative.html", current.session, user=current.user,
                  initiative=outcomes["initiative"], reports=outcomes["reports"],
                  overdue=overdue, periods=periods, status_nl=views.PLAN_STATUS_NL,
                  status_code=404 if outcomes["initiative"].missing else 200)
