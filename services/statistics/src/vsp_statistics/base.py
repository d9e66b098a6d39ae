"""The declarative base of the statistics app's domain tables, and its version column (the kit's
`dkbuza_kit.columns` has the keys and timestamps every app shares)."""

from sqlalchemy import Integer
from sqlalchemy import text
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from dkbuza_kit.db import new_metadata


class Base(DeclarativeBase):
    metadata = new_metadata()


def version_column() -> Mapped[int]:
    """The optimistic-concurrency version of a mutable resource (its ETag); +1 on every change."""
    return mapped_column(Integer, nullable=False, default=1, server_default=text("1"))
