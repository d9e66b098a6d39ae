import uuid
from datetime import date
from datetime import datetime

from pydantic import Field

from disaster_fund.schema_types import Day
from dkbuza_kit.schemas import InputModel
from dkbuza_kit.schemas import OutputModel
from dkbuza_kit.types import Money
from dkbuza_kit.types import NonNegativeMoney


class DamageReportIn(InputModel):
    disaster_id: uuid.UUID
    municipality_nis: str = Field(min_length=5, max_length=5, pattern=r"^\d{5}$")
    description: str = Field(min_length=1, max_length=5000)
    estimated_amount: NonNegativeMoney | None = None
    reporter_id: str | None = Field(
        default=None, min_length=1, max_length=200,
        description="only for handlers registering a report for someone (the person's id)")
    received_on: Day | None = Field(
        default=None, description="paper intake (handlers only): the day the paper report was "
        "received; the report window is checked against it")


class DamageReportOut(OutputModel):
    id: uuid.UUID
    number: str
    disaster_id: uuid.UUID
    reporter_sub: str
    reporter_org: str | None
    municipality_nis: str
    public_domain: bool
    description: str
    estimated_amount: Money | None
    filed_at: datetime
    filed_by: str
    channel: str = Field(description="online (digitaal), paper (op papier ontvangen)")
    received_on: date | None
