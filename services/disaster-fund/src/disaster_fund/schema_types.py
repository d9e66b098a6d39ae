"""Input field types shared by the schemas: bounded legal dates and aware timestamps.

Dates are bounded so that month arithmetic on them (deadlines, one-year marks) can never leave
the calendar and turn bad input into a server error.
"""

from datetime import date
from typing import Annotated

from pydantic import AwareDatetime, Field

Day = Annotated[date, Field(ge=date(1950, 1, 1), le=date(2199, 12, 31))]
Moment = AwareDatetime
