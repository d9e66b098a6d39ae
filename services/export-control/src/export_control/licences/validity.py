"""The validity of a licence (pure): it starts at the decision at the earliest and lasts at most
the maximum of its licence type (`data/licence-validity.json`, each with its source).

Problems: DATE_BEFORE_ORIGIN (starts before the decision), PERIOD_INVERTED (ends before it
starts), INVALID_VALIDITY (longer than the maximum, with the maximum and its source)."""

import json
from dataclasses import dataclass
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from functools import lru_cache
from importlib import resources
from pathlib import Path

from dkbuza_kit.dates import add_months
from dkbuza_kit.timeline import check_period
from dkbuza_kit.timeline import check_timeline
from export_control.errors import Errors


@dataclass(frozen=True)
class ValidityRule:
    max_months: int
    source: str
    working_value: bool


@lru_cache(maxsize=4)
def validity_rules(path: str | None = None) -> dict[str, ValidityRule]:
    text = Path(path).read_text() if path else resources.files("export_control").joinpath(
        "data/licence-validity.json").read_text()
    return {name: ValidityRule(**rule) for name, rule in json.loads(text).items()
            if not name.startswith("_")}


def last_allowed_day(valid_from: date, rule: ValidityRule) -> date:
    return add_months(valid_from, rule.max_months) - timedelta(days=1)


def licence_validity(licence_type: str, *, decided_on: date, valid_from: date | None,
                     valid_until: date | None, default_months: int,
                     rules: dict[str, ValidityRule]) -> tuple[date, date]:
    """(first day, last day) of a new licence, or the problem that forbids the asked one."""
    rule = rules[licence_type]
    start = valid_from or decided_on
    # A start in the future is fine; a start before the decision is not.
    check_timeline("valid_from", start, now=datetime.combine(decided_on, time(), UTC),
                   allow_future=True,
                   origin=("decision date", decided_on))
    longest = last_allowed_day(start, rule)
    end = valid_until or min(add_months(start, default_months) - timedelta(days=1), longest)
    check_period("valid_from", start, "valid_until", end)
    if end > longest:
        raise Errors.INVALID_VALIDITY(
            f"a {licence_type} licence is valid for at most {rule.max_months} months "
            f"(until {longest.isoformat()})", max_months=rule.max_months,
            last_allowed_day=longest.isoformat(), source=rule.source,
            working_value=rule.working_value)
    return start, end

