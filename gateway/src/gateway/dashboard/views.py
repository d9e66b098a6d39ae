"""Pure shaping of the API answers into what the templates show (table-driven tests)."""

from collections import defaultdict
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from gateway import overview
from gateway.dashboard.charts import Point
from gateway.dashboard.data import Outcome

PLAN_STATUS_NL = {
    "on_track": "Op schema", "attention_needed": "Aandacht nodig",
    "action_needed": "Bijsturing nodig", "done": "Afgewerkt", "not_reported": "Niet gerapporteerd",
}
KPI_STATUS_NL = {"met": "gehaald", "at_risk": "in gevaar", "missed": "niet gehaald",
                 "no_target": "geen streefwaarde", "no_data": "geen gegevens"}
SERVICE_NL = {"planning": "Planning (ondernemingsplan)", "disaster-fund": "Rampenfonds",
              "export-control": "Exportcontrole", "statistics": "Statistiek (VSP)"}


def service_state(outcomes: list[Outcome]) -> str:
    """`ok` when a call answered, `denied` when every call was refused, else `missing`."""
    if any(o.ok for o in outcomes):
        return "ok"
    if outcomes and all(o.denied for o in outcomes):
        return "denied"
    return "missing"


def overview_view(outcomes: dict[str, Outcome], calls: list[overview.Call]) -> dict[str, Any]:
    """The gateway's own `/v1/overview` sections from the user's calls, plus per service
    whether the user was refused."""
    bodies = {call.figure: outcomes[call.figure].body for call in calls
              if outcomes[call.figure].ok and overview.has_shape(call.shape,
                                                                 outcomes[call.figure].body)}
    states = {}
    for service in SERVICE_NL:
        states[service] = service_state([outcomes[c.figure] for c in calls
                                         if c.source == service])
    return {**overview.build_overview(bodies), "states": states}


def plan_points(distribution: dict[str, int] | None) -> list[Point]:
    if not distribution:
        return []
    return [Point(PLAN_STATUS_NL[status], distribution[status])
            for status in overview.PLAN_STATUSES]


def age_points(export_section: dict[str, Any] | None) -> list[Point]:
    bands = (export_section or {}).get("in_progress_by_age") or []
    return [Point(band["age_days"], band["open"]) for band in bands]


def dashboard_points(dashboard: dict[str, Any]) -> list[Point]:
    return [Point("In behandeling", dashboard["in_progress"]),
            Point("Afgehandeld", dashboard["completed"]),
            Point("Ingetrokken", dashboard["withdrawn"])]


def kpi_target(kpis: Any, kpi_id: str) -> float | None:
    for item in kpis if isinstance(kpis, list) else []:
        if isinstance(item, dict) and item.get("id") == kpi_id:
            return item.get("target")
    return None


@dataclass
class KpiRow:
    kpi: dict[str, Any]
    history: list[Point] = field(default_factory=list)

    @property
    def status_nl(self) -> str:
        return KPI_STATUS_NL.get(str(self.kpi.get("status")), str(self.kpi.get("status")))


def kpi_rows(kpis: Any, history: Any) -> list[KpiRow]:
    """Each KPI with its daily snapshots (oldest first) as trend points."""
    by_id: dict[str, list[Point]] = defaultdict(list)
    for snap in history if isinstance(history, list) else []:
        if isinstance(snap, dict) and isinstance(snap.get("kpi_id"), str):
            by_id[snap["kpi_id"]].append(Point(str(snap.get("taken_on")), snap.get("value")))
    return [KpiRow(item, by_id.get(item.get("id"), [])) for item in kpis
            if isinstance(item, dict)] if isinstance(kpis, list) else []


def trend(history: Any, kpi_id: str) -> list[Point]:
    return [Point(str(s.get("taken_on")), s.get("value")) for s in history or []
            if isinstance(s, dict) and s.get("kpi_id") == kpi_id]


@dataclass(frozen=True)
class Crumb:
    label: str
    node: str | None


def drill_down(tree: dict[str, Any], node: str | None) -> tuple[list[Crumb], str, list[dict]]:
    """The level of the plan tree that `node` (`pf-<id>`, `sd-<id>`, `od-<id>`) opens:
    (breadcrumb, level of the children, children). Unknown node -> the top level."""
    crumbs = [Crumb("Beleidsvelden", None)]
    kind, _, raw = (node or "").partition("-")
    for field_ in tree.get("policy_fields", []):
        if kind == "pf" and str(field_["id"]) == raw:
            return crumbs + [Crumb(field_["title"], node)], "sd", field_["strategic_goals"]
        for goal in field_["strategic_goals"]:
            here = crumbs + [Crumb(field_["title"], f"pf-{field_['id']}")]
            if kind == "sd" and str(goal["id"]) == raw:
                return here + [Crumb(goal["title"], node)], "od", goal["operational_goals"]
            for op in goal["operational_goals"]:
                if kind == "od" and str(op["id"]) == raw:
                    path = here + [Crumb(goal["title"], f"sd-{goal['id']}"),
                                   Crumb(op["title"], node)]
                    return path, "initiative", op["initiatives"]
    return crumbs, "pf", tree.get("policy_fields", [])


def initiatives_under(item: dict[str, Any], level: str) -> list[dict[str, Any]]:
    """Every initiative below a node of the given level (for its status counts)."""
    if level == "initiative":
        return [item]
    if level == "od":
        return item.get("initiatives", [])
    if level == "sd":
        return [i for op in item.get("operational_goals", []) for i in op["initiatives"]]
    return [i for goal in item.get("strategic_goals", [])
            for op in goal["operational_goals"] for i in op["initiatives"]]


def status_counts(initiatives: list[dict[str, Any]]) -> dict[str, int]:
    counts = dict.fromkeys(PLAN_STATUS_NL, 0)
    for initiative in initiatives:
        status = initiative.get("status") or "not_reported"
        counts[status] = counts.get(status, 0) + 1
    return counts


def my_fund_dossiers(items: list[dict[str, Any]], sub: str) -> list[dict[str, Any]]:
    """Dossiers the user handles, assesses or applied for, open ones only (not completed,
    not withdrawn)."""
    return [item for item in items
            if sub in (item.get("handler_sub"), item.get("expert_sub"), item.get("applicant_sub"))
            and item.get("completed_on") is None and item.get("state") != "withdrawn"]


def open_export_cases(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Submitted applications without a decision yet (withdrawn ones excluded)."""
    return [item for item in items if item.get("submitted_at") and not item.get("decided_at")
            and item.get("status") != "withdrawn"]
