"""Request and response models of transaction reports and infringement cases."""

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from dkbuza_kit.types import Money, NonNegativeMoney, Quantity
from export_control.customs.schemas import Mrn

Text = Annotated[str, StringConstraints(min_length=1, max_length=5000)]


class ReportLineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    line_no: int = Field(ge=1, le=10_000, description="licence line")
    mrn: Mrn
    item_number: int = Field(ge=1, le=9999)
    shipped_on: date
    quantity: Annotated[Quantity, Field(ge=0)]
    value: NonNegativeMoney


class TransactionReportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    licence_id: uuid.UUID
    lines: list[ReportLineIn] = Field(min_length=1, max_length=500)


class ReportLineOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    mrn: str
    item_number: int
    licence_line_id: uuid.UUID
    shipped_on: date
    quantity: Quantity | None
    value: Money
    ledger_quantity: Quantity | None
    ledger_value: Money | None
    discrepancy: bool


class TransactionReportOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    licence_id: uuid.UUID
    holder_org: str
    submitted_by: str
    submitted_at: datetime
    has_discrepancy: bool
    lines: list[ReportLineOut]


class ObligationOut(BaseModel):
    """status: open (te rapporteren), reported (gerapporteerd), overdue (laattijdig),
    escalated (inbreukdossier geopend), cancelled (declaratie ongeldig)."""

    model_config = ConfigDict(from_attributes=True)
    ledger_entry_id: uuid.UUID
    licence_id: uuid.UUID
    holder_org: str
    due_on: date
    escalate_on: date
    status: str
    report_id: uuid.UUID | None


class InfringementIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    licence_id: uuid.UUID
    description: Text


class InfringementTransitionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    to: Annotated[str, StringConstraints(min_length=1, max_length=20)]
    outcome: Text | None = None


class InfringementOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    licence_id: uuid.UUID | None
    holder_org: str
    obligation_ledger_entry_id: uuid.UUID | None
    legal_basis: str
    follow_up: str
    status: str
    description: str
    outcome: str | None
    opened_at: datetime
    closed_at: datetime | None
