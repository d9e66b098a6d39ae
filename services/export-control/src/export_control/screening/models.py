"""Denial notices of other EU member states, the imported sanctions list, screening runs and
their hits, and the notifications of a grant despite a denial."""

import uuid
from datetime import date
from datetime import datetime
from decimal import Decimal

from sqlalchemy import BigInteger
from sqlalchemy import Boolean
from sqlalchemy import Date
from sqlalchemy import DateTime
from sqlalchemy import ForeignKey
from sqlalchemy import Integer
from sqlalchemy import Numeric
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from dkbuza_kit.columns import created_at
from dkbuza_kit.columns import owned_by
from dkbuza_kit.columns import uuid_pk
from export_control.base import Base


class DenialNotice(Base):
    __tablename__ = "denial_notices"
    __table_args__ = (UniqueConstraint("notifying_state", "notice_reference",
                                       name="uq_denial_notices_state_reference"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    notifying_state: Mapped[str] = mapped_column(String(2), nullable=False)
    notice_reference: Mapped[str] = mapped_column(String(100), nullable=False)
    denied_party_name: Mapped[str] = mapped_column(String(300), nullable=False)
    party_country: Mapped[str] = mapped_column(String(2), nullable=False)
    control_entry: Mapped[str | None] = mapped_column(String(30))
    issued_on: Mapped[date] = mapped_column(Date, nullable=False)
    revoked_on: Mapped[date | None] = mapped_column(Date)
    description: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at()


class SanctionsImport(Base):
    __tablename__ = "sanctions_imports"

    id: Mapped[uuid.UUID] = uuid_pk()
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    imported_by: Mapped[str] = mapped_column(String(200), nullable=False)
    generation_date: Mapped[str | None] = mapped_column(String(40))
    source_sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    entity_count: Mapped[int] = mapped_column(Integer, nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # An upload is pending until a head activates it (four eyes on what screening runs on).
    activated_by: Mapped[str | None] = mapped_column(String(200))
    activated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class SanctionEntity(Base):
    __tablename__ = "sanction_entities"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    import_id: Mapped[uuid.UUID] = owned_by("sanctions_imports.id")
    logical_id: Mapped[str] = mapped_column(String(50), nullable=False)
    subject_type: Mapped[str | None] = mapped_column(String(20))
    programme: Mapped[str | None] = mapped_column(String(50))
    names: Mapped[list[str]] = mapped_column(JSONB, nullable=False)
    countries: Mapped[list[str]] = mapped_column(JSONB, nullable=False)


class ScreeningHit(Base):
    __tablename__ = "screening_hits"

    id: Mapped[uuid.UUID] = uuid_pk()
    application_id: Mapped[uuid.UUID] = owned_by("applications.id")
    party_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("parties.id", ondelete="CASCADE"), nullable=False)
    source: Mapped[str] = mapped_column(String(20), nullable=False)  # sanctions / denial_notice
    listed_reference: Mapped[str] = mapped_column(String(100), nullable=False)
    denial_notice_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("denial_notices.id", ondelete="SET NULL"))
    matched_name: Mapped[str] = mapped_column(String(300), nullable=False)
    score: Mapped[Decimal] = mapped_column(Numeric(5, 2), nullable=False)
    # open / cleared (sanctions, by csg.head) / consulted (denial notice, consultation recorded)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="open")
    resolved_by: Mapped[str | None] = mapped_column(String(200))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolution: Mapped[str | None] = mapped_column(Text)
    found_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class DenialGrantNotification(Base):
    """A grant made despite a denial notice of another member state (to be notified to it)."""

    __tablename__ = "denial_grant_notifications"

    id: Mapped[uuid.UUID] = uuid_pk()
    application_id: Mapped[uuid.UUID] = owned_by("applications.id")
    decision_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("decisions.id", ondelete="CASCADE"), nullable=False)
    denial_notice_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("denial_notices.id", ondelete="SET NULL"))
    notifying_state: Mapped[str] = mapped_column(String(2), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
