from datetime import date
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import Field

from dkbuza_kit.schemas import InputModel
from dkbuza_kit.schemas import OutputModel
from dkbuza_kit.types import BoundedDate


class IndicatorDirection(StrEnum):
    """increasing = stijgend (hoger is beter), decreasing = dalend (lager is beter)."""

    increasing = "increasing"
    decreasing = "decreasing"


SOURCE_PATTERN = r"^(manual|[a-z][a-z0-9_-]*:[A-Za-z0-9_.-]+)$"


class _IndicatorFacts(InputModel):
    """What the plan may leave open, in a new indicator and in a change alike."""

    description: str | None = Field(None, max_length=10000)
    unit: str | None = Field(None, min_length=1, max_length=50)
    baseline: Decimal | None = Field(None, max_digits=18, decimal_places=3,
                                     description="unset while the plan has not fixed it")
    target: Decimal | None = Field(None, max_digits=18, decimal_places=3)
    target_source: str | None = Field(None, max_length=300,
                                      description="the document that fixes the target")
    direction: IndicatorDirection | None = None
    policy_field_id: int | None = None
    operational_goal_id: int | None = None
    initiative_id: int | None = None


class IndicatorIn(_IndicatorFacts):
    plan_year: int = Field(ge=2000, le=2100)
    code: str = Field(min_length=1, max_length=50)
    title: str = Field(min_length=1, max_length=2000)
    source: str = Field("manual", pattern=SOURCE_PATTERN,
                        description="`manual` or `<service>:<kpi id>`")


class IndicatorPatch(_IndicatorFacts):
    """Set what the plan left open (unit, baseline, target, direction), the links or the source;
    omitted fields are unchanged, `null` clears."""

    title: str | None = Field(None, min_length=1, max_length=2000)
    source: str | None = Field(None, pattern=SOURCE_PATTERN)


class IndicatorOut(OutputModel):
    id: int
    plan_id: int
    code: str
    title: str
    description: str | None
    unit: str | None
    baseline: Decimal | None
    target: Decimal | None
    target_source: str | None = Field(None, description="the document that fixes the target")
    direction: IndicatorDirection | None
    policy_field_id: int | None
    operational_goal_id: int | None
    initiative_id: int | None
    source: str = Field(description="`manual` or `<service>:<kpi id>` (fed by the KPI job)")
    version: int
    latest_value: Decimal | None = None
    latest_measured_on: date | None = None
    progress_pct: Decimal | None = Field(None, description="clamp 0..100 %")
    valid_target: bool = Field(
        True, description="false when baseline/target/direction are unset, equal or conflicting")


class MeasurementIn(InputModel):
    value: Decimal = Field(max_digits=18, decimal_places=3)
    measured_on: BoundedDate = Field(description="not in the future")
    period: str | None = Field(None, max_length=50)
    note: str | None = Field(None, max_length=2000)


class MeasurementOut(OutputModel):
    id: int
    indicator_id: int
    value: Decimal
    measured_on: date
    period: str | None
    source: str
    note: str | None
    recorded_at: datetime
