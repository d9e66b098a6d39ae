import uuid
from datetime import datetime, time

from pydantic import Field

from dkbuza_kit.dates import PartialDateField, Precision
from vsp_statistics.common import InputModel, OutputModel
from vsp_statistics.releases.punctuality import PunctualityStatus
from vsp_statistics.releases.timeliness import Vintage
from vsp_statistics.releases.workflow import ReleaseState

STATE_DOC = ("planned (gepland), in_review (in nazicht), approved (goedgekeurd), "
             "published (gepubliceerd), cancelled (geannuleerd)")
VINTAGE_DOC = "first (eerste), provisional (voorlopig), final (definitief)"


class ReleaseIn(InputModel):
    statistic_id: uuid.UUID
    reference_period: PartialDateField = Field(description="e.g. 2024, 2025-Q1, 2025-03")
    vintage: Vintage = Field(description=VINTAGE_DOC)
    target: PartialDateField = Field(
        description="Target date: a year, quarter, month or exact day; an exact day is "
                    "required once the target is less than 28 days away")
    release_time: time | None = Field(
        default=None, description="Europe/Brussels; default the network's release time")


class PunctualityOut(OutputModel):
    status: PunctualityStatus = Field(description="on_time (tijdig), late (te laat), early "
                                                  "(vroeger), not_yet_published, overdue")
    days: int | None = Field(description="Actual minus target date in days")


class ReleaseOut(OutputModel):
    id: uuid.UUID
    uid: str = Field(description="Stable calendar UID, kept across reschedules")
    statistic_id: uuid.UUID
    statistic_code: str
    statistic_title: str
    entity_code: str
    theme: str
    reference_period: str
    vintage: Vintage
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
    punctuality: PunctualityOut = Field(description="TP3 against the current target")
    punctuality_strict: PunctualityOut = Field(description="TP3 against the first announced "
                                                           "target")
    time_lag_days: int | None = Field(description="Days from the end of the reference period "
                                                  "to publication")
    version: int


class TransitionIn(InputModel):
    to: ReleaseState = Field(description=STATE_DOC)
    reason: str | None = Field(default=None, max_length=5000,
                               description="Required to cancel and to publish early")
    override_early_publication: bool = Field(
        default=False, description="Publish before the scheduled moment (vsa.staff only, "
                                   "audited)")


class StatusChangeOut(OutputModel):
    id: int
    from_state: ReleaseState | None
    to_state: ReleaseState
    reason: str | None
    changed_by: str
    changed_at: datetime


class RescheduleIn(InputModel):
    new_target: PartialDateField
    # Optional in the schema so that a missing one answers with its own problem code.
    reason: str | None = Field(default=None, max_length=5000)
    approved_by: str | None = Field(default=None, max_length=200,
                                    description="Who approved the date change")


class RescheduleOut(OutputModel):
    id: int
    old_target: str
    new_target: str
    reason: str
    approved_by: str
    rescheduled_by: str
    rescheduled_at: datetime


class PreReleaseAccessIn(InputModel):
    person_name: str = Field(min_length=1, max_length=200)
    organisation: str = Field(min_length=1, max_length=200)
    justification: str = Field(min_length=1, max_length=5000)
    access_from: datetime


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
