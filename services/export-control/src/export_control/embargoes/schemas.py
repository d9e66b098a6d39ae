"""Request and response models of embargo lists and exceptions."""

import uuid
from datetime import date
from datetime import datetime
from typing import Annotated
from typing import Any

from pydantic import StringConstraints

from dkbuza_kit.schemas import InputModel
from dkbuza_kit.schemas import OutputModel


class EmbargoListOut(OutputModel):
    version: str
    as_of: date
    active: bool
    created_by: str
    created_at: datetime
    content: dict[str, Any]


class EmbargoExceptionIn(InputModel):
    measure_id: Annotated[str, StringConstraints(min_length=1, max_length=40)]
    article: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    justification: Annotated[str, StringConstraints(min_length=3, max_length=5000)]


class EmbargoExceptionOut(OutputModel):
    id: uuid.UUID
    application_id: uuid.UUID
    list_version: str
    measure_id: str
    legal_basis: str
    article: str
    justification: str
    head_signed_by: str
    head_signed_at: datetime
    minister_signed_by: str | None
    minister_signed_at: datetime | None


class MeasureOut(OutputModel):
    """A measure of the active list that applies to an application."""

    id: str
    country: str
    goods_scope: str
    mandatory: bool
    partial: bool
    legal_basis: str
    note: str
    exceptions: list[dict[str, str]]
