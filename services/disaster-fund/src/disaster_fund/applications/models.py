"""The dossier and everything hanging off it (items, events, pauses, expert reports,
decision versions, appeals). Per-dossier completion facts are columns maintained on every
state change, so the KPIs aggregate columns instead of replaying the event table."""

import uuid
from datetime import date
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger
from sqlalchemy import Boolean
from sqlalchemy import Date
from sqlalchemy import DateTime
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import Numeric
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy import func
from sqlalchemy import text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from disaster_fund.base import Base
from dkbuza_kit.columns import refers_to
from dkbuza_kit.columns import uuid_pk

MONEY = Numeric(14, 2)
QUANTITY = Numeric(18, 3)
OPEN_APPLICATION = text("completed_on IS NULL AND state NOT IN ('withdrawn', 'inadmissible')")


class DossierRow:
    """A record of one dossier with its own UUID key (pauses, expert reports, appeals, payments,
    recoveries). `sort_order` keeps the two key columns first, where the migrations put them."""

    id: Mapped[uuid.UUID] = uuid_pk(sort_order=-1)
    application_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("applications.id"), nullable=False,
                                                      index=True, sort_order=-1)


class Application(Base):
    __tablename__ = "applications"
    __table_args__ = (
        Index("ix_applications_disaster_id_state", "disaster_id", "state"),
        # KPI/backlog scans touch only open dossiers; completed history stays out of the index.
        Index("ix_applications_open_one_year_mark", "one_year_mark", "received_on",
              postgresql_where=OPEN_APPLICATION),
        Index("ix_applications_first_paid_on", "first_paid_on",
              postgresql_where=text("first_paid_on IS NOT NULL")),
        Index("ix_applications_open_phase", "phase", "phase_entered_at",
              postgresql_where=OPEN_APPLICATION),
        # The last completion per disaster (a KPI) is one index probe, not a scan of history.
        Index("ix_applications_disaster_completed_on", "disaster_id", "completed_on",
              postgresql_where=text("completed_on IS NOT NULL")),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    disaster_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("disasters.id"), nullable=False)
    applicant_sub: Mapped[str] = mapped_column(String(200), nullable=False, index=True)
    applicant_org: Mapped[str | None] = mapped_column(String(100), index=True)
    applicant_name: Mapped[str | None] = mapped_column(String(300))
    # Correctable facts (PATCH with If-Match): contact and payee (who is paid, on which IBAN).
    contact_email: Mapped[str | None] = mapped_column(String(200))
    contact_phone: Mapped[str | None] = mapped_column(String(50))
    payee_kind: Mapped[str | None] = mapped_column(String(20))  # applicant|representative|insurer
    payee_name: Mapped[str | None] = mapped_column(String(300))
    payee_iban: Mapped[str | None] = mapped_column(String(34))
    channel: Mapped[str] = mapped_column(String(10), nullable=False)  # online | paper
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    received_on: Mapped[date] = mapped_column(Date, nullable=False)
    municipality_nis: Mapped[str] = mapped_column(String(5), nullable=False, index=True)
    damage_date: Mapped[date] = mapped_column(Date, nullable=False)
    category: Mapped[str] = mapped_column(String(30), nullable=False)
    description: Mapped[str | None] = mapped_column(Text)
    insured: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    insurer_name: Mapped[str | None] = mapped_column(String(200))
    insurance_compensation: Mapped[Decimal] = mapped_column(MONEY, nullable=False, default=0)
    insurer_attest_received_on: Mapped[date | None] = mapped_column(Date)
    crop_area_ha: Mapped[Decimal | None] = mapped_column(QUANTITY)
    insured_crop_area_ha: Mapped[Decimal | None] = mapped_column(QUANTITY)
    crop_insurable_in_principle: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    priority_requested: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    priority_reason: Mapped[str | None] = mapped_column(Text)
    is_late: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    late_motivation: Mapped[str | None] = mapped_column(Text)
    impediment_ended_on: Mapped[date | None] = mapped_column(Date)
    claimed_total: Mapped[Decimal] = mapped_column(MONEY, nullable=False)

    state: Mapped[str] = mapped_column(String(40), nullable=False)
    state_changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    dossier_number: Mapped[str | None] = mapped_column(String(30), unique=True)
    handler_sub: Mapped[str | None] = mapped_column(String(200))
    expert_sub: Mapped[str | None] = mapped_column(String(200), index=True)
    assessed_amount: Mapped[Decimal | None] = mapped_column(MONEY)

    # Maintained facts (see the module docstring).
    one_year_mark: Mapped[date] = mapped_column(Date, nullable=False)
    decision_version: Mapped[int | None] = mapped_column(Integer)
    decided_amount: Mapped[Decimal | None] = mapped_column(MONEY)
    paid_amount: Mapped[Decimal] = mapped_column(MONEY, nullable=False, default=0)
    recovered_amount: Mapped[Decimal] = mapped_column(MONEY, nullable=False, default=0)
    first_paid_on: Mapped[date | None] = mapped_column(Date)
    completed_on: Mapped[date | None] = mapped_column(Date)
    completion_kind: Mapped[str | None] = mapped_column(String(20))  # paid|rejected|inadmissible
    completed_on_time: Mapped[bool | None] = mapped_column(Boolean)
    lead_gross_days: Mapped[int | None] = mapped_column(Integer)
    lead_net_days: Mapped[int | None] = mapped_column(Integer)
    paused_days: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    open_pause_started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    phase: Mapped[str | None] = mapped_column(String(20))
    phase_entered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    phase_paused_days: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False,
                                                 server_default=func.now())


class DamageItem(Base):
    __tablename__ = "damage_items"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    application_id: Mapped[uuid.UUID] = refers_to("applications.id")
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    description: Mapped[str] = mapped_column(String(500), nullable=False)
    claimed_amount: Mapped[Decimal] = mapped_column(MONEY, nullable=False)


class ApplicationEvent(Base):
    """Append-only state history of a dossier (the turnaround clock reads it)."""

    __tablename__ = "application_events"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    application_id: Mapped[uuid.UUID] = refers_to("applications.id")
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    actor: Mapped[str] = mapped_column(String(200), nullable=False)
    action: Mapped[str] = mapped_column(String(60), nullable=False)
    from_state: Mapped[str | None] = mapped_column(String(40))
    to_state: Mapped[str | None] = mapped_column(String(40))
    reason: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any] | None] = mapped_column(JSONB)


class Pause(DossierRow, Base):
    __tablename__ = "pauses"

    reason: Mapped[str] = mapped_column(String(40), nullable=False)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(200), nullable=False)


class ExpertReport(DossierRow, Base):
    __tablename__ = "expert_reports"

    expert_sub: Mapped[str] = mapped_column(String(200), nullable=False)
    assessed_amount: Mapped[Decimal] = mapped_column(MONEY, nullable=False)
    summary: Mapped[str] = mapped_column(Text, nullable=False)
    sent_on: Mapped[date] = mapped_column(Date, nullable=False)
    reaction_deadline: Mapped[date] = mapped_column(Date, nullable=False)
    reaction: Mapped[str | None] = mapped_column(String(20))  # accepted|contested|deemed_accepted
    reacted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    # An amount far above the claim (rule set: expert_excess_ratio) needs a reason and the
    # approval of a second handler before anything is decided on it.
    excess_reason: Mapped[str | None] = mapped_column(Text)
    excess_approved_by: Mapped[str | None] = mapped_column(String(200))
    excess_approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Decision(Base):
    """One version of the decision on a dossier; never changed once notified."""

    __tablename__ = "decisions"
    __table_args__ = (UniqueConstraint("application_id", "version"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    application_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("applications.id"),
                                                      nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)  # initial|rectification|judgment
    rule_set_id: Mapped[int] = mapped_column(ForeignKey("rule_sets.id"), nullable=False)
    amount: Mapped[Decimal] = mapped_column(MONEY, nullable=False)
    reason_code: Mapped[str | None] = mapped_column(String(60))
    inputs: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)
    breakdown: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    decided_by: Mapped[str] = mapped_column(String(200), nullable=False)
    received_on: Mapped[date | None] = mapped_column(Date)
    # Set when a later version (correction, rectification, judgment) replaced this one.
    superseded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Sampled quality review (rule set: review_sample_share) and its recorded outcome.
    review_selected: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default="false")
    review_outcome: Mapped[str | None] = mapped_column(String(20))  # confirmed | to_rectify
    review_note: Mapped[str | None] = mapped_column(Text)
    reviewed_by: Mapped[str | None] = mapped_column(String(200))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Appeal(DossierRow, Base):
    __tablename__ = "appeals"

    decision_version: Mapped[int] = mapped_column(Integer, nullable=False)
    lodged_on: Mapped[date] = mapped_column(Date, nullable=False)
    out_of_time: Mapped[bool] = mapped_column(Boolean, nullable=False)
    reason: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), nullable=False)  # open | judged
    judgment_on: Mapped[date | None] = mapped_column(Date)
    judgment_amount: Mapped[Decimal | None] = mapped_column(MONEY)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
