"""Request and response models of transaction reports and infringement cases."""

import uuid
from datetime import date
from datetime import datetime
from typing import Annotated
from typing import Literal

from pydantic import Field
from pydantic import StringConstraints

from dkbuza_kit.schemas import InputModel
from dkbuza_kit.schemas import OutputModel
from dkbuza_kit.types import BoundedDate
from dkbuza_kit.types import Money
from dkbuza_kit.types import NonNegativeMoney
from dkbuza_kit.types import Quantity
from export_control.customs.schemas import Mrn

Text = Annotated[str, StringConstraints(min_length=1, max_length=5000)]
# The states of `workflow.TRANSITIONS` and the bases of `workflow.legal_basis`, for filters.
InfringementStatus = Literal["opened", "investigating", "established", "sanctioned", "dismissed"]
LegalBasis = Literal["dual_use_regulation", "arms_trade_decree"]


class ReportLineIn(InputModel):
    line_no: int = Field(ge=1, le=10_000, description="licence line")
    mrn: Mrn
    item_number: int = Field(ge=1, le=9999)
    shipped_on: BoundedDate
    quantity: Annotated[Quantity, Field(ge=0)]
    value: NonNegativeMoney


class TransactionReportIn(InputModel):
    licence_id: uuid.UUID
    lines: list[ReportLineIn] = Field(min_length=1, max_length=500)


class ReportLineOut(OutputModel):
    mrn: str
    item_number: int
    licence_line_id: uuid.UUID
    shipped_on: date
    quantity: Quantity | None
    value: Money
    ledger_quantity: Quantity | None
    ledger_value: Money | None
    discrepancy: bool


class TransactionReportOut(OutputModel):
    id: uuid.UUID
    licence_id: uuid.UUID
    holder_org: str
    submitted_by: str
    submitted_at: datetime
    has_discrepancy: bool
    overdue: bool = Field(description="submitted after the reporting term of a debit it "
                                      "covers (laattijdig ingediend)")
    lines: list[ReportLineOut]


class ObligationOut(OutputModel):
    """status: open (te rapporteren), reported (gerapporteerd), overdue (laattijdig),
    escalated (inbreukdossier geopend), cancelled (declaratie ongeldig)."""

    ledger_entry_id: uuid.UUID
    licence_id: uuid.UUID
    holder_org: str
    due_on: date
    escalate_on: date
    status: str
    report_id: uuid.UUID | None


class InfringementIn(InputModel):
    licence_id: uuid.UUID
    description: Text


class InfringementTransitionIn(InputModel):
    to: Annotated[str, StringConstraints(min_length=1, max_length=20)]
    outcome: Text | None = None


class InfringementOut(OutputModel):
    """status: opened (geopend), investigating (in onderzoek), established (vastgesteld),
    sanctioned (gesanctioneerd), dismissed (geseponeerd); legal_basis: dual_use_regulation
    (dual-use verordening, follow_up handed_to_customs) or arms_trade_decree (wapenhandel-
    decreet, follow_up administrative_sanction)."""

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


class StateChangeOut(OutputModel):
    """One step of a case's history, from the audit trail (oldest first)."""

    occurred_at: datetime
    action: str
    from_state: str | None
    to_state: str | None
    reason: str | None
    actor: str | None = Field(description="who made the change; not shown to the company")


class InfringementDetailOut(InfringementOut):
    history: list[StateChangeOut]
