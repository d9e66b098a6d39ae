import uuid
from datetime import date
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field
from pydantic import model_validator

from disaster_fund.schema_types import Day
from disaster_fund.workflow import DisasterState
from dkbuza_kit.schemas import InputModel
from dkbuza_kit.schemas import OutputModel
from dkbuza_kit.types import Money


class Phenomenon(StrEnum):
    """Natural phenomenon of the disaster (natuurfenomeen van de ramp), after article 2, 2° and
    3° of the decree of 5 April 2019. Values (Dutch label): earthquake (aardbeving), landslide
    (aardverschuiving), subsidence (grondverzakking), flooding (overstroming), tornado
    (tornado), hurricane (orkaan), volcanic_eruption (vulkaanuitbarsting), wildfire
    (natuurbrand van natuurlijke oorsprong), frost (vorst), storm (storm en rukwinden), hail
    (hagel), snow_ice_pressure (sneeuw- of ijsdruk), heavy_rain (hevige of aanhoudende regen),
    drought (ernstige droogte), other (ander natuurfenomeen)."""

    earthquake = "earthquake"
    landslide = "landslide"
    subsidence = "subsidence"
    flooding = "flooding"
    tornado = "tornado"
    hurricane = "hurricane"
    volcanic_eruption = "volcanic_eruption"
    wildfire = "wildfire"
    frost = "frost"
    storm = "storm"
    hail = "hail"
    snow_ice_pressure = "snow_ice_pressure"
    heavy_rain = "heavy_rain"
    drought = "drought"
    other = "other"


class Institute(StrEnum):
    """Scientific institute asked for advice on the recognition criteria. Values (Dutch label):
    kmi (Koninklijk Meteorologisch Instituut, KMI), vmm (Vlaamse Milieumaatschappij, VMM),
    flanders_hydraulics (Waterbouwkundig Laboratorium), royal_observatory (Koninklijke
    Sterrenwacht van België)."""

    kmi = "kmi"
    vmm = "vmm"
    flanders_hydraulics = "flanders_hydraulics"
    royal_observatory = "royal_observatory"


NisCode = str


class DisasterIn(InputModel):
    title: str = Field(min_length=1, max_length=300)
    phenomenon: Phenomenon
    event_start: Day
    event_end: Day
    municipalities: list[NisCode] = Field(min_length=1, max_length=400)


class DisasterPatch(InputModel):
    title: str | None = Field(default=None, min_length=1, max_length=300)
    municipalities: list[NisCode] | None = Field(default=None, min_length=1, max_length=400)


class Comparison(StrEnum):
    """How a measured value meets its threshold. Values (Dutch label): at_least (minstens de
    drempel, e.g. rainfall), at_most (hoogstens de drempel, e.g. a rainfall deficit index)."""

    at_least = "at_least"
    at_most = "at_most"


class CriterionIn(InputModel):
    """A scientific or financial recognition criterion: its measured value and threshold
    (whether it is met is computed, never sent)."""

    kind: str = Field(pattern="^(scientific|financial)$")
    name: str = Field(min_length=1, max_length=200)
    measured_value: Decimal = Field(max_digits=18, decimal_places=4)
    threshold: Decimal = Field(max_digits=18, decimal_places=4)
    comparison: Comparison = Comparison.at_least
    unit: str = Field(max_length=40)


def criterion_met(measured: Decimal, threshold: Decimal, comparison: Comparison) -> bool:
    return measured >= threshold if comparison is Comparison.at_least else measured <= threshold


class Criterion(CriterionIn):
    """As stored and shown: `met` is always recomputed from the measured value and the
    threshold (also for rows written before it was stored, e.g. demo or migrated data)."""

    model_config = ConfigDict(extra="ignore")
    met: bool = False

    @model_validator(mode="after")
    def _computed(self) -> "Criterion":
        self.met = criterion_met(self.measured_value, self.threshold, self.comparison)
        return self


def criterion_out(criterion: CriterionIn) -> Criterion:
    return Criterion(**criterion.model_dump(), met=criterion_met(
        criterion.measured_value, criterion.threshold, criterion.comparison))


class DisasterTransitionIn(InputModel):
    to_state: DisasterState
    reason: str | None = Field(default=None, max_length=2000)
    on: Day | None = Field(default=None, description="date of the step (default: today)")
    criteria: list[CriterionIn] | None = Field(default=None, max_length=50)
    decision_date: Day | None = None
    scope_municipalities: list[NisCode] | None = Field(default=None, max_length=400)
    scope_period_start: Day | None = None
    scope_period_end: Day | None = None
    publication_date: Day | None = None


class AdviceRequestIn(InputModel):
    institute: Institute
    requested_on: Day


class AdviceReceivedIn(InputModel):
    received_on: Day
    summary: str | None = Field(default=None, max_length=5000)


class AdviceRequestOut(OutputModel):
    id: uuid.UUID
    institute: Institute
    requested_on: date
    received_on: date | None
    summary: str | None


class DerivedDeadlines(BaseModel):
    report_deadline: date
    application_deadline: date | None
    late_deadline: date | None
    one_year_mark: date | None


class DisasterOut(OutputModel):
    id: uuid.UUID
    reference: str
    title: str
    phenomenon: Phenomenon
    event_start: date
    event_end: date
    municipalities: list[str]
    regime: str
    state: DisasterState
    version: int
    investigation_started_on: date | None
    assessed_on: date | None
    criteria: list[Criterion] | None
    submitted_to_government_on: date | None
    recognition_decision_date: date | None
    scope_municipalities: list[str] | None
    scope_period_start: date | None
    scope_period_end: date | None
    publication_date: date | None
    not_recognised_reason: str | None
    closed_on: date | None
    state_changed_at: datetime
    deadlines: DerivedDeadlines
    advice_requests: list[AdviceRequestOut] = []


class RecognitionPhaseOut(OutputModel):
    disaster_id: uuid.UUID
    reference: str
    title: str
    state: DisasterState
    phase_entered_on: date
    days_in_phase: int
    norm_days: int | None
    working_value: bool = Field(description="the norm is a working value of the rule set")
    status: str = Field(description="overdue (voorbij de norm), ok, no_norm (geen norm)")


class MunicipalityReportsOut(OutputModel):
    municipality_nis: str
    reports: int
    with_estimate: int
    estimated_total: Money


class DamageReportSummaryOut(OutputModel):
    disaster_id: uuid.UUID
    reference: str
    municipalities: list[MunicipalityReportsOut]
    reports: int
    estimated_total: Money
    financial_criteria: list[Criterion]
