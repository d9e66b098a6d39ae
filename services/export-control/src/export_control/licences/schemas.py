"""Request and response models of licences."""

import uuid
from datetime import date
from datetime import datetime
from typing import Annotated

from pydantic import Field
from pydantic import StringConstraints

from dkbuza_kit.schemas import InputModel
from dkbuza_kit.schemas import OutputModel
from dkbuza_kit.types import BoundedDate
from dkbuza_kit.types import Money
from dkbuza_kit.types import Quantity

Reason = Annotated[str, StringConstraints(min_length=1, max_length=5000)]


class LicenceLineOut(OutputModel):
    id: uuid.UUID
    line_no: int
    description: str
    control_entry: str
    category: str
    unit: str
    control_mode: str
    licensed_quantity: Quantity | None
    licensed_value: Money | None
    remaining_quantity: Quantity | None
    remaining_value: Money | None


class LicenceOut(OutputModel):
    """status: issued (uitgereikt), suspended (geschorst), revoked (ingetrokken), expired
    (vervallen), exhausted (uitgeput), surrendered (afgestaan)."""

    id: uuid.UUID
    number: str
    application_id: uuid.UUID
    decision_id: uuid.UUID
    replaces_licence_id: uuid.UUID | None
    licence_type: str
    regime: str
    holder_org: str
    holder_name: str
    destination_country: str
    valid_from: date
    valid_until: date
    conditions: str | None
    status: str
    version: int
    issued_at: datetime
    lines: list[LicenceLineOut]


class LicenceActionIn(InputModel):
    reason: Reason


class ReissueIn(InputModel):
    reason: Reason
    valid_until: BoundedDate | None = Field(
        None, description="within the legal maximum counted from the first licence's start")
    conditions: Annotated[str, StringConstraints(max_length=5000)] | None = None
