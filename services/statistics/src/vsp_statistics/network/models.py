"""Network entities of Statistiek Vlaanderen, the programme (VSP) and its objectives."""

import uuid
from datetime import date
from datetime import datetime

from sqlalchemy import Date
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from dkbuza_kit.columns import created_at
from dkbuza_kit.columns import refers_to
from dkbuza_kit.columns import uuid_pk
from vsp_statistics.base import Base
from vsp_statistics.base import version_column


class NetworkEntity(Base):
    __tablename__ = "network_entities"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(300), nullable=False)
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_email: Mapped[str | None] = mapped_column(String(320))
    version: Mapped[int] = version_column()
    created_at: Mapped[datetime] = created_at()


class Programme(Base):
    __tablename__ = "programmes"

    id: Mapped[uuid.UUID] = uuid_pk()
    code: Mapped[str] = mapped_column(String(40), nullable=False, unique=True)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    start_year: Mapped[int] = mapped_column(Integer, nullable=False)
    end_year: Mapped[int] = mapped_column(Integer, nullable=False)
    adopted_on: Mapped[date | None] = mapped_column(Date)
    adoption_reference: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = created_at()


class Objective(Base):
    __tablename__ = "objectives"
    __table_args__ = (UniqueConstraint("programme_id", "code"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    programme_id: Mapped[uuid.UUID] = refers_to("programmes.id")
    code: Mapped[str] = mapped_column(String(20), nullable=False)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    description: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at()
