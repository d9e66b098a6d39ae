"""Versioned routing rule sets and the stored routing result of each application."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy import ForeignKey
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from dkbuza_kit.columns import owned_by
from dkbuza_kit.columns import uuid_pk
from export_control.base import Base
from export_control.base import ReferenceVersion


class RoutingRuleSet(ReferenceVersion, Base):
    __tablename__ = "routing_rule_sets"

    version: Mapped[str] = mapped_column(String(40), primary_key=True)


class RoutingResult(Base):
    __tablename__ = "routing_results"

    id: Mapped[uuid.UUID] = uuid_pk()
    application_id: Mapped[uuid.UUID] = owned_by("applications.id")
    rule_set_version: Mapped[str] = mapped_column(
        ForeignKey("routing_rule_sets.version"), nullable=False)
    inputs: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)
    track: Mapped[str] = mapped_column(String(20), nullable=False)
    authority: Mapped[str] = mapped_column(String(20), nullable=False)
    indicative_max_working_days: Mapped[int] = mapped_column(Integer, nullable=False)
    reasons: Mapped[list[str]] = mapped_column(JSONB, nullable=False)
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
