"""`GET /v1/overview`: what the internal home screen shows, and where each figure comes from.

Pure: `overview_calls(today)` says which upstream paths to read, `build_overview(bodies)` turns
whatever arrived into the response sections. The fan-out, time budget and partial-result
semantics are `gateway.aggregate`'s, shared with `/v1/kpis`.

Sources (the cheapest existing endpoint of each service for the figure; one budget for all):
- `plan` <- planning `/v1/kpis`: the breakdown of `initiatives_on_track_pct` is the status
  distribution of the current period (planning's own notion of "current period"), plus
  `status_reports_complete_pct`.
- `disaster_fund` <- disaster-fund `/v1/kpis`: `backlog_open_applications` (value: open past
  the one-year mark; breakdown: every open dossier by age band), `applications_at_risk`;
  and `/v1/applications/norm-alerts?status=at_risk|overdue&limit=1` whose `total` counts the
  open dossiers near / past their current phase's norm.
- `export_control` <- export-control `/v1/kpis`: `open_backlog` (+ age breakdown),
  `decided_within_indicative_max_pct`, and `open_past_indicative_max` once published.
- `releases` <- statistics `/v1/calendar?from=<today>&to=<today + 60 days>` (public):
  the first releases not yet published.

Export-control does not expose yet how many *open* applications are past their track's
indicative maximum (its per-application `/turnaround` would cost one call per case; the
clock pauses make the list endpoint's dates insufficient). `overdue_against_track` therefore
reads a KPI `open_past_indicative_max` when the service publishes one, and is null until then.

A section is null when none of its calls answered; a figure is null when its own call did not
answer or the service did not report it (e.g. no current planning period).
"""

from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from typing import Any
from typing import Literal

from pydantic import BaseModel
from pydantic import Field
from pydantic import ValidationError

PLANNING, DISASTER_FUND, EXPORT_CONTROL, STATISTICS = (
    "planning", "disaster-fund", "export-control", "statistics")
KPIS_PATH = "/v1/kpis"
NORM_ALERTS_PATH = "/v1/applications/norm-alerts?status={status}&limit=1"
CALENDAR_PATH = "/v1/calendar?from={start}&to={end}"
RELEASES_WINDOW_DAYS = 60
RELEASES_SHOWN = 5
PLAN_STATUSES = ("on_track", "attention_needed", "action_needed", "done", "not_reported")
OVERDUE_AGAINST_TRACK_KPI = "open_past_indicative_max"

Shape = Literal["kpis", "page", "calendar"]


@dataclass(frozen=True)
class Call:
    figure: str  # the key of its body in `build_overview`
    source: str
    path: str
    shape: Shape


def overview_calls(today: date) -> list[Call]:
    """Every call of the overview, in the order their failures are reported."""
    end = today + timedelta(days=RELEASES_WINDOW_DAYS)
    return [
        Call("plan_kpis", PLANNING, KPIS_PATH, "kpis"),
        Call("fund_kpis", DISASTER_FUND, KPIS_PATH, "kpis"),
        Call("fund_norm_at_risk", DISASTER_FUND, NORM_ALERTS_PATH.format(status="at_risk"),
             "page"),
        Call("fund_norm_overdue", DISASTER_FUND, NORM_ALERTS_PATH.format(status="overdue"),
             "page"),
        Call("export_kpis", EXPORT_CONTROL, KPIS_PATH, "kpis"),
        Call("calendar", STATISTICS,
             CALENDAR_PATH.format(start=today.isoformat(), end=end.isoformat()), "calendar"),
    ]


def has_shape(shape: Shape, body: Any) -> bool:
    """A 200 whose body is not what the endpoint documents counts as an error of the source."""
    if shape == "kpis":
        return isinstance(body, list) and all(isinstance(item, dict) for item in body)
    if shape == "page":
        return isinstance(body, dict) and isinstance(body.get("total"), int)
    return (isinstance(body, dict) and isinstance(body.get("items"), list)
            and all(isinstance(item, dict) for item in body["items"]))


# -- response models (the OpenAPI of the route) ------------------------------------------------

class OverviewPlanStatusCounts(BaseModel):
    on_track: int = Field(description="op schema")
    attention_needed: int = Field(description="vertraging / aandacht nodig")
    action_needed: int = Field(description="actie / bijsturing nodig")
    done: int = Field(description="afgewerkt")
    not_reported: int = Field(description="niet gerapporteerd (no report for the period)")
    total: int


class OverviewPlanOut(BaseModel):
    period: str | None = Field(description="code of the current reporting period; null when "
                                           "no period has started")
    status_distribution: OverviewPlanStatusCounts | None = Field(
        description="initiatives per status of their report in the current period")
    on_track_or_done_pct: float | None
    status_reports_complete_pct: float | None = Field(
        description="reports submitted by the deadline / active initiatives")


class OverviewDisasterFundOut(BaseModel):
    open_applications: int | None = Field(description="all open dossiers (every age)")
    open_past_one_year_mark: int | None = Field(
        description="open dossiers of disasters whose one-year mark has passed (backlog)")
    at_risk_one_year_mark: int | None = Field(
        description="open dossiers with fewer than 60 days left to the one-year mark")
    phase_norm_at_risk: int | None = Field(
        description="open dossiers close to their current phase's norm (net days)")
    phase_norm_overdue: int | None = Field(
        description="open dossiers past their current phase's norm (net days)")


class OverviewAgeBand(BaseModel):
    age_days: str
    open: int


class OverviewExportControlOut(BaseModel):
    in_progress: int | None = Field(description="submitted applications not yet decided or "
                                                "withdrawn")
    in_progress_by_age: list[OverviewAgeBand] | None = Field(
        description="the same, by calendar days since submission")
    overdue_against_track: int | None = Field(
        description="open applications past their track's indicative maximum (working days); "
                    "null while export-control does not publish the figure")
    decided_within_indicative_max_pct: float | None = Field(
        description="decisions of the last 365 days taken within their track's maximum")


class OverviewReleaseOut(BaseModel):
    release_id: str
    statistic_code: str
    statistic_title: str
    entity_code: str
    entity_name: str
    target: str = Field(description="as announced: 2026-06 (month) or 2026-06-12 (day)")
    date_precision: str
    exact_date: date | None
    scheduled_at: datetime | None
    release_time: time | None
    state: str
    rescheduled: bool


class OverviewSourceOut(BaseModel):
    status: Literal["ok", "timeout", "error", "circuit_open"] = Field(
        description="ok when every call of the source answered; else the first failure's")
    latency_ms: int = Field(description="the slowest call of the source")
    http_status: int | None = None
    failed_calls: list[str] | None = Field(
        None, description="the paths that gave no usable answer (their figures are null)")


class OverviewOut(BaseModel):
    completed: bool = Field(description="every call of every source answered in time "
                                        "(also header `X-Gateway-Completed`)")
    sources: dict[str, OverviewSourceOut]
    plan: OverviewPlanOut | None
    disaster_fund: OverviewDisasterFundOut | None
    export_control: OverviewExportControlOut | None
    releases: list[OverviewReleaseOut] | None = Field(
        description=f"up to {RELEASES_SHOWN} releases not yet published whose target lies "
                    f"within the next {RELEASES_WINDOW_DAYS} days (or is still open), in "
                    f"calendar order")


# -- shaping ------------------------------------------------------------------------------------

Bodies = dict[str, Any]  # Call.figure -> body, only for the calls that answered usably


def _kpi(kpis: list[dict[str, Any]] | None, kpi_id: str) -> dict[str, Any] | None:
    return next((item for item in kpis or [] if item.get("id") == kpi_id), None)


def _number(figure: dict[str, Any] | None) -> float | None:
    value = None if figure is None else figure.get("value")
    return float(value) if isinstance(value, int | float) else None


def _count(figure: dict[str, Any] | None) -> int | None:
    value = _number(figure)
    return None if value is None else round(value)


def _breakdown(figure: dict[str, Any] | None) -> list[dict[str, Any]]:
    rows = None if figure is None else figure.get("breakdown")
    return [row for row in rows if isinstance(row, dict)] if isinstance(rows, list) else []


def _reporting_period_code(kpi: dict[str, Any] | None) -> str | None:
    """The code of the reporting period a KPI covers (its structured `period`, kit contract);
    None when it covers something else (planning reports "as of today" outside any period)."""
    period = kpi.get("period") if kpi else None
    if isinstance(period, dict) and period.get("kind") == "reporting_period":
        label = period.get("label")
        return label if isinstance(label, str) else None
    return None


def plan_section(kpis: list[dict[str, Any]]) -> dict[str, Any]:
    on_track = _kpi(kpis, "initiatives_on_track_pct")
    counts = {str(row.get("status")): row.get("count") for row in _breakdown(on_track)}
    distribution = None
    if all(isinstance(counts.get(status), int) for status in PLAN_STATUSES):
        distribution = {status: counts[status] for status in PLAN_STATUSES}
        distribution["total"] = sum(distribution.values())
    return {
        "period": _reporting_period_code(on_track) if distribution is not None else None,
        "status_distribution": distribution,
        "on_track_or_done_pct": _number(on_track),
        "status_reports_complete_pct": _number(_kpi(kpis, "status_reports_complete_pct")),
    }


def disaster_fund_section(kpis: list[dict[str, Any]] | None, at_risk: dict[str, Any] | None,
                          overdue: dict[str, Any] | None) -> dict[str, Any]:
    backlog = _kpi(kpis, "backlog_open_applications")
    bands = [row.get("open_applications") for row in _breakdown(backlog)]
    return {
        "open_applications": (sum(bands) if bands and all(isinstance(n, int) for n in bands)
                              else None),
        "open_past_one_year_mark": _count(backlog),
        "at_risk_one_year_mark": _count(_kpi(kpis, "applications_at_risk")),
        "phase_norm_at_risk": at_risk["total"] if at_risk else None,
        "phase_norm_overdue": overdue["total"] if overdue else None,
    }


def export_control_section(kpis: list[dict[str, Any]]) -> dict[str, Any]:
    backlog = _kpi(kpis, "open_backlog")
    bands = [{"age_days": str(row.get("age_days")), "open": row["open"]}
             for row in _breakdown(backlog) if isinstance(row.get("open"), int)]
    return {
        "in_progress": _count(backlog),
        "in_progress_by_age": bands if backlog is not None else None,
        "overdue_against_track": _count(_kpi(kpis, OVERDUE_AGAINST_TRACK_KPI)),
        "decided_within_indicative_max_pct": _number(
            _kpi(kpis, "decided_within_indicative_max_pct")),
    }


def next_releases(calendar: dict[str, Any]) -> list[dict[str, Any]]:
    """The first releases of the calendar that are neither published nor cancelled (the
    calendar keeps cancellations so subscribers see them), in its order (target period,
    release time). An item that does not have the calendar's documented fields is skipped
    rather than passed on half-filled."""
    releases = []
    for item in calendar["items"]:
        if item.get("state") in ("published", "cancelled"):
            continue
        try:
            releases.append(OverviewReleaseOut.model_validate(item).model_dump(mode="json"))
        except ValidationError:
            continue
        if len(releases) == RELEASES_SHOWN:
            break
    return releases


def build_overview(bodies: Bodies) -> dict[str, Any]:
    """The four sections from the bodies that arrived (each validated by `has_shape`)."""
    fund = [bodies.get(figure) for figure in ("fund_kpis", "fund_norm_at_risk",
                                                "fund_norm_overdue")]
    return {
        "plan": plan_section(bodies["plan_kpis"]) if "plan_kpis" in bodies else None,
        "disaster_fund": (disaster_fund_section(*fund)
                          if any(part is not None for part in fund) else None),
        "export_control": (export_control_section(bodies["export_kpis"])
                           if "export_kpis" in bodies else None),
        "releases": next_releases(bodies["calendar"]) if "calendar" in bodies else None,
    }
