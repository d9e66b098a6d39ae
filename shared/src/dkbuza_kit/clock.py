"""The one source of "now": injectable so tests can set it."""

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from typing import Annotated
from typing import Protocol
from zoneinfo import ZoneInfo

from fastapi import Depends
from fastapi import Request

BRUSSELS = ZoneInfo("Europe/Brussels")


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock for tests: stands still until moved."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self._at = at

    def now(self) -> datetime:
        return self._at

    def set(self, at: datetime) -> None:
        self._at = at

    def advance(self, **delta: float) -> None:
        self._at += timedelta(**delta)


def today_brussels(clock: Clock) -> date:
    return clock.now().astimezone(BRUSSELS).date()


async def get_clock(request: Request) -> Clock:
    return request.app.state.clock


# Use as `clock: ClockDep` in an endpoint (tests set `app.state.clock`).
ClockDep = Annotated[Clock, Depends(get_clock)]
