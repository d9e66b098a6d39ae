"""User consultation: advice of the users' council RVOS and the response to it."""

import uuid
from datetime import date
from datetime import datetime

from sqlalchemy import Date
from sqlalchemy import ForeignKey
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from dkbuza_kit.columns import created_at
from dkbuza_kit.columns import uuid_pk
from vsp_statistics.base import Base
from vsp_statistics.base import version_column


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
