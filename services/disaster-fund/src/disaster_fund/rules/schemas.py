from datetime import date
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import Field
from pydantic import model_validator

from disaster_fund.calculation import Bracket
from disaster_fund.calculation import CalculationRules
from disaster_fund.calculation import CropRules
from disaster_fund.deadlines import Windows
from disaster_fund.schema_types import Day
from disaster_fund.workflow import RECOGNITION_PHASES
from disaster_fund.workflow import Phase
from dkbuza_kit.schemas import InputModel
from dkbuza_kit.schemas import OutputModel
from dkbuza_kit.types import NonNegativeMoney
from dkbuza_kit.types import PositiveDayCount

Rate = Annotated[Decimal, Field(ge=0, le=1, max_digits=6, decimal_places=4)]


class Regime(StrEnum):
    """Legal regime of a rule set, chosen by the event date. Values (Dutch label): regime_2016
    (regeling van het decreet van 3 juni 2016, rampen tot en met 2019), regime_2019 (regeling
    van het decreet van 5 april 2019, rampen vanaf 2020)."""

    regime_2016 = "regime_2016"
    regime_2019 = "regime_2019"


class BracketIn(InputModel):
    lower: NonNegativeMoney
    upper: NonNegativeMoney | None = None
    rate: Rate


class CropRulesIn(InputModel):
    transitional_from: Day
    transitional_to: Day
    min_insured_share: Rate
    high_rate_above_share: Rate
    high_rate: Rate
    low_rate: Rate
    hail_excluded: bool = True


# The disaster states that carry a norm, as their own enum: a rule set names only these.
RecognitionPhase = StrEnum("RecognitionPhase", [(state.name, state.value)
                                                for state in RECOGNITION_PHASES])
RecognitionPhase.__doc__ = """Phases of the recognition procedure that carry a norm (the disaster's
state while it is in them). Values (Dutch label): reporting (schademeldingen), investigation
(onderzoek), awaiting_advice (wacht op advies), assessed (criteria getoetst),
submitted_to_government (bij de Vlaamse Regering), recognised (erkend, wacht op publicatie)."""


class LegalBasis(InputModel):
    """Where a regime comes from; `verified: false` marks a date not checked against the text."""

    instrument: str = Field(max_length=500)
    gazette: str | None = Field(default=None, max_length=300)
    implementing_order: str | None = Field(default=None, max_length=300)
    applies_to_events_from: Day
    verified: bool
    note: str | None = Field(default=None, max_length=2000)


class RuleSetContent(InputModel):
    """Everything the rules need; values are data (seeded by a migration, versioned)."""

    report_window_days: int = Field(ge=1, le=365)
    application_months_after_publication_month: int = Field(ge=1, le=24)
    late_months_after_publication: int = Field(ge=1, le=60)
    late_months_after_impediment: int = Field(ge=1, le=24)
    expert_report_reaction_months: int = Field(ge=1, le=12)
    rectification_months: int = Field(ge=1, le=12)
    appeal_months: int = Field(ge=1, le=12)
    franchise_private: NonNegativeMoney
    franchise_public_domain: NonNegativeMoney
    brackets: list[BracketIn] = Field(min_length=1, max_length=50)
    crop_rules: CropRulesIn | None = None
    # Norms are day counts (1..3660): a norm of -30 or 10^12 days is refused (422).
    phase_norms_days: dict[Phase, PositiveDayCount]
    norm_warning_days: int = Field(ge=0, le=365)
    one_year_at_risk_days: int = Field(default=60, ge=0, le=365)
    # An expert's amount above claimed total x this ratio needs a reason and a second handler.
    expert_excess_ratio: Decimal = Field(default=Decimal("2.0"), ge=1, le=1000, max_digits=8,
                                         decimal_places=2)
    # Payment orders of at least this amount need a second person's approval (four eyes).
    payment_approval_threshold: NonNegativeMoney | None = None
    # Share of decisions drawn for a quality review by a second person (0..1).
    review_sample_share: Rate = Decimal("0")
    # Norms per recognition phase (state of the disaster), in days.
    recognition_norms_days: dict[RecognitionPhase, PositiveDayCount] = Field(default_factory=dict)
    # The keys above whose values no legal text fixes (shown as `working value`).
    working_values: list[str] = Field(default_factory=list, max_length=50)
    legal_basis: LegalBasis | None = None

    @model_validator(mode="after")
    def _brackets_contiguous(self) -> "RuleSetContent":
        expected = Decimal(0)
        for index, band in enumerate(self.brackets):
            if band.lower != expected:
                raise ValueError(f"bracket {index} must start at {expected}")
            if band.upper is None and index != len(self.brackets) - 1:
                raise ValueError("only the last bracket may be open-ended")
            if band.upper is not None and band.upper <= band.lower:
                raise ValueError(f"bracket {index} must end after it starts")
            expected = band.upper if band.upper is not None else expected
        if set(self.phase_norms_days) != set(Phase):
            raise ValueError(f"phase_norms_days needs every phase: {[p.value for p in Phase]}")
        return self

    def windows(self) -> Windows:
        return Windows(
            report_window_days=self.report_window_days,
            application_months_after_publication_month=self.application_months_after_publication_month,
            late_months_after_publication=self.late_months_after_publication,
            late_months_after_impediment=self.late_months_after_impediment,
            expert_report_reaction_months=self.expert_report_reaction_months,
            rectification_months=self.rectification_months,
            appeal_months=self.appeal_months,
        )

    def calculation_rules(self) -> CalculationRules:
        crop = self.crop_rules
        return CalculationRules(
            franchise_private=self.franchise_private,
            franchise_public_domain=self.franchise_public_domain,
            brackets=tuple(Bracket(b.lower, b.upper, b.rate) for b in self.brackets),
            crop_rules=None if crop is None else CropRules(
                crop.transitional_from, crop.transitional_to, crop.min_insured_share,
                crop.high_rate_above_share, crop.high_rate, crop.low_rate, crop.hail_excluded),
        )


class RuleSetIn(InputModel):
    regime: Regime
    applies_from: Day
    applies_to: Day | None = None
    content: RuleSetContent
    note: str | None = Field(default=None, max_length=500)


class RuleSetOut(OutputModel):
    id: int
    regime: Regime
    version: int
    applies_from: date
    applies_to: date | None
    content: RuleSetContent
    note: str | None
    created_by: str
    created_at: datetime
