import uuid
from datetime import date
from datetime import datetime
from enum import StrEnum

from pydantic import Field

from dkbuza_kit.schemas import InputModel
from dkbuza_kit.schemas import OutputModel
from dkbuza_kit.types import BoundedDate
from vsp_statistics.patching import PatchModel


class Periodicity(StrEnum):
    """How often an official statistic is released (periodiciteit). Values (Dutch label):
    monthly (maandelijks), quarterly (driemaandelijks), annual (jaarlijks), multi_annual
    (meerjaarlijks), ad_hoc (ad hoc)."""

    monthly = "monthly"
    quarterly = "quarterly"
    annual = "annual"
    multi_annual = "multi_annual"
    ad_hoc = "ad_hoc"


class ListChangeKind(StrEnum):
    """Change of the VSP list of official statistics. Values (Dutch label): included
    (opgenomen op de VSP-lijst), removed (geschrapt van de VSP-lijst)."""

    included = "included"
    removed = "removed"


class DecisionType(StrEnum):
    """Kind of decision behind a VSP list change. Values (Dutch label): cvos_decision
    (beslissing van het CVOS), rvos_advice (advies van de RVOS)."""

    cvos_decision = "cvos_decision"
    rvos_advice = "rvos_advice"


class ListDecisionIn(InputModel):
    effective_on: BoundedDate
    reason: str = Field(min_length=1, max_length=5000)
    decision_type: DecisionType = Field(
        description="cvos_decision (beslissing CVOS) or rvos_advice (advies RVOS)")
    decision_reference: str = Field(min_length=1, max_length=200)


class ListChangeIn(ListDecisionIn):
    change: ListChangeKind = Field(description="included (opname) or removed (schrapping)")


class ListChangeOut(OutputModel):
    id: int
    statistic_id: uuid.UUID
    change: ListChangeKind
    effective_on: date
    reason: str
    decision_type: DecisionType
    decision_reference: str
    recorded_at: datetime


class DatasetIn(InputModel):
    url: str = Field(min_length=8, max_length=2000, pattern=r"^https?://\S+$")
    format: str = Field(min_length=1, max_length=40, examples=["CSV"])
    licence: str = Field(min_length=1, max_length=100, examples=["Modellicentie Gratis Hergebruik"])


class DatasetOut(OutputModel):
    id: uuid.UUID
    url: str
    format: str
    licence: str


class StatisticIn(InputModel):
    code: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_.-]+$")
    title: str = Field(min_length=1, max_length=300)
    theme: str = Field(min_length=1, max_length=100)
    entity_code: str = Field(min_length=1, max_length=40,
                             description="The producing network entity (exactly one)")
    periodicity: Periodicity = Field(description="maandelijks, driemaandelijks, jaarlijks, "
                                                 "meerjaarlijks, ad hoc")
    description: str | None = Field(default=None, max_length=5000)
    inclusion: ListDecisionIn = Field(description="The decision that puts it on the VSP list")
    datasets: list[DatasetIn] = Field(default_factory=list, max_length=50)


class StatisticOut(OutputModel):
    id: uuid.UUID
    code: str
    title: str
    theme: str
    entity_code: str
    periodicity: Periodicity
    description: str | None
    on_list: bool = Field(description="On the VSP list at the `as_of` date (default today)")
    datasets: list[DatasetOut]
    version: int = Field(description="Changes with every update (the ETag)")


class StatisticPatch(PatchModel):
    """Descriptive fields and the open datasets. The code and the producing entity never change;
    inclusion on and removal from the list stay `POST .../list-changes` (with a decision)."""

    REQUIRED = frozenset({"title", "theme", "periodicity", "datasets"})

    title: str | None = Field(default=None, min_length=1, max_length=300)
    theme: str | None = Field(default=None, min_length=1, max_length=100)
    periodicity: Periodicity | None = None
    description: str | None = Field(default=None, max_length=5000)
    datasets: list[DatasetIn] | None = Field(
        default=None, max_length=50,
        description="The complete list of open datasets: replaces the current one (datasets "
                    "with the same url, format and licence are kept as they are)")
