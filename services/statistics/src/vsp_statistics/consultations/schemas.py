import uuid
from datetime import date

from pydantic import Field

from dkbuza_kit.schemas import InputModel
from dkbuza_kit.schemas import OutputModel
from dkbuza_kit.types import BoundedDate
from vsp_statistics.patching import PatchModel


class AdviceIn(InputModel):
    advised_on: BoundedDate = Field(description="Date of the RVOS advice (not in the future)")
    topic: str = Field(min_length=1, max_length=300)
    advice: str = Field(min_length=1, max_length=20000)
    statistic_id: uuid.UUID | None = None


class ResponseIn(InputModel):
    response: str = Field(min_length=1, max_length=20000)
    responded_on: BoundedDate = Field(description="Not before the advice, not in the future")


class AdviceOut(OutputModel):
    id: uuid.UUID
    advised_on: date
    topic: str
    advice: str
    statistic_id: uuid.UUID | None
    response: str | None
    responded_on: date | None
    version: int = Field(description="Changes with every update (the ETag)")


class AdvicePatch(PatchModel):
    """Corrections of a registered advice. The response is first recorded with
    `POST .../response`; afterwards its text and date may be corrected here (not removed)."""

    REQUIRED = frozenset({"advised_on", "topic", "advice", "response", "responded_on"})

    advised_on: BoundedDate | None = Field(default=None, description="Date of the RVOS advice")
    topic: str | None = Field(default=None, min_length=1, max_length=300)
    advice: str | None = Field(default=None, min_length=1, max_length=20000)
    statistic_id: uuid.UUID | None = None
    response: str | None = Field(default=None, min_length=1, max_length=20000)
    responded_on: BoundedDate | None = None
