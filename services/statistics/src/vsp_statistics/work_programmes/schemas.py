import uuid
from datetime import date
from enum import StrEnum

from pydantic import Field
from pydantic import model_validator

from dkbuza_kit.schemas import InputModel
from dkbuza_kit.schemas import OutputModel
from dkbuza_kit.types import BoundedDate
from dkbuza_kit.types import Year
from vsp_statistics.bounds import BoundedPartialDate
from vsp_statistics.network.schemas import YearSpanIn
from vsp_statistics.patching import PatchModel


class VersionState(StrEnum):
    """State of a work programme version (werkprogramma). Values (Dutch label): draft (ontwerp),
    fixed (vastgelegd door het CVOS)."""

    draft = "draft"
    fixed = "fixed"


class ActionState(StrEnum):
    """State of a work programme action (actie). Values (Dutch label): planned (gepland),
    in_progress (lopend), completed (uitgevoerd), cancelled (geannuleerd)."""

    planned = "planned"
    in_progress = "in_progress"
    completed = "completed"
    cancelled = "cancelled"


class WorkProgrammeIn(YearSpanIn):
    code: str = Field(min_length=1, max_length=40, examples=["WP-2025-2026"])
    title: str = Field(min_length=1, max_length=300)
    programme_id: uuid.UUID | None = None
    start_year: Year
    end_year: Year


class WorkProgrammeOut(OutputModel):
    id: uuid.UUID
    code: str
    title: str
    programme_id: uuid.UUID | None
    start_year: int
    end_year: int


class VersionOut(OutputModel):
    number: int
    state: VersionState = Field(description="draft (ontwerp) or fixed (vastgelegd)")
    cvos_decision_reference: str | None
    fixed_on: date | None
    action_ids: list[uuid.UUID] = Field(description="The actions fixed in this version "
                                                    "(empty while draft)")


class FixVersionIn(InputModel):
    # Optional in the schema: a missing decision answers CVOS_DECISION_REQUIRED.
    cvos_decision_reference: str | None = Field(default=None, max_length=200)
    fixed_on: BoundedDate | None = Field(default=None, description="Date of the CVOS decision")


class ActionIn(InputModel):
    title: str = Field(min_length=1, max_length=500)
    objective_id: uuid.UUID | None = None
    owner_entity_code: str = Field(min_length=1, max_length=40)
    due: BoundedPartialDate = Field(description="Due date: year, quarter, month or day")


class ActionProgressIn(InputModel):
    state: ActionState
    completed_on: BoundedDate | None = None

    @model_validator(mode="after")
    def _completion(self) -> "ActionProgressIn":
        if (self.state is ActionState.completed) != (self.completed_on is not None):
            raise ValueError("completed_on is given exactly when the state is completed")
        return self


class ActionOut(OutputModel):
    id: uuid.UUID
    work_programme_id: uuid.UUID
    objective_id: uuid.UUID | None
    title: str
    owner_entity_code: str
    due: str
    state: ActionState
    completed_on: date | None
    added_in_version: int
    version: int = Field(description="Changes with every update (the ETag)")


class ActionPatch(PatchModel):
    """Title, owner, due date (changes of the programme: when the latest version is fixed they
    open a new draft version) and state, completion date (follow-up). The owner may be changed
    by VSA staff only; `completed_on` is set exactly when the (resulting) state is completed."""

    REQUIRED = frozenset({"title", "owner_entity_code", "due", "state"})

    title: str | None = Field(default=None, min_length=1, max_length=500)
    owner_entity_code: str | None = Field(default=None, min_length=1, max_length=40)
    due: BoundedPartialDate | None = Field(default=None,
                                         description="Due date: year, quarter, month or day")
    state: ActionState | None = None
    completed_on: BoundedDate | None = None
