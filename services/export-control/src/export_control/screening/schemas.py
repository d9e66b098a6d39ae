"""Request and response models of screening, denial notices and the sanctions list."""

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]


class ScreeningHitOut(BaseModel):
    """source: sanctions (sanctielijst) / denial_notice (weigeringskennisgeving); status: open,
    cleared (vrijgegeven), consulted (overleg gevoerd)."""

    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    party_id: uuid.UUID
    source: str
    listed_reference: str
    denial_notice_id: uuid.UUID | None
    matched_name: str
    score: Decimal
    status: str
    resolved_by: str | None
    resolved_at: datetime | None
    resolution: str | None
    found_at: datetime


class ScreeningResolutionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Annotated[str, StringConstraints(min_length=3, max_length=5000)] = Field(
        description="why the sanctions hit is a false positive, or the consultation's outcome")


class DenialNoticeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    notifying_state: CountryCode
    notice_reference: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    denied_party_name: Annotated[str, StringConstraints(min_length=1, max_length=300)]
    party_country: CountryCode
    control_entry: Annotated[str, StringConstraints(max_length=40)] | None = None
    issued_on: date
    description: Annotated[str, StringConstraints(max_length=5000)] | None = None


class DenialNoticeRevokeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    revoked_on: date


class DenialNoticeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    notifying_state: str
    notice_reference: str
    denied_party_name: str
    party_country: str
    control_entry: str | None
    issued_on: date
    revoked_on: date | None
    description: str | None


class SanctionsImportOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    imported_at: datetime
    imported_by: str
    generation_date: str | None
    source_sha256: str
    entity_count: int
    active: bool
