import uuid
from datetime import date
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Boolean
from sqlalchemy import Date
from sqlalchemy import DateTime
from sqlalchemy import ForeignKey
from sqlalchemy import Numeric
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from disaster_fund.applications.models import DossierRow
from disaster_fund.base import Base


class Payment(DossierRow, Base):
    """Exactly one per (decision version, payment type): the unique constraint is the guard."""

    __tablename__ = "payments"
    __table_args__ = (UniqueConstraint("decision_id", "payment_type"),)

    decision_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("decisions.id"), nullable=False)
    payment_type: Mapped[str] = mapped_column(String(20), nullable=False)
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2), nullable=False)
    state: Mapped[str] = mapped_column(String(20), nullable=False)  # ordered | executed
    ordered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    ordered_by: Mapped[str] = mapped_column(String(200), nullable=False)
    executed_on: Mapped[date | None] = mapped_column(Date)
    # Interest only: why it is due (judgment | late_payment).
    interest_basis: Mapped[str | None] = mapped_column(String(20))
    # Who is paid (snapshot of the dossier's payee when ordered).
    payee_name: Mapped[str | None] = mapped_column(String(300))
    payee_iban: Mapped[str | None] = mapped_column(String(34))
    # Four eyes: orders from the rule set's payment_approval_threshold need a second person.
    needs_approval: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default="false")
    approved_by: Mapped[str | None] = mapped_column(String(200))
    approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Recovery(DossierRow, Base):
    """Terugvordering of (part of) a paid amount: open -> settled | written_off."""

    __tablename__ = "recoveries"

    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2), nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    state: Mapped[str] = mapped_column(String(20), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    created_by: Mapped[str] = mapped_column(String(200), nullable=False)
    closed_on: Mapped[date | None] = mapped_column(Date)
