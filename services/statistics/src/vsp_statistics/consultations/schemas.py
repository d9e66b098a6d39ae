import uuid
from datetime import date

from pydantic import Field

from vsp_statistics.common import InputModel, OutputModel


class AdviceIn(InputModel):
    advised_on: date = Field(description="Date of the RVOS advice")
    topic: str = Field(min_length=1, max_length=300)
    advice: str = Field(min_length=1, max_length=20000)
    statistic_id: uuid.UUID | None = None


class ResponseIn(InputModel):
    response: str = Field(min_length=1, max_length=20000)
    responded_on: date


class AdviceOut(OutputModel):
    id: uuid.UUID
    advised_on: date
    topic: str
    advice: str
    statistic_id: uuid.UUID | None
    response: str | None
    responded_on: date | None
