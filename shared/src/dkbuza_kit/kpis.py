"""The KPI contract shared by every service (`GET /v1/kpis`, `GET /v1/kpis/history`).

Honest by construction: a KPI without a target has status `no_target` (never `met`); units come
from one closed list; the period is structured; every target names its source, and a target
that no document fixes is a `working value`, read from the service's data file (overridable by
an environment variable) rather than from code.
"""

import json
import os
from collections.abc import Awaitable
from collections.abc import Callable
from datetime import date
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic import ConfigDict


class Direction(StrEnum):
    """Which way is good. Values (Dutch label): higher_is_better (hoger is beter),
    lower_is_better (lager is beter)."""

    higher_is_better = "higher_is_better"
    lower_is_better = "lower_is_better"


class KpiStatus(StrEnum):
    """Against the target. Values (Dutch label): met (gehaald), at_risk (in gevaar),
    missed (niet gehaald), no_data (geen gegevens), no_target (geen streefwaarde)."""

    met = "met"
    at_risk = "at_risk"
    missed = "missed"
    no_data = "no_data"
    no_target = "no_target"


class KpiUnit(StrEnum):
    """The one list of KPI units. Values (Dutch label): percent (procent), days (dagen),
    working_days (werkdagen), count (aantal), eur (euro), score (score)."""

    percent = "percent"
    days = "days"
    working_days = "working_days"
    count = "count"
    eur = "eur"
    score = "score"


class PeriodKind(StrEnum):
    """What a KPI's figures cover. Values (Dutch label): as_of (stand op een dag),
    calendar_year (kalenderjaar), reporting_period (rapporteringsperiode),
    rolling (voortschrijdend), since_start (sinds het begin)."""

    as_of = "as_of"
    calendar_year = "calendar_year"
    reporting_period = "reporting_period"
    rolling = "rolling"
    since_start = "since_start"


class KpiPeriod(BaseModel):
    """`start` is None for `as_of` and `since_start`; `end` is the last day covered."""

    kind: PeriodKind
    start: date | None
    end: date
    label: str

    @classmethod
    def as_of(cls, day: date) -> "KpiPeriod":
        return cls(kind=PeriodKind.as_of, start=None, end=day, label=f"stand op {day.isoformat()}")

    @classmethod
    def since_start(cls, day: date) -> "KpiPeriod":
        return cls(kind=PeriodKind.since_start, start=None, end=day,
                   label=f"alle gegevens tot {day.isoformat()}")

    @classmethod
    def calendar_year(cls, year: int, today: date) -> "KpiPeriod":
        last = min(date(year, 12, 31), today)
        return cls(kind=PeriodKind.calendar_year, start=date(year, 1, 1), end=last,
                   label=str(year))

    @classmethod
    def reporting_period(cls, code: str, start: date, end: date) -> "KpiPeriod":
        return cls(kind=PeriodKind.reporting_period, start=start, end=end, label=code)

    @classmethod
    def rolling(cls, start: date, end: date, label: str) -> "KpiPeriod":
        return cls(kind=PeriodKind.rolling, start=start, end=end, label=label)


class KpiTarget(BaseModel):
    """A target and where it comes from (`plan indicator ...`, a legal article, or a working
    value: a number the department uses until a document fixes one)."""

    model_config = ConfigDict(frozen=True)
    value: float
    source: str
    working_value: bool = False


class Kpi(BaseModel):
    id: str
    title_nl: str
    title_en: str
    unit: KpiUnit
    value: float | None
    target: float | None
    target_source: str | None
    target_working_value: bool
    direction: Direction
    status: KpiStatus
    period: KpiPeriod
    computed_at: datetime
    breakdown: list[dict[str, Any]] | None = None


def kpi_status(value: float | Decimal | None, target: float | Decimal | None,
               direction: Direction, *, at_risk_margin: float = 0.1) -> KpiStatus:
    """met when the target is reached; at_risk within `at_risk_margin` (relative) of it; else missed.

    Without a target there is nothing to meet: `no_target`, whatever the value.
    """
    if target is None:
        return KpiStatus.no_target
    if value is None:
        return KpiStatus.no_data
    value, target = float(value), float(target)
    margin = abs(target) * at_risk_margin
    if direction is Direction.higher_is_better:
        if value >= target:
            return KpiStatus.met
        return KpiStatus.at_risk if value >= target - margin else KpiStatus.missed
    if value <= target:
        return KpiStatus.met
    return KpiStatus.at_risk if value <= target + margin else KpiStatus.missed


def kpi(*, id: str, title_nl: str, title_en: str, unit: KpiUnit, value: Any,
        target: KpiTarget | None, direction: Direction, period: KpiPeriod, computed_at: datetime,
        breakdown: list[dict[str, Any]] | None = None, at_risk_margin: float = 0.1) -> Kpi:
    """Build a KPI with its status derived from value, target and direction."""
    number = None if value is None else float(value)
    goal = None if target is None else target.value
    return Kpi(id=id, title_nl=title_nl, title_en=title_en, unit=unit, value=number, target=goal,
               target_source=target.source if target else None,
               target_working_value=target.working_value if target else False,
               direction=direction,
               status=kpi_status(number, goal, direction, at_risk_margin=at_risk_margin),
               period=period, computed_at=computed_at, breakdown=breakdown)


class KpiTargets:
    """A service's targets by KPI id, from its data file (JSON: {id: {value, source,
    working_value}}); the environment variable `env_var`, when set, names another file."""

    def __init__(self, default_path: Path, env_var: str) -> None:
        self.default_path = default_path
        self.env_var = env_var
        self._loaded: tuple[Path, dict[str, KpiTarget]] | None = None

    def _path(self) -> Path:
        override = os.environ.get(self.env_var)
        return Path(override) if override else self.default_path

    def all(self) -> dict[str, KpiTarget]:
        path = self._path()
        if self._loaded is None or self._loaded[0] != path:
            raw = json.loads(path.read_text(encoding="utf-8"))
            targets = {key: KpiTarget.model_validate(value) for key, value in raw.items()
                       if not key.startswith("_")}
            self._loaded = (path, targets)
        return self._loaded[1]

    def __getitem__(self, kpi_id: str) -> KpiTarget:
        return self.all()[kpi_id]

    def get(self, kpi_id: str) -> KpiTarget | None:
        return self.all().get(kpi_id)

    def kpi(self, *, id: str, **fields: Any) -> Kpi:
        """`kpi(...)` with the target this file holds for `id`: none (`no_target`) when it holds
        none, so a target is set or changed in the data file, never in code."""
        return kpi(id=id, target=self.get(id), **fields)


KpiProvider = Callable[[Any, Any], Awaitable[list[Kpi]]]
