"""Changes during the year (Dutch: bijsturing): dues changed with a reason, initiatives and
results added after adoption, results archived."""

from datetime import date
from datetime import datetime

from pydantic import Field

from dkbuza_kit.schemas import InputModel
from dkbuza_kit.schemas import OutputModel
from planning.plans.schemas import DuePrecision
from planning.plans.schemas import InitiativeKind

DUE_PATTERN = (r"^\d{4}(/\d{4}|-H[12]|-Q[1-4](/\d{4}-Q[1-4])?|-\d{2}(-\d{2}(/\d{4}-\d{2}-\d{2})?)?)?$")
DUE_FIELD = Field(pattern=DUE_PATTERN, max_length=24,
                  description="a due as the plan prints them: 2025, 2025/2026, 2025-H1, 2025-Q2, "
                              "2025-Q1/2025-Q2, 2025-05, 2025-05-09")
REASON = Field(min_length=3, max_length=2000)


class DueChangeIn(InputModel):
    due: str = DUE_FIELD
    milestone_id: int | None = Field(None, description="change one milestone instead of the "
                                                       "result's due")
    reason: str = REASON


class DueChangeOut(OutputModel):
    id: int
    result_id: int
    milestone_id: int | None
    from_due: str | None
    to_due: str | None
    reason: str
    changed_by: str
    changed_at: datetime


class MilestoneOut(OutputModel):
    id: int
    result_id: int
    position: int
    label: str
    due: str
    due_precision: DuePrecision
    due_first: date
    due_last: date
    original_due: str | None


class InitiativeIn(InputModel):
    operational_goal_id: int
    title: str = Field(min_length=3, max_length=1000)
    kind: InitiativeKind
    description: str = Field("", max_length=20000)
    owner_team: str | None = Field(None, max_length=100)
    reason: str = REASON


class ResultIn(InputModel):
    initiative_id: int
    text: str = Field(min_length=3, max_length=5000)
    due: str | None = Field(None, pattern=DUE_PATTERN, max_length=24)
    continuous: bool = Field(False, description="a continuous process: no due")
    reason: str = REASON


class ArchiveIn(InputModel):
    reason: str = REASON
