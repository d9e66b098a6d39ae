"""Procedures beside licences (one table, the kind decides the workflow)."""

import uuid
from datetime import date
from datetime import datetime

from sqlalchemy import Date
from sqlalchemy import ForeignKey
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from dkbuza_kit.columns import created_at
from dkbuza_kit.columns import uuid_pk
from export_control.base import Base


class Procedure(Base):
    __tablename__ = "procedures"

    id: Mapped[uuid.UUID] = uuid_pk()
    kind: Mapped[str] = mapped_column(String(30), nullable=False, index=True)
    company_org: Mapped[str] = mapped_column(String(20), nullable=False, index=True)
    subject: Mapped[str] = mapped_column(Text, nullable=False)
    licence_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("licences.id"))
    status: Mapped[str] = mapped_column(String(20), nullable=False, index=True)
    outcome: Mapped[str | None] = mapped_column(String(30))
    requested_on: Mapped[date] = mapped_column(Date, nullable=False)
    # A verification request's reply target, a visit's planned day, an extension's new end.
    due_on: Mapped[date | None] = mapped_column(Date)
    held_on: Mapped[date | None] = mapped_column(Date)
    findings: Mapped[str | None] = mapped_column(Text)
    follow_up: Mapped[str | None] = mapped_column(Text)
    closed_on: Mapped[date | None] = mapped_column(Date, index=True)
    created_by: Mapped[str] = mapped_column(String(200), nullable=False)
    created_at: Mapped[datetime] = created_at()
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
