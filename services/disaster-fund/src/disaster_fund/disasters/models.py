import uuid
from datetime import date
from datetime import datetime
from typing import Any

from sqlalchemy import ARRAY
from sqlalchemy import Date
from sqlalchemy import DateTime
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from disaster_fund.base import Base
from dkbuza_kit.columns import refers_to
from dkbuza_kit.columns import uuid_pk


class Disaster(Base):
    """A weather event and its recognition procedure (ramp en erkenningsprocedure)."""

    __tablename__ = "disasters"

    id: Mapped[uuid.UUID] = uuid_pk()
    reference: Mapped[str] = mapped_column(String(30), nullable=False, unique=True)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    phenomenon: Mapped[str] = mapped_column(String(30), nullable=False)
    event_start: Mapped[date] = mapped_column(Date, nullable=False)
    event_end: Mapped[date] = mapped_column(Date, nullable=False)
    municipalities: Mapped[list[str]] = mapped_column(ARRAY(String(5)), nullable=False)
    regime: Mapped[str] = mapped_column(String(40), nullable=False)
    state: Mapped[str] = mapped_column(String(40), nullable=False, index=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    # Procedure milestones (the recognition lead time's sub-phases come from these).
    investigation_started_on: Mapped[date | None] = mapped_column(Date)
    assessed_on: Mapped[date | None] = mapped_column(Date)
    criteria: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONB)
    submitted_to_government_on: Mapped[date | None] = mapped_column(Date)
    recognition_decision_date: Mapped[date | None] = mapped_column(Date)
    scope_municipalities: Mapped[list[str] | None] = mapped_column(ARRAY(String(5)))
    scope_period_start: Mapped[date | None] = mapped_column(Date)
    scope_period_end: Mapped[date | None] = mapped_column(Date)
    publication_date: Mapped[date | None] = mapped_column(Date, index=True)
    not_recognised_reason: Mapped[str | None] = mapped_column(Text)
    closed_on: Mapped[date | None] = mapped_column(Date)
    state_changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False,
                                                 server_default=func.now())


class AdviceRequest(Base):
    """Advice asked from KMI, VMM, Flanders Hydraulics or the Royal Observatory."""

    __tablename__ = "advice_requests"

    id: Mapped[uuid.UUID] = uuid_pk()
    disaster_id: Mapped[uuid.UUID] = refers_to("disasters.id")
    institute: Mapped[str] = mapped_column(String(40), nullable=False)
    requested_on: Mapped[date] = mapped_column(Date, nullable=False)
    received_on: Mapped[date | None] = mapped_column(Date)
    summary: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False,
                                                 server_default=func.now())


class NumberSequence(Base):
    """Gap-free counters for human reference numbers (one row per prefix and year)."""

    __tablename__ = "number_sequences"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer, nullable=False)
