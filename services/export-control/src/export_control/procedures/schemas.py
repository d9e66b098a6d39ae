"""Request and response models of the procedures beside licences."""

import uuid
from datetime import date
from datetime import datetime
from typing import Annotated

from pydantic import Field
from pydantic import StringConstraints

from dkbuza_kit.schemas import InputModel
from dkbuza_kit.schemas import OutputModel
from dkbuza_kit.types import BoundedDate
from export_control.procedures.workflow import Kind

Text = Annotated[str, StringConstraints(min_length=1, max_length=10_000)]


class ProcedureIn(InputModel):
    kind: Kind
    company_org: Annotated[str, StringConstraints(pattern=r"^\d{10}$")] = Field(
        description="the company (KBO number)")
    subject: Text
    licence_id: uuid.UUID | None = Field(None, description="required for a licence extension")
    requested_on: BoundedDate = Field(description="not in the future")
    due_on: BoundedDate | None = Field(
        None, description="reply target (verification request), planned day (visit) or the "
                          "extension's new end date; not before requested_on")


class ProcedureTransitionIn(InputModel):
    to: Annotated[str, StringConstraints(min_length=1, max_length=20)]
    on: BoundedDate = Field(description="the day it happened: not in the future, not before "
                                        "the request")
    outcome: Annotated[str, StringConstraints(max_length=30)] | None = None
    findings: Text | None = None
    follow_up: Text | None = None


class ProcedureOut(OutputModel):
    """kind and status: see the workflow tables; status requested (aangevraagd), under_review
    (in behandeling), held (gehouden), follow_up (opvolging), closed (afgesloten), withdrawn
    (ingetrokken)."""

    id: uuid.UUID
    kind: Kind
    company_org: str
    subject: str
    licence_id: uuid.UUID | None
    status: str
    outcome: str | None
    requested_on: date
    due_on: date | None
    held_on: date | None
    findings: str | None
    follow_up: str | None
    closed_on: date | None
    created_by: str
    created_at: datetime
