"""The declarative base of the statistics app's domain tables, and shared column helpers."""

import uuid
from datetime import datetime

from sqlalchemy import DateTime
from sqlalchemy import Integer
from sqlalchemy import func
from sqlalchemy import text
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from dkbuza_kit.db import new_metadata


class Base(DeclarativeBase):
    metadata = new_metadata()


def uuid_pk() -> Mapped[uuid.UUID]:
    return mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)


def created_at() -> Mapped[datetime]:
    return mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)


def version_column() -> Mapped[int]:
    """The optimistic-concurrency version of a mutable resource (its ETag); +1 on every change."""
    return mapped_column(Integer, nullable=False, default=1, server_default=text("1"))
