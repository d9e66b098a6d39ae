"""The Code of Practice indicator catalogue (imported, versioned) and self-assessments."""

import uuid
from datetime import datetime

from sqlalchemy import Boolean
from sqlalchemy import CheckConstraint
from sqlalchemy import DateTime
from sqlalchemy import ForeignKey
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


class IndicatorCatalogue(Base):
    __tablename__ = "cop_catalogues"

    id: Mapped[uuid.UUID] = uuid_pk()
    version: Mapped[int] = mapped_column(Integer, nullable=False, unique=True)
    label: Mapped[str] = mapped_column(String(200), nullable=False)
    source: Mapped[str | None] = mapped_column(String(500))
    indicator_count: Mapped[int] = mapped_column(Integer, nullable=False)
    imported_by: Mapped[str] = mapped_column(String(200), nullable=False)
    imported_at: Mapped[datetime] = created_at()


class Indicator(Base):
    __tablename__ = "cop_indicators"
    __table_args__ = (UniqueConstraint("catalogue_id", "code"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    catalogue_id: Mapped[uuid.UUID] = refers_to("cop_catalogues.id")
    code: Mapped[str] = mapped_column(String(10), nullable=False)
    principle: Mapped[str] = mapped_column(String(5), nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)


class Assessment(Base):
    __tablename__ = "self_assessments"
    __table_args__ = (UniqueConstraint("statistic_id", "cycle"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    statistic_id: Mapped[uuid.UUID] = refers_to("official_statistics.id")
    cycle: Mapped[str] = mapped_column(String(10), nullable=False)
    catalogue_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cop_catalogues.id"),
                                                    nullable=False)
    state: Mapped[str] = mapped_column(String(10), nullable=False, default="draft")
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    submitted_by: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = created_at()


class AssessmentAnswer(Base):
    __tablename__ = "self_assessment_answers"
    __table_args__ = (
        CheckConstraint("score IS NULL OR score BETWEEN 1 AND 5", name="score_range"),
        CheckConstraint("(score IS NULL) = not_applicable", name="score_or_not_applicable"),
    )

    assessment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("self_assessments.id"),
                                                     primary_key=True)
    indicator_code: Mapped[str] = mapped_column(String(10), primary_key=True)
    score: Mapped[int | None] = mapped_column(Integer)
    not_applicable: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    justification: Mapped[str | None] = mapped_column(Text)
    improvement_action_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("work_programme_actions.id"))
    answered_by: Mapped[str] = mapped_column(String(200), nullable=False)
    answered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
