import uuid
from datetime import date
from datetime import datetime
from enum import StrEnum

from pydantic import Field

from disaster_fund.schema_types import Day
from dkbuza_kit.schemas import InputModel
from dkbuza_kit.schemas import OutputModel
from dkbuza_kit.types import Money
from dkbuza_kit.types import NonNegativeMoney
from dkbuza_kit.types import PositiveMoney


class PaymentType(StrEnum):
    """What a payment pays. Values (Dutch label): compensation (tegemoetkoming), interest
    (intresten, na een gerechtelijke beslissing)."""

    compensation = "compensation"
    interest = "interest"


class InterestBasis(StrEnum):
    """Why interest is due. Values (Dutch label): judgment (gerechtelijke beslissing),
    late_payment (laattijdige betaling)."""

    judgment = "judgment"
    late_payment = "late_payment"


class PaymentIn(InputModel):
    application_id: uuid.UUID
    payment_type: PaymentType = PaymentType.compensation
    amount: PositiveMoney | None = Field(default=None, description=(
        "interest only: the interest amount (a compensation pays the decided amount)"))
    interest_basis: InterestBasis | None = Field(default=None, description="interest only")


class BulkPaymentIn(InputModel):
    application_ids: list[uuid.UUID] = Field(min_length=1, max_length=200)
    payment_type: PaymentType = PaymentType.compensation


class ExecutionIn(InputModel):
    executed_on: Day | None = None


class PaymentOut(OutputModel):
    id: uuid.UUID
    application_id: uuid.UUID
    decision_id: uuid.UUID
    payment_type: PaymentType
    amount: Money
    state: str = Field(description="ordered (opgedragen), executed (uitgevoerd), cancelled (geannuleerd)")
    ordered_at: datetime
    ordered_by: str
    executed_on: date | None
    interest_basis: InterestBasis | None = None
    payee_name: str | None = None
    payee_iban: str | None = None
    needs_approval: bool = False
    approved_by: str | None = None
    approved_at: datetime | None = None


class RecoveryState(StrEnum):
    """State of a recovery (terugvordering). Values (Dutch label): open (openstaand), settled
    (terugbetaald), written_off (afgeschreven)."""

    open = "open"
    settled = "settled"
    written_off = "written_off"


class RecoveryIn(InputModel):
    application_id: uuid.UUID
    amount: NonNegativeMoney = Field(gt=0)
    reason: str = Field(min_length=1, max_length=2000)


class RecoveryTransitionIn(InputModel):
    to_state: RecoveryState
    on: Day | None = None


class RecoveryOut(OutputModel):
    id: uuid.UUID
    application_id: uuid.UUID
    amount: Money
    reason: str
    state: RecoveryState
    created_at: datetime
    created_by: str
    closed_on: date | None
