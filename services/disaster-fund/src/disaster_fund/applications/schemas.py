import uuid
from datetime import date
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from pydantic import BaseModel
from pydantic import Field

from disaster_fund.schema_types import Day
from disaster_fund.schema_types import Moment
from disaster_fund.workflow import ApplicationState
from dkbuza_kit.refdata import Iban
from dkbuza_kit.schemas import InputModel
from dkbuza_kit.schemas import OutputModel
from dkbuza_kit.schemas import PatchModel
from dkbuza_kit.types import Money
from dkbuza_kit.types import NonNegativeMoney
from dkbuza_kit.types import Quantity


class Category(StrEnum):
    """Category of the damaged goods (categorie van schade). Values (Dutch label): private_goods
    (private goederen), public_domain (openbaar domein), agricultural_crops (landbouwteelten),
    business (bedrijfsgoederen)."""

    private_goods = "private_goods"
    public_domain = "public_domain"
    agricultural_crops = "agricultural_crops"
    business = "business"


class Channel(StrEnum):
    """How the application came in. Values (Dutch label): online (digitaal ingediend), paper
    (op papier ontvangen)."""

    online = "online"
    paper = "paper"


class DamageItemIn(InputModel):
    description: str = Field(min_length=1, max_length=500)
    claimed_amount: NonNegativeMoney = Field(le=1_000_000_000)


class DamageItemOut(OutputModel):
    position: int
    description: str
    claimed_amount: Money


class ApplicationIn(InputModel):
    disaster_id: uuid.UUID
    municipality_nis: str = Field(pattern=r"^\d{5}$")
    damage_date: Day
    category: Category
    description: str | None = Field(default=None, max_length=5000)
    items: list[DamageItemIn] = Field(min_length=1, max_length=200)
    insured: bool = False
    insurer_name: str | None = Field(default=None, max_length=200)
    insurance_compensation: NonNegativeMoney = Decimal("0.00")
    insurer_attest_received_on: Day | None = None
    crop_area_ha: Quantity | None = Field(default=None, ge=0)
    insured_crop_area_ha: Quantity | None = Field(default=None, ge=0)
    crop_insurable_in_principle: bool = True
    priority_requested: bool = False
    priority_reason: str | None = Field(default=None, max_length=2000)
    late_motivation: str | None = Field(default=None, max_length=5000)
    impediment_ended_on: Day | None = None
    # Paper applications registered by a handler:
    received_at: Moment | None = Field(default=None, description="paper: date of receipt")
    applicant_id: str | None = Field(default=None, min_length=1, max_length=200)
    applicant_name: str | None = Field(default=None, max_length=300)


class ApplicationOut(OutputModel):
    id: uuid.UUID
    disaster_id: uuid.UUID
    dossier_number: str | None
    applicant_sub: str
    applicant_org: str | None
    applicant_name: str | None
    channel: Channel
    received_at: datetime
    municipality_nis: str
    damage_date: date
    category: Category
    description: str | None
    insured: bool
    insurer_name: str | None
    insurance_compensation: Money
    insurer_attest_received_on: date | None
    crop_area_ha: Quantity | None
    insured_crop_area_ha: Quantity | None
    crop_insurable_in_principle: bool
    priority_requested: bool
    priority_reason: str | None
    is_late: bool
    late_motivation: str | None
    impediment_ended_on: date | None
    claimed_total: Money
    state: ApplicationState
    state_changed_at: datetime
    version: int
    handler_sub: str | None
    expert_sub: str | None
    assessed_amount: Money | None
    decision_version: int | None
    decided_amount: Money | None
    paid_amount: Money
    recovered_amount: Money
    one_year_mark: date
    completed_on: date | None
    completion_kind: str | None
    completed_on_time: bool | None
    phase: str | None
    contact_email: str | None = None
    contact_phone: str | None = None
    payee_kind: str | None = None
    payee_name: str | None = None
    payee_iban: str | None = None
    items: list[DamageItemOut] = []


class PayeeKind(StrEnum):
    """Who receives the payment. Values (Dutch label): applicant (aanvrager), representative
    (vertegenwoordiger), insurer (verzekeraar, voor rekening van de verzekerde)."""

    applicant = "applicant"
    representative = "representative"
    insurer = "insurer"


class PayeeIn(InputModel):
    kind: PayeeKind
    name: str = Field(min_length=1, max_length=300)
    iban: Iban


class ApplicationCorrectionIn(PatchModel):
    """Facts that may be corrected after submission (audited; a changed amount after a
    decision yields a new decision version)."""

    insured: bool | None = None
    insurer_name: str | None = Field(default=None, max_length=200)
    insurance_compensation: NonNegativeMoney | None = None
    insurer_attest_received_on: Day | None = None
    contact_email: str | None = Field(default=None, max_length=200,
                                      pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    contact_phone: str | None = Field(default=None, max_length=50, pattern=r"^[+0-9 ()./-]{6,50}$")
    payee: PayeeIn | None = None


class ApplicationTransitionIn(InputModel):
    to_state: ApplicationState
    reason: str | None = Field(default=None, max_length=2000)
    handler_sub: str | None = Field(default=None, max_length=200)
    expert_sub: str | None = Field(default=None, max_length=200)
    on: Day | None = Field(default=None, description="decision_notified: date the applicant "
                            "received the decision (default today)")


class BulkExpertAssignmentIn(InputModel):
    application_ids: list[uuid.UUID] = Field(min_length=1, max_length=200)
    expert_sub: str = Field(min_length=1, max_length=200)


class BulkItemResult(BaseModel):
    application_id: uuid.UUID
    ok: bool
    code: str | None = None
    detail: str | None = None
    payment_id: uuid.UUID | None = None


class BulkResult(BaseModel):
    succeeded: int
    failed: int
    results: list[BulkItemResult]


class PauseIn(InputModel):
    reason: str = Field(min_length=1, max_length=60, description=(
        "waiting_for_documents (wacht op documenten), report_with_applicant (verslag bij de "
        "aanvrager), waiting_insurer_attest (wacht op verzekeringsattest); others are refused"))
    started_at: Moment | None = None
    ended_at: Moment | None = None
    note: str | None = Field(default=None, max_length=2000)


class PauseEndIn(InputModel):
    ended_at: Moment | None = None


class PauseOut(OutputModel):
    id: uuid.UUID
    reason: str
    started_at: datetime
    ended_at: datetime | None
    note: str | None


class ExpertReportIn(InputModel):
    assessed_amount: NonNegativeMoney
    summary: str = Field(min_length=1, max_length=10000)
    excess_reason: str | None = Field(default=None, max_length=2000, description=(
        "required when the amount exceeds the claim by more than the rule set's "
        "expert_excess_ratio; a second handler then approves it"))


class ExpertReportOut(OutputModel):
    id: uuid.UUID
    expert_sub: str
    assessed_amount: Money
    summary: str
    sent_on: date
    reaction_deadline: date
    reaction: str | None
    reacted_at: datetime | None
    excess_reason: str | None = None
    excess_approved_by: str | None = None
    excess_approved_at: datetime | None = None


class DecisionIn(InputModel):
    reject_reason: str | None = Field(default=None, max_length=2000, description=(
        "a rejection (afwijzing): amount 0 with reason code REJECTED"))
    assessed_amount: NonNegativeMoney | None = Field(default=None, description=(
        "rectification: the corrected damage amount"))


class DecisionOut(OutputModel):
    id: uuid.UUID
    version: int
    kind: str
    rule_set_id: int
    amount: Money
    reason_code: str | None
    inputs: dict[str, Any]
    breakdown: dict[str, Any]
    decided_at: datetime
    decided_by: str
    received_on: date | None
    superseded_at: datetime | None = None
    review_selected: bool = False
    review_outcome: str | None = None
    reviewed_by: str | None = None


class RecomputationOut(BaseModel):
    version: int
    rule_set_id: int
    stored_amount: Money
    recomputed_amount: Money
    stored_reason_code: str | None
    recomputed_reason_code: str | None
    identical: bool


class AppealIn(InputModel):
    lodged_on: Day
    reason: str | None = Field(default=None, max_length=5000)


class JudgmentIn(InputModel):
    judgment_on: Day
    amount: NonNegativeMoney


class AppealOut(OutputModel):
    id: uuid.UUID
    decision_version: int
    lodged_on: date
    out_of_time: bool
    flags: list[str] = []
    reason: str | None
    status: str
    judgment_on: date | None
    judgment_amount: Money | None


class PhaseSpanOut(BaseModel):
    phase: str
    entered_on: date
    left_on: date | None
    gross_days: int
    net_days: int


class TurnaroundOut(BaseModel):
    application_id: uuid.UUID
    spans: list[PhaseSpanOut]
    totals: dict[str, dict[str, int]]
    gross_days: int
    net_days: int
    current_phase: str | None
    current_norm_days: int | None
    current_norm_status: str | None


class NormAlertOut(BaseModel):
    application_id: uuid.UUID
    dossier_number: str | None
    disaster_id: uuid.UUID
    state: str
    phase: str
    phase_entered_at: datetime
    net_days_in_phase: int
    norm_days: int
    status: str


class ExpertFollowUpOut(OutputModel):
    expert_sub: str
    dossiers: int
    open_assignments: int
    reports_sent: int
    overdue: int = Field(description="open assignments past the expertise norm")
    lead_time_avg_days: float | None = Field(description="assignment to first report")


class AppealReportRow(OutputModel):
    appeal_id: uuid.UUID
    application_id: uuid.UUID
    dossier_number: str | None
    reference: str
    decision_version: int
    lodged_on: date
    out_of_time: bool
    status: str
    judgment_on: date | None
    judgment_amount: Money | None


class CompletionKind(StrEnum):
    """How a historic dossier ended. Values (Dutch label): paid (uitbetaald), rejected
    (afgewezen of EUR 0), inadmissible (onontvankelijk), withdrawn (ingetrokken)."""

    paid = "paid"
    rejected = "rejected"
    inadmissible = "inadmissible"
    withdrawn = "withdrawn"


class HistoricDossierIn(InputModel):
    """A dossier handled before this service, with its dates (history import)."""

    disaster_id: uuid.UUID
    dossier_number: str = Field(min_length=1, max_length=30)
    applicant_id: str = Field(min_length=1, max_length=200)
    applicant_name: str | None = Field(default=None, max_length=300)
    municipality_nis: str = Field(pattern=r"^\d{5}$")
    damage_date: Day
    category: Category
    items: list[DamageItemIn] = Field(min_length=1, max_length=200)
    received_on: Day
    completion_kind: CompletionKind
    completed_on: Day = Field(description="completion (or withdrawal) date")
    decided_amount: NonNegativeMoney | None = None
    paid_amount: NonNegativeMoney = Decimal("0.00")
    first_paid_on: Day | None = None


class HistoryImportIn(InputModel):
    dossiers: list[HistoricDossierIn] = Field(min_length=1, max_length=500)


class HistoryImportOut(OutputModel):
    imported: int
    application_ids: list[uuid.UUID]


class ReviewOutcome(StrEnum):
    """Outcome of the sampled review of a decision. Values (Dutch label): confirmed
    (bevestigd), to_rectify (recht te zetten)."""

    confirmed = "confirmed"
    to_rectify = "to_rectify"


class DecisionReviewIn(InputModel):
    outcome: ReviewOutcome
    note: str | None = Field(default=None, max_length=2000)
