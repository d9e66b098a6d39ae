"""Rolling work programmes, their versions (fixed by a CVOS decision) and actions."""

import uuid
from datetime import date
from datetime import datetime

from sqlalchemy import Date
from sqlalchemy import ForeignKey
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from dkbuza_kit.columns import created_at
from dkbuza_kit.columns import refers_to
from dkbuza_kit.columns import uuid_pk
from vsp_statistics.base import Base
from vsp_statistics.base import version_column


class WorkProgramme(Base):
    __tablename__ = "work_programmes"

    id: Mapped[uuid.UUID] = uuid_pk()
    programme_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("programmes.id"))
    code: Mapped[str] = mapped_column(String(40), nullable=False, unique=True)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    start_year: Mapped[int] = mapped_column(Integer, nullable=False)
    end_year: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = created_at()


class WorkProgrammeVersion(Base):
    __tablename__ = "work_programme_versions"
    __table_args__ = (UniqueConstraint("work_programme_id", "number"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    work_programme_id: Mapped[uuid.UUID] = refers_to("work_programmes.id")
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    state: Mapped[str] = mapped_column(String(10), nullable=False, default="draft")
    cvos_decision_reference: Mapped[str | None] = mapped_column(String(200))
    fixed_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = created_at()


class WorkProgrammeAction(Base):
    __tablename__ = "work_programme_actions"

    id: Mapped[uuid.UUID] = uuid_pk()
    work_programme_id: Mapped[uuid.UUID] = refers_to("work_programmes.id")
    objective_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("objectives.id"))
    title: Mapped[str] = mapped_column(String(500), nullable=False)
    owner_entity_code: Mapped[str] = refers_to("network_entities.code")
    due: Mapped[str] = mapped_column(String(10), nullable=False)  # a partial date
    due_last: Mapped[date] = mapped_column(Date, nullable=False)
    state: Mapped[str] = mapped_column(String(20), nullable=False, default="planned")
    completed_on: Mapped[date | None] = mapped_column(Date)
    added_in_version: Mapped[int] = mapped_column(Integer, nullable=False)
    version: Mapped[int] = version_column()
    created_at: Mapped[datetime] = created_at()


class FixedVersionAction(Base):
    """The actions a version contained when it was fixed (the baseline for execution)."""

    __tablename__ = "work_programme_version_actions"

    version_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("work_programme_versions.id"),
                                                  primary_key=True)
    action_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("work_programme_actions.id"),
                                                 primary_key=True)
