import uuid
from datetime import datetime
from enum import StrEnum

from pydantic import Field

from dkbuza_kit.schemas import InputModel
from dkbuza_kit.schemas import OutputModel


class PrincipleOut(OutputModel):
    code: str
    title: str
    area: str = Field(description="institutional_environment (institutionele omgeving), "
                                  "statistical_processes (statistische processen), "
                                  "statistical_output (statistische output)")


class IndicatorIn(InputModel):
    code: str = Field(max_length=10, examples=["13.1"])
    principle: str = Field(max_length=5, examples=["13"])
    text: str = Field(max_length=5000)


class CatalogueIn(InputModel):
    label: str = Field(min_length=1, max_length=200)
    source: str | None = Field(default=None, max_length=500)
    indicators: list[IndicatorIn] = Field(max_length=500)


class CatalogueOut(OutputModel):
    id: uuid.UUID
    version: int
    label: str
    source: str | None
    indicator_count: int
    imported_by: str
    imported_at: datetime


class IndicatorOut(OutputModel):
    code: str
    principle: str
    text: str


class CodeOfPracticeOut(OutputModel):
    edition: str = "2017"
    principles: list[PrincipleOut]
    current_catalogue: CatalogueOut | None = Field(
        description="The latest imported indicator catalogue (null before the first import)")


class AssessmentState(StrEnum):
    """State of a quality self-assessment (zelfevaluatie). Values (Dutch label): draft
    (in opmaak), submitted (ingediend)."""

    draft = "draft"
    submitted = "submitted"


class AssessmentIn(InputModel):
    statistic_id: uuid.UUID
    cycle: str = Field(min_length=4, max_length=10, pattern=r"^\d{4}(-\d{4})?$",
                       examples=["2025"])


class AnswerIn(InputModel):
    indicator_code: str = Field(max_length=10)
    score: int | None = Field(default=None, ge=1, le=5)
    not_applicable: bool = False
    justification: str | None = Field(default=None, max_length=5000)
    improvement_action_id: uuid.UUID | None = Field(
        default=None, description="A work-programme action that improves a low score")


class AnswersIn(InputModel):
    answers: list[AnswerIn] = Field(min_length=1, max_length=500)


class AnswerOut(OutputModel):
    indicator_code: str
    score: int | None
    not_applicable: bool
    justification: str | None
    improvement_action_id: uuid.UUID | None


class AssessmentWarning(OutputModel):
    code: str
    indicator_code: str
    detail: str


class AssessmentOut(OutputModel):
    id: uuid.UUID
    statistic_id: uuid.UUID
    cycle: str
    catalogue_version: int
    state: AssessmentState = Field(description="draft (in opmaak) or submitted (ingediend)")
    submitted_at: datetime | None
    indicator_count: int
    answered_count: int
    answers: list[AnswerOut]
    warnings: list[AssessmentWarning] = Field(description="Scores 1-2 without a linked improvement "
                                                "action")
