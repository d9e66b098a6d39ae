"""The calendar's JSON shapes (also the rows of the CSV and the events of the iCalendar)."""

from datetime import date
from datetime import datetime
from datetime import time

from pydantic import BaseModel
from pydantic import Field

from dkbuza_kit.dates import Precision


class CalendarItem(BaseModel):
    uid: str
    release_id: str
    statistic_code: str
    statistic_title: str
    entity_code: str
    entity_name: str
    theme: str
    reference_period: str
    vintage: str
    release_type: str
    target: str = Field(description="As announced: 2025-06 (month) or 2025-06-12 (day)")
    date_precision: Precision
    exact_date: date | None = Field(description="The exact day; null for month, quarter or year "
                                                "targets (see date_precision)")
    period_first: date
    period_last: date
    release_time: time
    scheduled_at: datetime | None
    state: str
    first_announced_target: str
    rescheduled: bool
    previous_target: str | None = Field(description="The target before the last reschedule")
    reschedule_reason: str | None = Field(description="The reason of the last reschedule")
    cancel_reason: str | None
    published_at: datetime | None
    output_url: str | None
    sequence: int
    last_modified: datetime


class CalendarOut(BaseModel):
    date_from: date = Field(serialization_alias="from")
    date_to: date = Field(serialization_alias="to")
    total: int
    limit: int
    offset: int
    items: list[CalendarItem]
