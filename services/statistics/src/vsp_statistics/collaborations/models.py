"""Collaboration projects between two or more network entities."""

import uuid
from datetime import date
from datetime import datetime

from sqlalchemy import Date
from sqlalchemy import ForeignKey
from sqlalchemy import String
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from dkbuza_kit.columns import created_at
from dkbuza_kit.columns import uuid_pk
from vsp_statistics.base import Base
from vsp_statistics.base import version_column


class CollaborationProject(Base):
    __tablename__ = "collaboration_projects"

    id: Mapped[uuid.UUID] = uuid_pk()
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    start_date: Mapped[date] = mapped_column(Date, nullable=False, index=True)
    end_date: Mapped[date | None] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(12), nullable=False)
    version: Mapped[int] = version_column()
    created_at: Mapped[datetime] = created_at()


class CollaborationParticipant(Base):
    __tablename__ = "collaboration_participants"

    project_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("collaboration_projects.id"),
                                                  primary_key=True)
    entity_code: Mapped[str] = mapped_column(ForeignKey("network_entities.code"),
                                             primary_key=True)
