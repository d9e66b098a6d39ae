"""Releases, their append-only status history, reschedules, pre-release access and corrections."""

import uuid
from datetime import date
from datetime import datetime
from datetime import time

from sqlalchemy import BigInteger
from sqlalchemy import Boolean
from sqlalchemy import Date
from sqlalchemy import DateTime
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import Time
from sqlalchemy import func
from sqlalchemy import text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from dkbuza_kit.columns import created_at
from dkbuza_kit.columns import refers_to
from dkbuza_kit.columns import uuid_pk
from vsp_statistics.base import Base


class Release(Base):
    __tablename__ = "releases"
    # One live (non-cancelled) release per statistic, reference period and vintage (edition):
    # the database decides between parallel announcements (the loser answers 409).
    __table_args__ = (
        Index("uq_releases_live_edition", "statistic_id", "reference_period", "vintage",
              unique=True, postgresql_where=text("state <> 'cancelled'")),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    statistic_id: Mapped[uuid.UUID] = refers_to("official_statistics.id")
    reference_period: Mapped[str] = mapped_column(String(10), nullable=False)
    reference_period_end: Mapped[date] = mapped_column(Date, nullable=False)
    vintage: Mapped[str] = mapped_column(String(12), nullable=False)
    # The current target: its text form ("2025-06" or "2025-06-12"), precision and bounds.
    target: Mapped[str] = mapped_column(String(10), nullable=False)
    target_precision: Mapped[str] = mapped_column(String(8), nullable=False)
    target_first: Mapped[date] = mapped_column(Date, nullable=False, index=True)
    target_last: Mapped[date] = mapped_column(Date, nullable=False, index=True)
    # Never changed by a reschedule: the strict punctuality variant measures against it.
    first_announced_target: Mapped[str] = mapped_column(String(10), nullable=False)
    first_announced_first: Mapped[date] = mapped_column(Date, nullable=False)
    first_announced_last: Mapped[date] = mapped_column(Date, nullable=False)
    # The day the current exact target day was announced (pre-announcement compliance).
    exact_day_announced_on: Mapped[date | None] = mapped_column(Date)
    release_time: Mapped[time] = mapped_column(Time, nullable=False)
    state: Mapped[str] = mapped_column(String(12), nullable=False, default="planned", index=True)
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    published_on: Mapped[date | None] = mapped_column(Date)  # the Brussels date of published_at
    published_with_override: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    reschedule_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    release_type: Mapped[str] = mapped_column(String(12), nullable=False, default="official",
                                              server_default="official")
    output_url: Mapped[str | None] = mapped_column(String(2000))
    # Entered afterwards through POST /v1/releases/history (not announced through this system).
    recorded_from_history: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False,
                                                        server_default="false")
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    created_by: Mapped[str] = mapped_column(String(200), nullable=False)
    created_at: Mapped[datetime] = created_at()
    # Last-Modified of the public calendar and release pages.
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False,
                                                 server_default=func.now(), onupdate=func.now())


class ReleaseStatusChange(Base):
    __tablename__ = "release_status_history"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    release_id: Mapped[uuid.UUID] = refers_to("releases.id")
    from_state: Mapped[str | None] = mapped_column(String(12))
    to_state: Mapped[str] = mapped_column(String(12), nullable=False)
    reason: Mapped[str | None] = mapped_column(Text)
    changed_by: Mapped[str] = mapped_column(String(200), nullable=False)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class ReleaseReschedule(Base):
    __tablename__ = "release_reschedules"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    release_id: Mapped[uuid.UUID] = refers_to("releases.id")
    old_target: Mapped[str] = mapped_column(String(10), nullable=False)
    new_target: Mapped[str] = mapped_column(String(10), nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    approved_by: Mapped[str] = mapped_column(String(200), nullable=False)
    rescheduled_by: Mapped[str] = mapped_column(String(200), nullable=False)
    rescheduled_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class ReleaseChangeRequest(Base):
    """A requested reschedule or cancellation; it takes effect only when a user holding the
    approving role (not the requester) approves it. One pending request per release."""

    __tablename__ = "release_change_requests"
    __table_args__ = (
        Index("uq_release_change_requests_pending", "release_id", unique=True,
              postgresql_where=text("state = 'pending'")),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    release_id: Mapped[uuid.UUID] = refers_to("releases.id")
    kind: Mapped[str] = mapped_column(String(12), nullable=False)  # reschedule | cancellation
    new_target: Mapped[str | None] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    state: Mapped[str] = mapped_column(String(10), nullable=False)  # pending|approved|rejected
    requested_by: Mapped[str] = mapped_column(String(200), nullable=False)
    requested_org: Mapped[str] = mapped_column(String(200), nullable=False)
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decision_note: Mapped[str | None] = mapped_column(Text)


class PreReleaseAccess(Base):
    __tablename__ = "pre_release_access"

    id: Mapped[uuid.UUID] = uuid_pk()
    release_id: Mapped[uuid.UUID] = refers_to("releases.id")
    person_name: Mapped[str] = mapped_column(String(200), nullable=False)
    organisation: Mapped[str] = mapped_column(String(200), nullable=False)
    justification: Mapped[str] = mapped_column(Text, nullable=False)
    access_from: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    granted_by: Mapped[str] = mapped_column(String(200), nullable=False)
    created_at: Mapped[datetime] = created_at()


class ReleaseCorrection(Base):
    __tablename__ = "release_corrections"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    release_id: Mapped[uuid.UUID] = refers_to("releases.id")
    description: Mapped[str] = mapped_column(Text, nullable=False)
    corrected_by: Mapped[str] = mapped_column(String(200), nullable=False)
    corrected_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class ReleaseOverdueSignal(Base):
    """One `release.overdue` event sent for a release and the target it missed (the daily
    check sends it once; a reschedule to a new target that is missed again sends a new one)."""

    __tablename__ = "release_overdue_signals"

    release_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("releases.id"), primary_key=True)
    target: Mapped[str] = mapped_column(String(10), primary_key=True)
    signalled_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
