"""Column declarations that tables of every app share, as functions: a column belongs to one
table, so each table calls them (and the column stays where the table declares it)."""

import uuid
from datetime import datetime

from sqlalchemy import DateTime
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
