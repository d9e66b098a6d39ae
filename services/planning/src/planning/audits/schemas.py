"""Audit recommendation resources (Dutch: auditaanbeveling, uitstel)."""

from datetime import date
from decimal import Decimal
from enum import StrEnum

from pydantic import Field

from dkbuza_kit.schemas import InputModel
from dkbuza_kit.schemas import OutputModel
from dkbuza_kit.types import BoundedDate


class RecommendationStatus(StrEnum):
    """open = open (nog niet opgevolgd), in_progress = in uitvoering,
    implemented = geïmplementeerd (opgevolgd)."""

    open = "open"
    in_progress = "in_progress"
    implemented = "implemented"


class RecommendationIn(InputModel):
    code: str = Field(min_length=1, max_length=30)
    title: str = Field(min_length=1, max_length=2000)
    auditing_body: str = Field(min_length=1, max_length=200)
    target_date: BoundedDate = Field(description="planned: may lie in the future")


class RecommendationOut(OutputModel):
    id: int
    code: str
    title: str
    auditing_body: str
    original_target_date: date
    current_target_date: date
    status: RecommendationStatus
    implemented_on: date | None


class StatusChange(InputModel):
    status: RecommendationStatus
    implemented_on: BoundedDate | None = None


class PostponementIn(InputModel):
    new_target_date: BoundedDate
    reason: str = Field(min_length=3, max_length=2000)


class PostponementOut(OutputModel):
    id: int
    from_date: date
    to_date: date
    reason: str
    recorded_by: str


class AuditSummary(OutputModel):
    total: int
    implemented: int
    implemented_on_time: int
    open_overdue: int
    on_time_pct: Decimal | None = Field(None, description="implemented by the ORIGINAL date / "
                                                          "implemented")
