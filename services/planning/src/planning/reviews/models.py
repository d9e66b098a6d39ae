"""Look-backs (terugblik): per initiative of a year its final status, with the printed counts."""

from typing import Any

from sqlalchemy import ForeignKey
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from dkbuza_kit.columns import int_pk
from dkbuza_kit.columns import owned_by
from planning.base import Base


class Review(Base):
    __tablename__ = "reviews"
    __table_args__ = (UniqueConstraint("plan_id", "year"),)

    id: Mapped[int] = int_pk()
    # The plan whose document carries the look-back (the 2025 plan looks back on 2024).
    plan_id: Mapped[int] = owned_by("plans.id")
    year: Mapped[int] = mapped_column(Integer)
    printed_total: Mapped[int | None] = mapped_column(Integer)
    # imported (from a plan document's TERUGBLIK) or produced (from this year's final reports)
    origin: Mapped[str] = mapped_column(String(20), default="imported", server_default="imported")
    printed_counts: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)


class ReviewItem(Base):
    __tablename__ = "review_items"

    id: Mapped[int] = int_pk()
    review_id: Mapped[int] = owned_by("reviews.id")
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    final_status: Mapped[str] = mapped_column(String(30))
    # Set on a produced look-back: the initiative whose final report gave the status.
    initiative_id: Mapped[int | None] = mapped_column(
        ForeignKey("initiatives.id", ondelete="SET NULL"))
