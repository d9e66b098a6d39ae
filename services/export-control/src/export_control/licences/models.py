"""Licences issued on a grant and their controlled lines."""

import uuid
from datetime import date
from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint
from sqlalchemy import Date
from sqlalchemy import DateTime
from sqlalchemy import ForeignKey
from sqlalchemy import Integer
from sqlalchemy import Numeric
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from dkbuza_kit.columns import created_at
from dkbuza_kit.columns import owned_by
from dkbuza_kit.columns import refers_to
from dkbuza_kit.columns import uuid_pk
from export_control.base import Base


class Licence(Base):
    __tablename__ = "licences"

    id: Mapped[uuid.UUID] = uuid_pk()
    number: Mapped[str] = mapped_column(String(30), nullable=False, unique=True)
    application_id: Mapped[uuid.UUID] = refers_to("applications.id")
    decision_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("decisions.id"), nullable=False)
    replaces_licence_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("licences.id"))
    licence_type: Mapped[str] = mapped_column(String(40), nullable=False)
    regime: Mapped[str] = mapped_column(String(20), nullable=False)
    holder_org: Mapped[str] = mapped_column(String(20), nullable=False, index=True)
    holder_name: Mapped[str] = mapped_column(String(300), nullable=False)
    destination_country: Mapped[str] = mapped_column(String(2), nullable=False)
    valid_from: Mapped[date] = mapped_column(Date, nullable=False)
    valid_until: Mapped[date] = mapped_column(Date, nullable=False)
    conditions: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), nullable=False, index=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    created_at: Mapped[datetime] = created_at()

    lines: Mapped[list["LicenceLine"]] = relationship(order_by="LicenceLine.line_no",
                                                      lazy="selectin")

    __mapper_args__ = {"version_id_col": version}


class LicenceLine(Base):
    """`remaining_*` is NULL when the line is not controlled on that measure (`open` lines
    have neither); the CHECKs make an overdraft impossible even for a buggy writer."""

    __tablename__ = "licence_lines"
    __table_args__ = (
        UniqueConstraint("licence_id", "line_no"),
        CheckConstraint("remaining_quantity >= 0", name="remaining_quantity_not_negative"),
        CheckConstraint("remaining_value >= 0", name="remaining_value_not_negative"),
        CheckConstraint("control_mode IN ('quantity', 'value', 'both', 'open')",
                        name="control_mode_known"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    licence_id: Mapped[uuid.UUID] = owned_by("licences.id")
    line_no: Mapped[int] = mapped_column(Integer, nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False)
    control_entry: Mapped[str] = mapped_column(String(30), nullable=False)
    category: Mapped[str] = mapped_column(String(10), nullable=False)
    unit: Mapped[str] = mapped_column(String(20), nullable=False)
    control_mode: Mapped[str] = mapped_column(String(10), nullable=False)
    licensed_quantity: Mapped[Decimal | None] = mapped_column(Numeric(18, 3))
    licensed_value: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    remaining_quantity: Mapped[Decimal | None] = mapped_column(Numeric(18, 3))
    remaining_value: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
