"""Request and response models of screening, denial notices and the sanctions list."""

import uuid
from datetime import date
from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import Field
from pydantic import StringConstraints

from dkbuza_kit.refdata import CountryCode
from dkbuza_kit.schemas import InputModel
from dkbuza_kit.schemas import OutputModel
from dkbuza_kit.types import BoundedDate

# Member states of the EU other than Belgium: only they notify denials under Article 8 of
# Common Position 2008/944/CFSP and Article 23 of Regulation (EU) 2021/821.
EU_MEMBER_STATES = frozenset({
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE",
    "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"})
OWN_STATE = "BE"


class ScreeningHitOut(OutputModel):
    """source: sanctions (sanctielijst) / denial_notice (weigeringskennisgeving); status: open,
    cleared (vrijgegeven), consulted (overleg gevoerd)."""

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


class ScreeningResolutionIn(InputModel):
    reason: Annotated[str, StringConstraints(min_length=3, max_length=5000)] = Field(
        description="why the sanctions hit is a false positive, or the consultation's outcome")


class DenialNoticeIn(InputModel):
    notifying_state: CountryCode
    notice_reference: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    denied_party_name: Annotated[str, StringConstraints(min_length=1, max_length=300)]
    party_country: CountryCode
    control_entry: Annotated[str, StringConstraints(max_length=40)] | None = None
    issued_on: BoundedDate = Field(description="not in the future")
    description: Annotated[str, StringConstraints(max_length=5000)] | None = None


class DenialNoticeRevokeIn(InputModel):
    revoked_on: BoundedDate = Field(description="not in the future, not before the issue")


class DenialNoticeOut(OutputModel):
    id: uuid.UUID
    notifying_state: str
    notice_reference: str
    denied_party_name: str
    party_country: str
    control_entry: str | None
    issued_on: date
    revoked_on: date | None
    description: str | None


class SanctionsImportOut(OutputModel):
    id: uuid.UUID
    imported_at: datetime
    imported_by: str
    generation_date: str | None
    source_sha256: str
    entity_count: int
    active: bool
    activated_by: str | None = None
    activated_at: datetime | None = None


class SanctionsActivationIn(InputModel):
    confirm_shrink: bool = Field(
        False, description="activate although the list shrinks by more than the alert share")
