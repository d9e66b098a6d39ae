"""Reporting periods, status reports and the queries built on them."""

from datetime import date
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel
from pydantic import Field

from dkbuza_kit.schemas import InputModel
from dkbuza_kit.schemas import OutputModel
from dkbuza_kit.types import BoundedDate


class ReportStatus(StrEnum):
    """on_track = op schema, attention_needed = vertraging/aandacht nodig,
    action_needed = actie/bijsturing nodig, done = afgewerkt."""

    on_track = "on_track"
    attention_needed = "attention_needed"
    action_needed = "action_needed"
    done = "done"


Out = OutputModel  # the resources below are built from ORM rows


class PeriodIn(InputModel):
    plan_year: int = Field(ge=2000, le=2100)
    code: str = Field(min_length=1, max_length=20, examples=["2025-T1"])
    starts_on: BoundedDate = Field(description="planned; not before the plan was drafted")
    ends_on: BoundedDate
    report_deadline: BoundedDate = Field(description="not before starts_on")


class PeriodOut(Out):
    id: int
    plan_id: int
    code: str
    starts_on: date
    ends_on: date
    report_deadline: date
    closed: bool
    closed_at: datetime | None


class ReportIn(InputModel):
    initiative_id: int
    period_id: int
    status: ReportStatus
    explanation: str | None = Field(None, max_length=5000)
    corrective_action: str | None = Field(None, max_length=5000)


class ReportUpdate(InputModel):
    status: ReportStatus
    explanation: str | None = Field(None, max_length=5000)
    corrective_action: str | None = Field(None, max_length=5000)


class ReportCorrection(ReportUpdate):
    reason: str = Field(min_length=3, max_length=2000)


class ReportOut(Out):
    id: int
    initiative_id: int
    period_id: int
    status: ReportStatus
    explanation: str | None
    corrective_action: str | None
    reported_by: str
    first_reported_at: datetime
    updated_at: datetime
    corrected: bool
    acknowledged_by: str | None
    acknowledged_at: datetime | None
    acknowledged_version: int | None = Field(
        description="the version a manager acknowledged; below `version`: edited since")
    version: int


class ReportEntryOut(Out):
    id: int
    report_id: int
    kind: str
    status: ReportStatus
    explanation: str | None
    corrective_action: str | None
    reason: str | None
    recorded_by: str
    recorded_at: datetime


class Distribution(BaseModel):
    on_track: int = 0
    attention_needed: int = 0
    action_needed: int = 0
    done: int = 0
    not_reported: int = 0
    total: int = 0


class Completeness(BaseModel):
    period: str
    active_initiatives: int
    reported_by_deadline: int
    reported_late: int
    completeness_pct: Decimal | None


class RollUpRow(BaseModel):
    level: str
    code: str
    title: str
    distribution: Distribution
    worst_unfinished_status: str | None
    done_pct: Decimal | None


class OverdueResult(BaseModel):
    id: int
    initiative_id: int
    initiative_code: str
    text: str
    due: str
    days_overdue: int = Field(description="days since the last day of the due period")
    milestone_id: int | None = Field(None, description="set when a milestone of the open "
                                                       "result is past, not the result itself")
    milestone: str | None = Field(None, description="the milestone as printed (\"Q2 + Q4\")")


class OnTimeRate(BaseModel):
    due_by_now: int = Field(description="results whose due period ended before today "
                                        "(dropped results left out)")
    achieved_with_due: int = Field(description="of those, achieved (on time or late)")
    achieved_on_time: int = Field(description="of those, achieved by the end of the due period")
    open_overdue: int = Field(description="of those, still open")
    on_time_pct: Decimal | None = Field(description="achieved_on_time / due_by_now; null only "
                                                    "when nothing is due yet")


class Deterioration(BaseModel):
    initiative_id: int
    initiative_code: str
    title: str
    from_status: ReportStatus
    to_status: ReportStatus
