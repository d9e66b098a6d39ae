import uuid
from datetime import date
from enum import StrEnum

from pydantic import Field

from dkbuza_kit.schemas import InputModel
from dkbuza_kit.schemas import OutputModel
from dkbuza_kit.types import BoundedDate
from vsp_statistics.patching import PatchModel


class ProjectState(StrEnum):
    """State of a collaboration project (samenwerkingsproject). Values (Dutch label): planned
    (gepland), running (lopend), completed (afgerond), stopped (stopgezet)."""

    planned = "planned"
    running = "running"
    completed = "completed"
    stopped = "stopped"


class ProjectIn(InputModel):
    title: str = Field(min_length=1, max_length=300)
    entity_codes: list[str] = Field(max_length=50, description="Two or more network entities")
    start_date: BoundedDate = Field(description="May be planned (in the future)")
    end_date: BoundedDate | None = Field(default=None, description="Not before the start")
    state: ProjectState = ProjectState.planned


class ProjectOut(OutputModel):
    id: uuid.UUID
    title: str
    entity_codes: list[str]
    start_date: date
    end_date: date | None
    state: ProjectState
    version: int = Field(description="Changes with every update (the ETag)")


class ProjectPatch(PatchModel):
    """Follow-up of a project: its state and end date (null: no end date yet)."""

    REQUIRED = frozenset({"state"})

    state: ProjectState | None = None
    end_date: BoundedDate | None = None
