"""Applications (vergunningsaanvragen), their goods lines, parties, events, information
requests, advice, decisions and the derived turnaround figures."""

import uuid
from datetime import date
from datetime import datetime
from decimal import Decimal

from sqlalchemy import BigInteger
from sqlalchemy import Boolean
from sqlalchemy import CheckConstraint
from sqlalchemy import Date
from sqlalchemy import DateTime
from sqlalchemy import ForeignKey
from sqlalchemy import Integer
from sqlalchemy import Numeric
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy import func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from dkbuza_kit.columns import created_at
from dkbuza_kit.columns import owned_by
from dkbuza_kit.columns import uuid_pk
from export_control.base import Base


class ReferenceCounter(Base):
    """One row per year; incremented in the submitting transaction, so references are gap-free."""

    __tablename__ = "reference_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_value: Mapped[int] = mapped_column(Integer, nullable=False)


class Application(Base):
    __tablename__ = "applications"

    id: Mapped[uuid.UUID] = uuid_pk()
    reference: Mapped[str | None] = mapped_column(String(20), unique=True)
    application_type: Mapped[str] = mapped_column(String(40), nullable=False)
    applicant_org: Mapped[str] = mapped_column(String(20), nullable=False, index=True)
    applicant_name: Mapped[str] = mapped_column(String(300), nullable=False)
    destination_country: Mapped[str] = mapped_column(String(2), nullable=False)
    end_use: Mapped[str] = mapped_column(Text, nullable=False)
    status: Mapped[str] = mapped_column(String(30), nullable=False, index=True)
    outcome: Mapped[str | None] = mapped_column(String(30))
    # From the latest routing result.
    track: Mapped[str | None] = mapped_column(String(20))
    decision_authority: Mapped[str | None] = mapped_column(String(20))
    indicative_max_working_days: Mapped[int | None] = mapped_column(Integer)
    # not_screened / pending (could not run) / clear / flagged (a sanctions hit to clear)
    screening_status: Mapped[str] = mapped_column(String(20), nullable=False,
                                                  default="not_screened")
    russia_circumvention_flag: Mapped[bool] = mapped_column(Boolean, nullable=False,
                                                            default=False)
    # The officer handling the case (`sub`), assigned by the head.
    case_officer: Mapped[str | None] = mapped_column(String(200), index=True)
    assigned_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(),
                                                 onupdate=func.now(), nullable=False)

    lines: Mapped[list["GoodsLine"]] = relationship(
        order_by="GoodsLine.line_no", lazy="selectin", cascade="all, delete-orphan")
    parties: Mapped[list["Party"]] = relationship(
        order_by="Party.created_at", lazy="selectin", cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version, "eager_defaults": True}


class GoodsLine(Base):
    __tablename__ = "goods_lines"
    __table_args__ = (
        UniqueConstraint("application_id", "line_no"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("value_eur >= 0", name="value_not_negative"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    application_id: Mapped[uuid.UUID] = owned_by("applications.id")
    line_no: Mapped[int] = mapped_column(Integer, nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False)
    control_entry: Mapped[str] = mapped_column(String(30), nullable=False)
    regime: Mapped[str] = mapped_column(String(20), nullable=False)
    category: Mapped[str] = mapped_column(String(10), nullable=False)
    quantity: Mapped[Decimal] = mapped_column(Numeric(18, 3), nullable=False)
    unit: Mapped[str] = mapped_column(String(20), nullable=False)
    value_eur: Mapped[Decimal] = mapped_column(Numeric(14, 2), nullable=False)
    common_high_priority: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)


class Party(Base):
    __tablename__ = "parties"

    id: Mapped[uuid.UUID] = uuid_pk()
    application_id: Mapped[uuid.UUID] = owned_by("applications.id")
    role: Mapped[str] = mapped_column(String(30), nullable=False)
    name: Mapped[str] = mapped_column(String(300), nullable=False)
    address: Mapped[str] = mapped_column(Text, nullable=False)
    country: Mapped[str] = mapped_column(String(2), nullable=False)
    euc_issuer: Mapped[str | None] = mapped_column(String(300))
    euc_date: Mapped[date | None] = mapped_column(Date)
    euc_signatory: Mapped[str | None] = mapped_column(String(300))
    euc_no_re_export_clause: Mapped[bool | None] = mapped_column(Boolean)
    # Evidence of the "no re-export to Russia" clause (Regulation 833/2014, art. 12g).
    no_re_export_to_russia_evidence: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at()


class ApplicationEvent(Base):
    """Append-only clock events (the database refuses UPDATE/DELETE); the turnaround is
    computed from these rows only."""

    __tablename__ = "application_events"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    application_id: Mapped[uuid.UUID] = owned_by("applications.id")
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    key: Mapped[str | None] = mapped_column(String(100))


class InformationRequest(Base):
    __tablename__ = "information_requests"

    id: Mapped[uuid.UUID] = uuid_pk()
    application_id: Mapped[uuid.UUID] = owned_by("applications.id")
    question: Mapped[str] = mapped_column(Text, nullable=False)
    # When true the applicant may edit lines and parties while the request is open.
    allows_edit: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="open")
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    opened_by: Mapped[str] = mapped_column(String(200), nullable=False)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Advice(Base):
    __tablename__ = "advice"

    id: Mapped[uuid.UUID] = uuid_pk()
    application_id: Mapped[uuid.UUID] = owned_by("applications.id")
    subject_type: Mapped[str] = mapped_column(String(10), nullable=False)  # line / party
    subject_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    recommendation: Mapped[str] = mapped_column(String(30), nullable=False)
    conditions: Mapped[str | None] = mapped_column(Text)
    refusal_criteria: Mapped[list[int]] = mapped_column(JSONB, nullable=False, default=list)
    given_by: Mapped[str] = mapped_column(String(200), nullable=False)
    given_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    # Set when the file was edited after this advice: it no longer counts.
    invalidated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Decision(Base):
    """One row per decision; a reopened and re-decided case gets a second row."""

    __tablename__ = "decisions"

    id: Mapped[uuid.UUID] = uuid_pk()
    application_id: Mapped[uuid.UUID] = owned_by("applications.id")
    outcome: Mapped[str] = mapped_column(String(30), nullable=False)
    authority: Mapped[str] = mapped_column(String(20), nullable=False)
    decided_by: Mapped[str] = mapped_column(String(200), nullable=False)
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False,
                                                 index=True)
    refusal_criteria: Mapped[list[int]] = mapped_column(JSONB, nullable=False, default=list)
    conditions: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)
    granted_despite_denial: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)


class TurnaroundFigure(Base):
    """Derived from `application_events` at each decision (and on recomputation, which gives
    the same figure): the table the reports and KPIs aggregate in SQL."""

    __tablename__ = "turnaround_figures"

    application_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), primary_key=True)
    track: Mapped[str] = mapped_column(String(20), nullable=False)
    authority: Mapped[str] = mapped_column(String(20), nullable=False)
    indicative_max_working_days: Mapped[int] = mapped_column(Integer, nullable=False)
    working_days: Mapped[int] = mapped_column(Integer, nullable=False)
    within_max: Mapped[bool] = mapped_column(Boolean, nullable=False)
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False,
                                                 index=True)
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)




class OpenTurnaroundFigure(Base):
    """The running clock of each open application (submitted, not yet decided or withdrawn),
    recomputed from `application_events` by the `open-turnaround` job as of a Brussels day.

    Only open applications have a row: the job removes the rows of decided and withdrawn ones,
    and so do the decision and the withdrawal themselves. Same events and same day -> same row.
    """

    __tablename__ = "open_turnaround_figures"

    application_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), primary_key=True)
    track: Mapped[str] = mapped_column(String(20), nullable=False)
    indicative_max_working_days: Mapped[int] = mapped_column(Integer, nullable=False)
    working_days: Mapped[int] = mapped_column(Integer, nullable=False)
    paused_working_days: Mapped[int] = mapped_column(Integer, nullable=False)
    past_max: Mapped[bool] = mapped_column(Boolean, nullable=False)
    # The Brussels day the running clock was measured up to (not a timestamp, so that a second
    # run on the same day stores exactly the same row).
    as_of: Mapped[date] = mapped_column(Date, nullable=False)
