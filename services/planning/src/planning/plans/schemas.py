"""Plan tree resources (Dutch labels: beleidsveld, strategische doelstelling (SD),
operationele doelstelling (OD), initiatief, beoogd resultaat)."""

from datetime import date
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel
from pydantic import Field
from pydantic import field_validator

from dkbuza_kit.schemas import InputModel
from dkbuza_kit.schemas import OutputModel
from dkbuza_kit.types import BoundedDate
from planning.plans.filenames import base_name


class PlanState(StrEnum):
    """draft = ontwerp, adopted = goedgekeurd, closed = afgesloten."""

    draft = "draft"
    adopted = "adopted"
    closed = "closed"


class InitiativeKind(StrEnum):
    """project = project, process = (recurrent) proces."""

    project = "project"
    process = "process"


class ResultState(StrEnum):
    """open = open, achieved = behaald, dropped = geschrapt."""

    open = "open"
    achieved = "achieved"
    dropped = "dropped"


class ResultTiming(StrEnum):
    """dated = met termijn, continuous = continu proces (geen termijn), undated = zonder termijn."""

    dated = "dated"
    continuous = "continuous"
    undated = "undated"


class DuePrecision(StrEnum):
    """How precisely the plan prints a due: day (dag), day_range (dagen), month (maand),
    quarter (kwartaal), quarter_range (kwartalen), half_year (jaarhelft), year (jaar),
    year_range (jaren)."""

    day = "day"
    day_range = "day_range"
    month = "month"
    quarter = "quarter"
    quarter_range = "quarter_range"
    half_year = "half_year"
    year = "year"
    year_range = "year_range"


Out = OutputModel  # the resources below are built from ORM rows


class PlanOut(Out):
    id: int
    year: int
    title: str
    state: PlanState
    source_filename: str | None = Field(description="base name of the imported file")
    imported_at: datetime

    @field_validator("source_filename")
    @classmethod
    def _base_name_only(cls, value: str | None) -> str | None:
        return base_name(value)  # also for plans imported before names were cut


class PlanPatch(InputModel):
    state: PlanState


class PolicyFieldOut(Out):
    id: int
    plan_id: int
    number: int
    title: str


class StrategicGoalOut(Out):
    id: int
    plan_id: int
    policy_field_id: int
    code: str
    title: str


class OperationalGoalOut(Out):
    id: int
    plan_id: int
    strategic_goal_id: int
    code: str
    title: str
    description: str


class InitiativeOut(Out):
    id: int
    plan_id: int
    operational_goal_id: int
    code: str
    title: str
    kind: InitiativeKind
    description: str
    owner_team: str | None
    partners: list[str]
    tags: list[str]
    archived: bool
    added_after_adoption: bool
    version: int


class InitiativeListItem(InitiativeOut):
    operational_goal_code: str
    status_in_period: str | None = Field(
        None, description="status in the `period` filter; `not_reported` without a report")
    days_since_last_report: int | None = Field(None, description="staleness (dagen)")


class InitiativePatch(InputModel):
    owner_team: str | None = Field(None, max_length=100)
    partners: list[str] | None = None
    tags: list[str] | None = None
    kind: InitiativeKind | None = None
    archived: bool | None = None


class ExpectedResultOut(Out):
    id: int
    initiative_id: int
    position: int
    text: str
    timing: ResultTiming
    due: str | None = Field(None, description="as printed: 2025, 2025/2029, 2025-H1, 2025-Q2, "
                                              "2025-Q1/2025-Q2, 2025-05, 2025-05-09")
    due_precision: DuePrecision | None
    due_first: date | None
    due_last: date | None
    original_due: str | None = Field(description="the due as the plan printed it (kept when a "
                                                  "manager changes the due)")
    added_after_adoption: bool
    archived: bool
    state: ResultState
    achieved_on: date | None
    dropped_reason: str | None
    version: int


class ExpectedResultPatch(InputModel):
    state: ResultState
    achieved_on: BoundedDate | None = Field(None, description="not in the future, not before "
                                                              "the plan was drafted")
    dropped_reason: str | None = Field(None, max_length=2000)


class ImportWarning(BaseModel):
    line: int
    message: str


class DueMomentOut(BaseModel):
    printed: str = Field(description="the fragment of the plan it was read from, or `heading`")
    due: str
    precision: DuePrecision


class ResultDueReading(BaseModel):
    line: int
    text: str = Field(description="the result's text (first 120 characters)")
    timing: ResultTiming
    due: str | None
    precision: DuePrecision | None
    moments: list[DueMomentOut]
    context: list[str] = Field(description="dates before the plan year: context, not dues")


class NotUnderstoodDate(BaseModel):
    line: int
    fragment: str
    text: str


class DueReport(BaseModel):
    counts: dict[str, int] = Field(description="results, dated, continuous, undated, "
                                               "with_milestones, not_understood")
    results: list[ResultDueReading]
    not_understood: list[NotUnderstoodDate]


class ImportReport(BaseModel):
    plan_id: int
    year: int
    replaced: bool
    counts: dict[str, int]
    review: dict[str, Any] | None
    dues: DueReport
    warnings: list[ImportWarning]


class ResultCounts(BaseModel):
    open: int = 0
    achieved: int = 0
    dropped: int = 0


class InitiativeNode(BaseModel):
    id: int
    code: str
    title: str
    kind: InitiativeKind
    owner_team: str | None
    archived: bool
    status: str | None = Field(
        description="status in the tree's period (`not_reported` without a report); null when "
                    "the plan has no period yet")
    results: ResultCounts


class OperationalGoalNode(BaseModel):
    id: int
    code: str
    title: str
    initiatives: list[InitiativeNode]


class StrategicGoalNode(BaseModel):
    id: int
    code: str
    title: str
    operational_goals: list[OperationalGoalNode]


class PolicyFieldNode(BaseModel):
    id: int
    number: int
    title: str
    strategic_goals: list[StrategicGoalNode]


class PlanTree(BaseModel):
    plan: PlanOut
    period: str | None = Field(description="the reporting period the statuses are for: the "
                                           "`period` asked, else the plan's current one")
    policy_fields: list[PolicyFieldNode]
