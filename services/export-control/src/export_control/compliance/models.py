"""Company transaction reports on licence use, report obligations and infringement cases."""

import uuid
from datetime import date
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Boolean
from sqlalchemy import Date
from sqlalchemy import DateTime
from sqlalchemy import ForeignKey
from sqlalchemy import Integer
from sqlalchemy import Numeric
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy import cast
from sqlalchemy import exists
from sqlalchemy import func
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import column_property
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from dkbuza_kit.columns import owned_by
from dkbuza_kit.columns import refers_to
from dkbuza_kit.columns import uuid_pk
from export_control.base import Base


class ReportObligation(Base):
    """Created with each customs debit: the holder must report that use by `due_on`."""

    __tablename__ = "report_obligations"

    ledger_entry_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("ledger_entries.id"), primary_key=True)
    licence_id: Mapped[uuid.UUID] = refers_to("licences.id")
    holder_org: Mapped[str] = mapped_column(String(20), nullable=False, index=True)
    due_on: Mapped[date] = mapped_column(Date, nullable=False)
    escalate_on: Mapped[date] = mapped_column(Date, nullable=False)
    # open / reported / overdue / escalated
    status: Mapped[str] = mapped_column(String(20), nullable=False, index=True)
    report_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("transaction_reports.id"))


class TransactionReport(Base):
    __tablename__ = "transaction_reports"

    id: Mapped[uuid.UUID] = uuid_pk()
    licence_id: Mapped[uuid.UUID] = refers_to("licences.id")
    holder_org: Mapped[str] = mapped_column(String(20), nullable=False, index=True)
    submitted_by: Mapped[str] = mapped_column(String(200), nullable=False)
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    has_discrepancy: Mapped[bool] = mapped_column(Boolean, nullable=False)

    lines: Mapped[list["TransactionReportLine"]] = relationship(
        order_by="TransactionReportLine.position", lazy="selectin")


# Computed, not stored: a report is late when it settles a debit whose reporting term had
# already passed on the (Brussels) day it was submitted.
TransactionReport.overdue = column_property(
    exists().where(
        ReportObligation.report_id == TransactionReport.id,
        ReportObligation.due_on
        < cast(func.timezone("Europe/Brussels", TransactionReport.submitted_at), Date),
    )
)


class TransactionReportLine(Base):
    """One effective use, reported once per debit line (MRN, item number, licence line)."""

    __tablename__ = "transaction_report_lines"
    __table_args__ = (UniqueConstraint("licence_line_id", "mrn", "item_number",
                                       name="uq_transaction_report_lines_debit"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    report_id: Mapped[uuid.UUID] = owned_by("transaction_reports.id")
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    licence_line_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("licence_lines.id"),
                                                       nullable=False)
    mrn: Mapped[str] = mapped_column(String(18), nullable=False)
    item_number: Mapped[int] = mapped_column(Integer, nullable=False)
    shipped_on: Mapped[date] = mapped_column(Date, nullable=False)
    quantity: Mapped[Decimal | None] = mapped_column(Numeric(18, 3))
    value: Mapped[Decimal] = mapped_column(Numeric(14, 2), nullable=False)
    # What the ledger holds for the same (MRN, item, line): net of reversals.
    ledger_quantity: Mapped[Decimal | None] = mapped_column(Numeric(18, 3))
    ledger_value: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    discrepancy: Mapped[bool] = mapped_column(Boolean, nullable=False)


class InfringementCase(Base):
    __tablename__ = "infringement_cases"

    id: Mapped[uuid.UUID] = uuid_pk()
    licence_id: Mapped[uuid.UUID | None] = refers_to("licences.id")
    holder_org: Mapped[str] = mapped_column(String(20), nullable=False, index=True)
    obligation_ledger_entry_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("report_obligations.ledger_entry_id"), unique=True)
    legal_basis: Mapped[str] = mapped_column(String(30), nullable=False)
    follow_up: Mapped[str] = mapped_column(String(30), nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False, index=True)
    description: Mapped[str] = mapped_column(Text, nullable=False)
    outcome: Mapped[str | None] = mapped_column(Text)
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
