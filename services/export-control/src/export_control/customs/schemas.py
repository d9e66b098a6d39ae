"""Request and response models of the customs (CERTEX) side and the ledger."""

import uuid
from datetime import date
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel
from pydantic import Field
from pydantic import StringConstraints

from dkbuza_kit.schemas import InputModel
from dkbuza_kit.schemas import OutputModel
from dkbuza_kit.types import Money
from dkbuza_kit.types import NonNegativeMoney
from dkbuza_kit.types import Quantity

# Movement Reference Number of a customs declaration: 18 characters (2 digits for the year,
# the country code, then 14 alphanumerics).
Mrn = Annotated[str, StringConstraints(pattern=r"^[0-9]{2}[A-Z]{2}[A-Z0-9]{14}$")]
LicenceNumber = Annotated[str, StringConstraints(min_length=1, max_length=30)]
Reason = Annotated[str, StringConstraints(min_length=1, max_length=5000)]


class LineRef(InputModel):
    licence_number: LicenceNumber
    line_no: int = Field(ge=1, le=10_000)


class DebitIn(LineRef):
    """One item of a customs declaration written off a licence line."""

    mrn: Mrn
    item_number: int = Field(ge=1, le=9999)
    quantity: Annotated[Quantity, Field(gt=0)]
    value: NonNegativeMoney


class ReCreditIn(LineRef):
    """Give back (part of) a debit after the declaration was amended or invalidated.
    Without amounts the whole outstanding debit is re-credited."""

    mrn: Mrn
    item_number: int = Field(ge=1, le=9999)
    quantity: Annotated[Quantity, Field(gt=0)] | None = None
    value: NonNegativeMoney | None = None
    reason: Reason


class WriteOffIn(LineRef):
    """A manual write-off by an officer (e.g. a use not declared through customs)."""

    quantity: Annotated[Quantity, Field(gt=0)]
    value: NonNegativeMoney
    reason: Reason


class LedgerEntryOut(OutputModel):
    """kind: debit (afschrijving door de douane), write_off (manuele afschrijving), reversal
    (terugboeking). Amounts are signed use: reversals are negative."""

    id: uuid.UUID
    licence_id: uuid.UUID
    licence_line_id: uuid.UUID
    kind: str
    mrn: str | None
    item_number: int | None
    quantity: Quantity | None
    value: Money | None
    reverses_entry_id: uuid.UUID | None
    reason: str | None
    actor: str
    created_at: datetime


class AvailabilityOut(BaseModel):
    licence_number: str
    line_no: int
    licence_status: str
    valid: bool
    reason: str | None = Field(description="why the line cannot be used (a stable code)")
    valid_from: date
    valid_until: date
    control_mode: str
    unit: str
    control_entry: str
    remaining_quantity: Quantity | None
    remaining_value: Money | None
