"""Incremental KPI figures, maintained by database triggers on `applications`.

Statement-level triggers with transition tables (migration 0004, `vrf_stats_on_insert`,
`_update`, `_delete`) subtract the old rows' contribution and add the new rows', grouped per
disaster, in the same transaction; updates that touch none of the tracked columns add
nothing. The KPI endpoint then reads a few rows per disaster instead of scanning every
dossier ever submitted, so its cost does not grow with history. The triggers also cover bulk loads (demo data,
benchmark seeds) and direct SQL, which application code could not.

The three trigger-maintained tables are sharded (migration 0101): a session writes to the
rows of shard `pg_backend_pid() % 16`, so concurrent submissions for one disaster do not
queue on one counter row. A figure is the SUM over the shards of its key (shard rows may be
negative); `vrf_stats_rebuild()` recounts everything into shard 0.
"""

import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import BigInteger
from sqlalchemy import Date
from sqlalchemy import ForeignKey
from sqlalchemy import Integer
from sqlalchemy import Numeric
from sqlalchemy import SmallInteger
from sqlalchemy import String
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from disaster_fund.base import Base

SUM = Numeric(18, 2)


# A column belongs to one table, so the key parts the figure tables share are made by functions:
# the disaster of every figure and the shard of the trigger-maintained ones.
def _disaster_key() -> Mapped[uuid.UUID]:
    return mapped_column(UUID(as_uuid=True), ForeignKey("disasters.id"), primary_key=True)


def _shard_key() -> Mapped[int]:
    return mapped_column(SmallInteger, primary_key=True, autoincrement=False)


class DisasterApplicationStats(Base):
    __tablename__ = "disaster_application_stats"

    disaster_id: Mapped[uuid.UUID] = _disaster_key()
    shard: Mapped[int] = _shard_key()
    one_year_mark: Mapped[date] = mapped_column(Date, nullable=False)
    submitted: Mapped[int] = mapped_column(Integer, nullable=False)
    withdrawn: Mapped[int] = mapped_column(Integer, nullable=False)
    completed: Mapped[int] = mapped_column(Integer, nullable=False)
    completed_paid: Mapped[int] = mapped_column(Integer, nullable=False)
    completed_rejected: Mapped[int] = mapped_column(Integer, nullable=False)
    completed_inadmissible: Mapped[int] = mapped_column(Integer, nullable=False)
    completed_on_time: Mapped[int] = mapped_column(Integer, nullable=False)
    late: Mapped[int] = mapped_column(Integer, nullable=False)
    lead_gross_sum: Mapped[int] = mapped_column(BigInteger, nullable=False)
    lead_net_sum: Mapped[int] = mapped_column(BigInteger, nullable=False)
    amount_decided: Mapped[Decimal] = mapped_column(SUM, nullable=False)
    amount_paid: Mapped[Decimal] = mapped_column(SUM, nullable=False)
    amount_recovered: Mapped[Decimal] = mapped_column(SUM, nullable=False)


class OpenApplicationsByDay(Base):
    """Open dossiers per disaster and day of receipt (WIP age bands)."""

    __tablename__ = "open_applications_by_day"

    disaster_id: Mapped[uuid.UUID] = _disaster_key()
    received_on: Mapped[date] = mapped_column(Date, primary_key=True)
    shard: Mapped[int] = _shard_key()
    open_count: Mapped[int] = mapped_column(Integer, nullable=False)


class PayoutsByDay(Base):
    """Paid dossiers per disaster and day of first payment (recognition-to-payout percentiles)."""

    __tablename__ = "payouts_by_day"

    disaster_id: Mapped[uuid.UUID] = _disaster_key()
    first_paid_on: Mapped[date] = mapped_column(Date, primary_key=True)
    shard: Mapped[int] = _shard_key()
    paid_count: Mapped[int] = mapped_column(Integer, nullable=False)


class PhaseDurationStats(Base):
    """Completed phase spans per disaster and phase: count and summed gross/net days.

    Maintained by `applications.service.change_state` when a dossier leaves a phase (the
    per-phase lead time KPI and dashboard figures are averages of these sums).
    """

    __tablename__ = "phase_duration_stats"

    disaster_id: Mapped[uuid.UUID] = _disaster_key()
    phase: Mapped[str] = mapped_column(String(20), primary_key=True)
    spans: Mapped[int] = mapped_column(Integer, nullable=False)
    gross_days_sum: Mapped[int] = mapped_column(BigInteger, nullable=False)
    net_days_sum: Mapped[int] = mapped_column(BigInteger, nullable=False)
