"""User consultation: advice of the users' council RVOS and the response to it."""

import uuid
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from vsp_statistics.base import Base, created_at, uuid_pk, version_column


class RvosAdvice(Base):
    __tablename__ = "rvos_advice"

    id: Mapped[uuid.UUID] = uuid_pk()
    advised_on: Mapped[date] = mapped_column(Date, nullable=False, index=True)
    topic: Mapped[str] = mapped_column(String(300), nullable=False)
    advice: Mapped[str] = mapped_column(Text, nullable=False)
    statistic_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("official_statistics.id"))
    response: Mapped[str | None] = mapped_column(Text)
    responded_on: Mapped[date | None] = mapped_column(Date)
    version: Mapped[int] = version_column()
    created_at: Mapped[datetime] = created_at()
