"""Bounded partial dates: a year, quarter, month or day a client sends lies within the kit's
calendar window (1900-01-01..2099-12-31), like every other date (422 otherwise, never 500)."""

from typing import Annotated

from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

from dkbuza_kit.dates import PartialDate
from dkbuza_kit.dates import PartialDateField
from dkbuza_kit.types import DATE_MAX
from dkbuza_kit.types import DATE_MIN


def _partial_in_window(value: PartialDate) -> PartialDate:
    if value.first < DATE_MIN or value.last > DATE_MAX:
        raise PydanticCustomError("date_out_of_window", "the date must lie between {min} and {max}",
                                  {"min": DATE_MIN.isoformat(), "max": DATE_MAX.isoformat()})
    return value


BoundedPartialDate = Annotated[PartialDateField, AfterValidator(_partial_in_window)]
