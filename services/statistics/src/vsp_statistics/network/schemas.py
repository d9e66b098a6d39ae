import uuid
from datetime import date
from datetime import datetime

from pydantic import Field
from pydantic import model_validator

from dkbuza_kit.schemas import InputModel
from dkbuza_kit.schemas import OutputModel
from dkbuza_kit.types import BoundedDate
from dkbuza_kit.types import Year
from vsp_statistics.patching import PatchModel


class EntityIn(InputModel):
    code: str = Field(min_length=2, max_length=40, pattern=r"^[A-Za-z0-9_.-]+$",
                      description="Code of the network entity (entiteit), also the `org` claim")
    name: str = Field(min_length=1, max_length=300)
    contact_name: str | None = Field(default=None, max_length=200)
    contact_email: str | None = Field(default=None, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")


class EntityOut(OutputModel):
    code: str
    name: str
    contact_name: str | None
    contact_email: str | None
    version: int = Field(description="Changes with every update (the ETag)")
    created_at: datetime


class EntityPatch(PatchModel):
    """Name and contact; the code (also the `org` claim) never changes."""

    REQUIRED = frozenset({"name"})

    name: str | None = Field(default=None, min_length=1, max_length=300)
    contact_name: str | None = Field(default=None, max_length=200)
    contact_email: str | None = Field(default=None, max_length=320,
                                      pattern=r"^[^@\s]+@[^@\s]+$")


class YearSpanIn(InputModel):
    """A body covering the years `start_year`..`end_year` (a programme, a work programme); the
    subclass declares both fields, where they belong in its field order."""

    @model_validator(mode="after")
    def _period(self) -> "YearSpanIn":
        if self.end_year < self.start_year:
            raise ValueError("end_year must not be before start_year")
        return self


class ProgrammeIn(YearSpanIn):
    code: str = Field(min_length=1, max_length=40, examples=["VSP-2025-2029"])
    title: str = Field(min_length=1, max_length=300)
    start_year: Year
    end_year: Year
    adopted_on: BoundedDate | None = Field(default=None,
                                    description="Date of adoption by the Flemish Government")
    adoption_reference: str | None = Field(default=None, max_length=200)


class ProgrammeOut(OutputModel):
    id: uuid.UUID
    code: str
    title: str
    start_year: int
    end_year: int
    adopted_on: date | None
    adoption_reference: str | None


class ObjectiveIn(InputModel):
    programme_id: uuid.UUID
    code: str = Field(min_length=1, max_length=20, examples=["D1"])
    title: str = Field(min_length=1, max_length=300)
    description: str | None = Field(default=None, max_length=5000)


class ObjectiveOut(OutputModel):
    id: uuid.UUID
    programme_id: uuid.UUID
    code: str
    title: str
    description: str | None
