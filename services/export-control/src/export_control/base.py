"""The declarative base of the export-control domain tables (imported by every domain `models.py`),
and the column declarations several tables share."""

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean
from sqlalchemy import String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from dkbuza_kit.columns import created_at
from dkbuza_kit.db import new_metadata


class Base(DeclarativeBase):
    metadata = new_metadata()


class ReferenceVersion:
    """A version of reference content (embargo list, routing rule set): never changed once
    stored, at most one active. The table declares its own key first; SQLAlchemy places these
    mixin columns after the table's own, which is the tables' column order."""

    content: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    created_by: Mapped[str] = mapped_column(String(200), nullable=False)
    created_at: Mapped[datetime] = created_at()

    __mapper_args__ = {"eager_defaults": True}
