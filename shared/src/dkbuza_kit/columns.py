"""Column declarations that tables of every app share, as functions: a column belongs to one
table, so each table calls them (and the column stays where the table declares it)."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy import ForeignKey
from sqlalchemy import Integer
from sqlalchemy import func
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column


def uuid_pk(**options) -> Mapped[uuid.UUID]:
    """A UUID primary key the application generates (uuid4), so an id is known before the
    insert (events, audit rows and Location headers of one transaction name it)."""
    return mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4, **options)


def created_at() -> Mapped[datetime]:
    """When the row was inserted, by the database's clock (the transaction's start)."""
    return mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)


def int_pk() -> Mapped[int]:
    """An integer primary key the database assigns (known after the flush, unlike `uuid_pk`)."""
    return mapped_column(Integer, primary_key=True)


def owned_by(target: str) -> Mapped[Any]:
    """The link to the row this one belongs to (`"table.id"`): indexed, and the row is deleted
    with its owner. Not null unless the annotation says `| None`."""
    return mapped_column(ForeignKey(target, ondelete="CASCADE"), index=True)


def refers_to(target: str) -> Mapped[Any]:
    """An indexed link to a row that outlives this one (`"table.id"`): deleting the target is
    refused while rows refer to it. Not null unless the annotation says `| None`."""
    return mapped_column(ForeignKey(target), index=True)
