"""Versions of the embargo list and the exceptions recorded on applications."""

import uuid
from datetime import date
from datetime import datetime

from sqlalchemy import Date
from sqlalchemy import DateTime
from sqlalchemy import ForeignKey
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from dkbuza_kit.columns import owned_by
from dkbuza_kit.columns import uuid_pk
from export_control.base import Base
from export_control.base import ReferenceVersion


class EmbargoListVersion(ReferenceVersion, Base):
    """One row per version; a version's content is never changed (a change is a new version)."""

    __tablename__ = "embargo_list_versions"

    version: Mapped[str] = mapped_column(String(40), primary_key=True)
    as_of: Mapped[date] = mapped_column(Date, nullable=False)


class EmbargoException(Base):
    """An exception the act itself provides, invoked for one application: the article, the
    head's and the minister's sign-off. A grant in scope of a mandatory measure needs one,
    fully signed, per measure."""

    __tablename__ = "embargo_exceptions"

    id: Mapped[uuid.UUID] = uuid_pk()
    application_id: Mapped[uuid.UUID] = owned_by("applications.id")
    list_version: Mapped[str] = mapped_column(ForeignKey("embargo_list_versions.version"),
                                              nullable=False)
    measure_id: Mapped[str] = mapped_column(String(40), nullable=False)
    legal_basis: Mapped[str] = mapped_column(Text, nullable=False)
    article: Mapped[str] = mapped_column(String(100), nullable=False)
    justification: Mapped[str] = mapped_column(Text, nullable=False)
    head_signed_by: Mapped[str] = mapped_column(String(200), nullable=False)
    head_signed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    minister_signed_by: Mapped[str | None] = mapped_column(String(200))
    minister_signed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
