"""Reporting periods and status reports (current report + append-only history of entries)."""

from datetime import date
from datetime import datetime

from sqlalchemy import Boolean
from sqlalchemy import Date
from sqlalchemy import DateTime
from sqlalchemy import ForeignKey
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy import func
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import declared_attr
from sqlalchemy.orm import mapped_column

from dkbuza_kit.columns import int_pk
from dkbuza_kit.columns import owned_by
from planning.base import Base


class ReportingPeriod(Base):
    __tablename__ = "reporting_periods"
    __table_args__ = (UniqueConstraint("plan_id", "code"),)

    id: Mapped[int] = int_pk()
    plan_id: Mapped[int] = owned_by("plans.id")
    code: Mapped[str] = mapped_column(String(20))  # "2025-T1"
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    report_deadline: Mapped[date] = mapped_column(Date)
    closed: Mapped[bool] = mapped_column(Boolean, default=False)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class InitiativePeriodRow:
    """Keys of a table with one row per initiative and reporting period (reports, resources)."""

    # sort_order -1: these columns lead the table, as the migrations created them.
    id: Mapped[int] = mapped_column(Integer, primary_key=True, sort_order=-1)
    initiative_id: Mapped[int] = mapped_column(
        ForeignKey("initiatives.id", ondelete="CASCADE"), index=True, sort_order=-1)
    period_id: Mapped[int] = mapped_column(
        ForeignKey("reporting_periods.id", ondelete="CASCADE"), index=True, sort_order=-1)

    @declared_attr.directive
    def __table_args__(cls) -> tuple[UniqueConstraint]:
        return (UniqueConstraint("initiative_id", "period_id"),)


class StatusReport(InitiativePeriodRow, Base):
    """The current status of one initiative in one period (exactly one per pair)."""

    __tablename__ = "status_reports"

    status: Mapped[str] = mapped_column(String(30))
    explanation: Mapped[str | None] = mapped_column(Text)
    corrective_action: Mapped[str | None] = mapped_column(Text)
    reported_by: Mapped[str] = mapped_column(String(200))
    first_reported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    corrected: Mapped[bool] = mapped_column(Boolean, default=False)
    # A manager's acknowledgement of the report as it stood at `acknowledged_version`.
    acknowledged_by: Mapped[str | None] = mapped_column(String(200))
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    acknowledged_version: Mapped[int | None] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, default=1)


class StatusReportEntry(Base):
    """Append-only history: every submission, edit and correction (the database refuses changes)."""

    __tablename__ = "status_report_entries"

    id: Mapped[int] = int_pk()
    report_id: Mapped[int] = owned_by("status_reports.id")
    kind: Mapped[str] = mapped_column(String(20))  # submitted / edited / correction
    status: Mapped[str] = mapped_column(String(30))
    explanation: Mapped[str | None] = mapped_column(Text)
    corrective_action: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True),
                                                  server_default=func.now())


class ReportComment(Base):
    """A comment on a status report; `reply_to_id` threads the conversation."""

    __tablename__ = "report_comments"

    id: Mapped[int] = int_pk()
    report_id: Mapped[int] = owned_by("status_reports.id")
    reply_to_id: Mapped[int | None] = mapped_column(
        ForeignKey("report_comments.id", ondelete="CASCADE"))
    author: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PeriodReminder(Base):
    """A reminder sent to a team that had not reported a few days before the deadline (once)."""

    __tablename__ = "period_reminders"
    __table_args__ = (UniqueConstraint("period_id", "team"),)

    id: Mapped[int] = int_pk()
    period_id: Mapped[int] = owned_by("reporting_periods.id")
    team: Mapped[str] = mapped_column(String(100))  # "" = initiatives without an owner team
    initiatives: Mapped[int] = mapped_column(Integer)
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
