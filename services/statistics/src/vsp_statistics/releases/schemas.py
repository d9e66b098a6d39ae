import uuid
from datetime import datetime
from datetime import time
from enum import StrEnum

from pydantic import Field

from dkbuza_kit.dates import Precision
from dkbuza_kit.schemas import InputModel
from dkbuza_kit.schemas import OutputModel
from dkbuza_kit.types import BoundedDate
from dkbuza_kit.types import BoundedDateTime
from vsp_statistics.bounds import BoundedPartialDate
from vsp_statistics.releases.punctuality import PunctualityStatus
from vsp_statistics.releases.timeliness import Vintage
from vsp_statistics.releases.workflow import ReleaseState

STATE_DOC = ("planned (gepland), in_review (in nazicht), approved (goedgekeurd), "
             "published (gepubliceerd), cancelled (geannuleerd)")
VINTAGE_DOC = "first (eerste), provisional (voorlopig), final (definitief)"
TYPE_DOC = "official (officieel), experimental (experimenteel), ad_hoc (ad hoc)"
URL = Field(min_length=8, max_length=2000, pattern=r"^https?://\S+$")


class ReleaseType(StrEnum):
    """Kind of release. Values (Dutch label): official (officiële statistiek), experimental
    (experimentele statistiek), ad_hoc (ad-hocpublicatie)."""

    official = "official"
    experimental = "experimental"
    ad_hoc = "ad_hoc"


class ReleaseIn(InputModel):
    statistic_id: uuid.UUID
    reference_period: BoundedPartialDate = Field(
        description="e.g. 2024, 2025-Q1, 2025-03; matches the statistic's periodicity")
    vintage: Vintage = Field(description=VINTAGE_DOC)
    release_type: ReleaseType = Field(default=ReleaseType.official, description=TYPE_DOC)
    target: BoundedPartialDate = Field(
        description="Target date: a year, quarter, month or exact day; an exact day is "
                    "required once the target is less than 28 days away")
    release_time: time | None = Field(
        default=None, description="Europe/Brussels wall-clock time without offset (an offset "
                                  "is refused); default the network's release time")


class PunctualityOut(OutputModel):
    status: PunctualityStatus = Field(description="on_time (tijdig), late (te laat), early "
                                                  "(vroeger), not_yet_published, overdue")
    days: int | None = Field(description="Actual minus target date in days")


class ReleaseOut(OutputModel):
    """A release as anyone may see it (no user ids)."""

    id: uuid.UUID
    uid: str = Field(description="Stable calendar UID, kept across reschedules")
    statistic_id: uuid.UUID
    statistic_code: str
    statistic_title: str
    entity_code: str
    theme: str
    reference_period: str
    vintage: Vintage
    release_type: ReleaseType = Field(description=TYPE_DOC)
    target: str
    target_precision: Precision
    first_announced_target: str
    reschedule_count: int
    release_time: time
    scheduled_at: datetime | None = Field(description="Target day at release time; null while "
                                                      "the target is not an exact day")
    state: ReleaseState = Field(description=STATE_DOC)
    cancel_reason: str | None
    published_at: datetime | None
    published_with_override: bool
    output_url: str | None = Field(description="The published output (set on publication)")
    recorded_from_history: bool = Field(description="Entered afterwards as a historic release")
    punctuality: PunctualityOut = Field(description="TP3 against the current target")
    punctuality_strict: PunctualityOut = Field(description="TP3 against the first announced "
                                                           "target")
    time_lag_days: int | None = Field(description="Days from the end of the reference period "
                                                  "to publication")
    version: int


class TransitionIn(InputModel):
    to: ReleaseState = Field(description=STATE_DOC + "; cancelled only through an approved "
                                                      "cancellation request")
    reason: str | None = Field(default=None, max_length=5000,
                               description="Required to publish early")
    override_early_publication: bool = Field(
        default=False, description="Publish before the scheduled moment (vsa.staff only, "
                                   "audited)")
    output_url: str | None = Field(default=None, min_length=8, max_length=2000,
                                   pattern=r"^https?://\S+$",
                                   description="Required to publish: the published output")


class StatusChangeOut(OutputModel):
    id: int
    from_state: ReleaseState | None
    to_state: ReleaseState
    reason: str | None
    changed_by: str
    changed_at: datetime


class RescheduleIn(InputModel):
    """A request to move the release; it takes effect when approved (never a typed name)."""

    new_target: BoundedPartialDate
    # Optional in the schema so that a missing one answers with its own problem code.
    reason: str | None = Field(default=None, max_length=5000)


class CancellationIn(InputModel):
    reason: str | None = Field(default=None, max_length=5000)


class ChangeKind(StrEnum):
    """A requested change of a release. Values (Dutch label): reschedule (verplaatsing),
    cancellation (annulering)."""

    reschedule = "reschedule"
    cancellation = "cancellation"


class RequestState(StrEnum):
    """Decision state of a change request. Values (Dutch label): pending (wacht op
    goedkeuring), approved (goedgekeurd), rejected (geweigerd)."""

    pending = "pending"
    approved = "approved"
    rejected = "rejected"


class ChangeDecisionIn(InputModel):
    note: str | None = Field(default=None, max_length=5000)


class ChangeRequestOut(OutputModel):
    id: int
    release_id: uuid.UUID
    kind: ChangeKind = Field(description="reschedule (verplaatsing), cancellation (annulering)")
    new_target: str | None
    reason: str
    state: RequestState = Field(description="pending, approved, rejected")
    requested_by: str
    requested_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str | None


class RescheduleOut(OutputModel):
    """An approved date change, as published."""

    id: int
    old_target: str
    new_target: str
    reason: str
    rescheduled_at: datetime


class LogKind(StrEnum):
    """Entry of a release's public change log. Values (Dutch label): announced (aangekondigd),
    rescheduled (verplaatst), cancelled (geannuleerd), published (gepubliceerd), corrected
    (gecorrigeerd)."""

    announced = "announced"
    rescheduled = "rescheduled"
    cancelled = "cancelled"
    published = "published"
    corrected = "corrected"


class ChangeLogEntry(OutputModel):
    at: datetime
    kind: LogKind = Field(description="announced, rescheduled, cancelled, published, corrected")
    old_target: str | None = None
    new_target: str | None = None
    text: str | None = Field(default=None, description="The reason or correction")


class PreReleaseAccessIn(InputModel):
    person_name: str = Field(min_length=1, max_length=200)
    organisation: str = Field(min_length=1, max_length=200)
    justification: str = Field(min_length=1, max_length=5000)
    access_from: BoundedDateTime


class PreReleaseAccessOut(OutputModel):
    id: uuid.UUID
    person_name: str
    organisation: str
    justification: str
    access_from: datetime
    granted_by: str


class CorrectionIn(InputModel):
    description: str = Field(min_length=1, max_length=10000)


class CorrectionOut(OutputModel):
    id: int
    description: str
    corrected_by: str
    corrected_at: datetime


class HistoricReleaseIn(InputModel):
    """A release published before it was entered here (its real announced and actual dates)."""

    statistic_id: uuid.UUID
    reference_period: BoundedPartialDate
    vintage: Vintage = Field(description=VINTAGE_DOC)
    release_type: ReleaseType = Field(default=ReleaseType.official, description=TYPE_DOC)
    first_announced_target: BoundedPartialDate = Field(description="The target first announced")
    first_announced_on: BoundedDate = Field(description="The day it was first announced")
    target: BoundedPartialDate | None = Field(
        default=None, description="The target current at publication, if it was moved")
    rescheduled_on: BoundedDate | None = Field(default=None,
                                               description="When it was moved (with `target`)")
    reschedule_reason: str | None = Field(default=None, max_length=5000)
    exact_day_announced_on: BoundedDate | None = Field(
        default=None, description="The day the exact publication day was announced")
    release_time: time | None = None
    published_at: BoundedDateTime = Field(description="The actual publication moment")
    output_url: str = URL


class HistoryIn(InputModel):
    releases: list[HistoricReleaseIn] = Field(min_length=1, max_length=500)


class HistoryOut(OutputModel):
    items: list[ReleaseOut]


