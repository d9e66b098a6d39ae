"""Official statistics on the VSP list, their versioned list membership and open datasets."""

import uuid
from datetime import date
from datetime import datetime

from sqlalchemy import BigInteger
from sqlalchemy import Date
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from dkbuza_kit.columns import created_at
from dkbuza_kit.columns import refers_to
from dkbuza_kit.columns import uuid_pk
from vsp_statistics.base import Base
from vsp_statistics.base import version_column


class OfficialStatistic(Base):
    __tablename__ = "official_statistics"

    id: Mapped[uuid.UUID] = uuid_pk()
    code: Mapped[str] = mapped_column(String(40), nullable=False, unique=True)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    theme: Mapped[str] = mapped_column(String(100), nullable=False, index=True)
    entity_code: Mapped[str] = refers_to("network_entities.code")
    periodicity: Mapped[str] = mapped_column(String(20), nullable=False)
    description: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = version_column()
    created_at: Mapped[datetime] = created_at()


class ListChange(Base):
    """One inclusion in or removal from the VSP list (append-only: the list's history)."""

    __tablename__ = "vsp_list_changes"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    statistic_id: Mapped[uuid.UUID] = refers_to("official_statistics.id")
    change: Mapped[str] = mapped_column(String(10), nullable=False)  # included | removed
    effective_on: Mapped[date] = mapped_column(Date, nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    decision_type: Mapped[str] = mapped_column(String(20), nullable=False)
    decision_reference: Mapped[str] = mapped_column(String(200), nullable=False)
    recorded_by: Mapped[str] = mapped_column(String(200), nullable=False)
    recorded_at: Mapped[datetime] = created_at()


class OpenDataset(Base):
    __tablename__ = "open_datasets"

    id: Mapped[uuid.UUID] = uuid_pk()
    statistic_id: Mapped[uuid.UUID] = refers_to("official_statistics.id")
    url: Mapped[str] = mapped_column(String(2000), nullable=False)
    format: Mapped[str] = mapped_column(String(40), nullable=False)
    licence: Mapped[str] = mapped_column(String(100), nullable=False)
    created_at: Mapped[datetime] = created_at()
