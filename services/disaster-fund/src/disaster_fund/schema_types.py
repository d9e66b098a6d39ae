"""Input field types shared by the schemas: bounded legal dates and aware timestamps.

Every date a client sends lies in the kit's calendar window (1900-01-01..2099-12-31), so month
arithmetic on it (deadlines, one-year marks) can never leave the calendar; whether the date is
TRUE (not in the future, after the step it follows) is checked by `dkbuza_kit.timeline`.
"""

from typing import Annotated

from pydantic import AfterValidator
from pydantic import AwareDatetime
from pydantic import Field
from pydantic_core import PydanticCustomError

from dkbuza_kit.types import DATE_MAX
from dkbuza_kit.types import DATE_MIN
from dkbuza_kit.types import BoundedDate
from dkbuza_kit.types import in_date_window


def _moment_in_window(value):
    if not in_date_window(value):
        raise PydanticCustomError(
            "date_out_of_window", "the date must lie between {min} and {max}",
            {"min": DATE_MIN.isoformat(), "max": DATE_MAX.isoformat(), "value": str(value)})
    return value


Day = BoundedDate
Moment = Annotated[AwareDatetime, AfterValidator(_moment_in_window),
                   Field(json_schema_extra={"x-minimum": DATE_MIN.isoformat(),
                                            "x-maximum": DATE_MAX.isoformat()})]
