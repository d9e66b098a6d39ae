"""Request and response models of applications."""

import uuid
from datetime import date
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel
from pydantic import Field
from pydantic import StringConstraints

from dkbuza_kit.refdata import CountryCode
from dkbuza_kit.schemas import InputModel
from dkbuza_kit.schemas import OutputModel
from dkbuza_kit.types import BoundedDate
from dkbuza_kit.types import BoundedDateTime
from dkbuza_kit.types import NonNegativeMoney
from dkbuza_kit.types import Quantity

Text300 = Annotated[str, StringConstraints(min_length=1, max_length=300, strip_whitespace=True)]
LongText = Annotated[str, StringConstraints(min_length=1, max_length=10_000)]


class ApplicationType(StrEnum):
    """Military goods (arms trade decree): export (uitvoer), import (invoer), transit (doorvoer),
    intra-EU transfer individual/global/general (overbrenging individueel/globaal/algemeen);
    dual-use (Regulation 2021/821): individual export (individuele uitvoer), global export
    (globale uitvoer), brokering (tussenhandel), technical assistance (technische bijstand),
    transit (doorvoer)."""

    military_export = "military_export"
    military_import = "military_import"
    military_transit = "military_transit"
    military_transfer_individual = "military_transfer_individual"
    military_transfer_global = "military_transfer_global"
    military_transfer_general = "military_transfer_general"
    dual_use_individual_export = "dual_use_individual_export"
    dual_use_global_export = "dual_use_global_export"
    dual_use_brokering = "dual_use_brokering"
    dual_use_technical_assistance = "dual_use_technical_assistance"
    dual_use_transit = "dual_use_transit"


class PartyRole(StrEnum):
    """consignee (ontvanger), end_user (eindgebruiker), ultimate_end_user (uiteindelijke
    eindgebruiker), intermediate_consignee (tussentijdse ontvanger), broker (tussenhandelaar),
    carrier (vervoerder)."""

    consignee = "consignee"
    end_user = "end_user"
    ultimate_end_user = "ultimate_end_user"
    intermediate_consignee = "intermediate_consignee"
    broker = "broker"
    carrier = "carrier"


class Recommendation(StrEnum):
    """approve (gunstig), approve_with_conditions (gunstig onder voorwaarden), refuse (ongunstig)."""

    approve = "approve"
    approve_with_conditions = "approve_with_conditions"
    refuse = "refuse"


class Outcome(StrEnum):
    """granted (toegekend), granted_with_conditions (toegekend onder voorwaarden), refused
    (geweigerd)."""

    granted = "granted"
    granted_with_conditions = "granted_with_conditions"
    refused = "refused"


class ControlMode(StrEnum):
    """quantity (hoeveelheid), value (waarde), both (beide), open (niet beperkt)."""

    quantity = "quantity"
    value = "value"
    both = "both"
    open = "open"


RefusalCriterion = Annotated[int, Field(ge=1, le=8)]


class GoodsLineIn(InputModel):
    description: LongText
    control_entry: Annotated[str, StringConstraints(min_length=1, max_length=40)] = Field(
        description="EU control-list entry, e.g. ML8.a.1 or 5A002.a.1 (ml8a1 is normalised)")
    quantity: Annotated[Quantity, Field(gt=0, le=Decimal("999999999999999"))]
    unit: Annotated[str, StringConstraints(min_length=1, max_length=20)]
    value_eur: NonNegativeMoney
    common_high_priority: bool = Field(
        False, description="on the EU list of common high priority items (Russia sanctions)")


class GoodsLineOut(OutputModel):
    id: uuid.UUID
    line_no: int
    description: str
    control_entry: str
    regime: str
    category: str
    quantity: Quantity
    unit: str
    value_eur: NonNegativeMoney
    common_high_priority: bool


class PartyIn(InputModel):
    role: PartyRole
    name: Text300
    address: LongText
    country: CountryCode
    euc_issuer: Text300 | None = Field(None, description="end-user certificate: issuer")
    euc_date: BoundedDate | None = Field(None, description="not in the future")
    euc_signatory: Text300 | None = None
    euc_no_re_export_clause: bool | None = None
    no_re_export_to_russia_evidence: LongText | None = Field(
        None, description="evidence of the contractual no-re-export-to-Russia clause")


class PartyOut(OutputModel):
    id: uuid.UUID
    role: PartyRole
    name: str
    address: str
    country: str
    euc_issuer: str | None
    euc_date: date | None
    euc_signatory: str | None
    euc_no_re_export_clause: bool | None
    no_re_export_to_russia_evidence: str | None


class ApplicationIn(InputModel):
    """A new draft, or (PUT) the full replacement of a draft's content."""

    application_type: ApplicationType
    applicant_name: Text300
    applicant_org: Annotated[str, StringConstraints(pattern=r"^\d{10}$")] | None = Field(
        None, description="KBO number; only officers may give it (an applicant's is its token's)")
    destination_country: CountryCode
    end_use: LongText
    lines: list[GoodsLineIn] = Field(min_length=1, max_length=200)
    parties: list[PartyIn] = Field(default_factory=list, max_length=50)


class HistoricApplicationIn(ApplicationIn):
    """An application decided in the previous system (recording the past)."""

    reference: Annotated[str, StringConstraints(pattern=r"^CSG/\d{4}/\d{6}$")]
    submitted_at: BoundedDateTime
    decided_at: BoundedDateTime
    outcome: Outcome
    authority: Annotated[str, StringConstraints(pattern=r"^(delegated|minister)$")]
    refusal_criteria: list[RefusalCriterion] = Field(default_factory=list, max_length=8)
    track: Annotated[str, StringConstraints(pattern=r"^(fast|standard|complex)$")] | None = None


class HistoryImportIn(InputModel):
    applications: list[HistoricApplicationIn] = Field(min_length=1, max_length=500)


class ApplicationOut(OutputModel):
    id: uuid.UUID
    reference: str | None
    application_type: ApplicationType
    applicant_org: str
    applicant_name: str
    destination_country: str
    end_use: str
    status: str = Field(description="see the transition table; Dutch labels in the docs")
    outcome: Outcome | None
    track: str | None
    decision_authority: str | None
    indicative_max_working_days: int | None
    screening_status: str
    russia_circumvention_flag: bool
    case_officer: str | None = None
    assigned_at: datetime | None = None
    version: int
    submitted_at: datetime | None
    decided_at: datetime | None
    created_at: datetime
    lines: list[GoodsLineOut]
    parties: list[PartyOut]


class TransitionIn(InputModel):
    to: Annotated[str, StringConstraints(min_length=1, max_length=40)]
    reason: LongText | None = None


class InformationRequestIn(InputModel):
    question: LongText
    allows_edit: bool = False


class InformationAnswerIn(InputModel):
    answer: LongText


class InformationRequestOut(OutputModel):
    id: uuid.UUID
    application_id: uuid.UUID
    question: str
    allows_edit: bool
    status: str
    opened_at: datetime
    answer: str | None
    answered_at: datetime | None


class AdviceIn(InputModel):
    subject_type: Annotated[str, StringConstraints(pattern=r"^(line|party)$")]
    subject_id: uuid.UUID
    recommendation: Recommendation
    conditions: LongText | None = None
    refusal_criteria: list[RefusalCriterion] = Field(default_factory=list, max_length=8)


class AdviceOut(OutputModel):
    id: uuid.UUID
    subject_type: str
    subject_id: uuid.UUID
    recommendation: Recommendation
    conditions: str | None
    refusal_criteria: list[int]
    given_by: str
    given_at: datetime
    invalidated_at: datetime | None = Field(
        None, description="the file was edited after this advice: it no longer counts")


class LicenceLineTerms(InputModel):
    line_no: int = Field(ge=1)
    control_mode: ControlMode


class DecisionIn(InputModel):
    outcome: Outcome
    refusal_criteria: list[RefusalCriterion] = Field(
        default_factory=list, max_length=8,
        description="EU Common Position 2008/944/CFSP criteria 1-8; required for a refusal")
    conditions: LongText | None = None
    reason: LongText | None = None
    valid_from: BoundedDate | None = Field(
        None, description="default and earliest: the day of the decision (Europe/Brussels)")
    valid_until: BoundedDate | None = Field(
        None, description="at most the legal maximum for the licence type (data)")
    line_terms: list[LicenceLineTerms] = Field(
        default_factory=list, description="how each line is controlled (default: both)")


class DecisionOut(OutputModel):
    id: uuid.UUID
    application_id: uuid.UUID
    outcome: Outcome
    authority: str
    decided_by: str
    decided_at: datetime
    refusal_criteria: list[int]
    conditions: str | None
    granted_despite_denial: bool
    licence_id: uuid.UUID | None = None
    licence_number: str | None = None


class TurnaroundOut(BaseModel):
    application_id: uuid.UUID
    working_days: int
    paused_working_days: int
    started_on: date | None
    stopped_on: date | None
    running: bool
    indicative_max_working_days: int | None
    track: str | None


class ApplicationFilter(BaseModel):
    status: str | None = None
