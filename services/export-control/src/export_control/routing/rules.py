"""Risk-based routing: a versioned rule set (data) classifies an application into a track
(fast / standard / complex, each with an indicative maximum in working days) and derives the
decision authority (delegated to the administration, or the minister).

Pure: `route(rule_set, inputs)` -> `Routing` with the reasons, so every result is explainable.
A rule set is a JSON document (see `data/routing-rules-2026.1.json`):
  embargo_countries: national additions only (EU and UN measures come from the embargo list,
    `export_control.embargoes`, so routing and the decision read the same data);
  risk_countries, diversion_risk_countries: ISO alpha-2 lists
  sensitive_military_categories: e.g. ["ML1", "ML2"]
  minister_value_threshold, fast_value_limit: EUR (strings)
  tracks: {"fast": max working days, "standard": ..., "complex": ...}
Rules, in order:
- complex: destination under embargo, a sanctions hit, a denial-notice match or a Russia-
  circumvention flag;
- standard: otherwise, a destination on the risk list, any military item or a value above the
  fast limit; fast: everything else (dual-use to a non-risk destination, modest value);
- minister: embargo or risk destination, a sensitive military category, a sanctions hit, a
  Russia-circumvention flag or a value above the threshold; else delegated. A denial-notice
  match makes the case complex but does not by itself take it from the administration: the
  grant is blocked until the consultation with the denying state is recorded.
"""

import json
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field
from decimal import Decimal
from decimal import InvalidOperation
from functools import lru_cache
from importlib import resources
from typing import Annotated
from typing import Any

from pydantic import AfterValidator
from pydantic import Field
from pydantic import model_validator

from dkbuza_kit.refdata import CountryCode
from dkbuza_kit.schemas import InputModel
from dkbuza_kit.types import PositiveDayCount

TRACKS = ("fast", "standard", "complex")
DEFAULT_RULE_SET = "data/routing-rules-2026.2.json"


def _military_category(value: str) -> str:
    """A Common Military List category exactly as stored (ML1 .. ML22): `ml 8` or `ML99`
    would never match a line and silently switch the rule off."""
    if not (value.startswith("ML") and value[2:].isdigit() and not value[2:].startswith("0")
            and 1 <= int(value[2:]) <= 22):
        raise ValueError(f"{value!r} is not a Common Military List category ML1-ML22")
    return value


MilitaryCategory = Annotated[str, AfterValidator(_military_category)]


class RuleSet(InputModel):
    """The validated content of a rule set (also the input schema of a new version)."""

    version: str = Field(min_length=1, max_length=40)
    description: str = ""
    embargo_countries: list[CountryCode] = Field(default_factory=list, max_length=250)
    risk_countries: list[CountryCode] = Field(default_factory=list, max_length=250)
    diversion_risk_countries: list[CountryCode] = Field(default_factory=list, max_length=250)
    sensitive_military_categories: list[MilitaryCategory] = Field(default_factory=list,
                                                                  max_length=22)
    minister_value_threshold: Decimal = Field(ge=0, max_digits=14, decimal_places=2)
    fast_value_limit: Decimal = Field(ge=0, max_digits=14, decimal_places=2)
    tracks: dict[str, PositiveDayCount] = Field(
        description="indicative maximum working days per track")

    @model_validator(mode="after")
    def _three_tracks(self) -> "RuleSet":
        if set(self.tracks) != set(TRACKS) or any(v <= 0 for v in self.tracks.values()):
            raise ValueError("tracks must give a positive maximum for fast, standard and complex")
        return self


@dataclass(frozen=True)
class RoutingInputs:
    destination_country: str
    military_categories: tuple[str, ...]
    has_dual_use: bool
    total_value: Decimal
    denial_notice_match: bool
    sanctions_hit: bool
    russia_circumvention_flag: bool
    # Measures of the embargo list (`embargoes`) in force for the destination and the goods,
    # as "id: legal basis": the same data the decision's mandatory-refusal gate reads.
    embargo_measures: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["military_categories"] = list(self.military_categories)
        data["embargo_measures"] = list(self.embargo_measures)
        data["total_value"] = f"{self.total_value:.2f}"
        return data


@dataclass(frozen=True)
class Routing:
    track: str
    authority: str  # "delegated" or "minister"
    indicative_max_working_days: int
    reasons: list[str] = field(default_factory=list)


@lru_cache(maxsize=1)
def default_rule_set() -> dict[str, Any]:
    text = resources.files("export_control").joinpath(DEFAULT_RULE_SET).read_text()
    return json.loads(text)


def load_rule_set(content: dict[str, Any]) -> RuleSet:
    return RuleSet.model_validate(content)


def route(rules: RuleSet, inputs: RoutingInputs) -> Routing:
    country = inputs.destination_country.upper()
    embargo = country in rules.embargo_countries or bool(inputs.embargo_measures)
    risk = country in rules.risk_countries
    sensitive = sorted(set(inputs.military_categories) & set(rules.sensitive_military_categories))
    try:
        above_threshold = inputs.total_value > rules.minister_value_threshold
        above_fast = inputs.total_value > rules.fast_value_limit
    except InvalidOperation:  # pragma: no cover - Decimals from the database always compare
        above_threshold = above_fast = True

    complex_reasons = [
        reason for flag, reason in (
            (embargo, f"destination {country} under embargo"
                      + (f" ({'; '.join(inputs.embargo_measures)})" if inputs.embargo_measures
                         else "")),
            (inputs.sanctions_hit, "sanctions-list hit"),
            (inputs.denial_notice_match, "denial-notice match"),
            (inputs.russia_circumvention_flag, "Russia-circumvention flag"),
        ) if flag
    ]
    standard_reasons = [
        reason for flag, reason in (
            (risk, f"destination {country} on the risk list"),
            (bool(inputs.military_categories), "military items"),
            (above_fast, f"value above {rules.fast_value_limit}"),
        ) if flag
    ]
    minister_reasons = [
        reason for flag, reason in (
            (embargo, "embargo destination"),
            (risk, "risk destination"),
            (bool(sensitive), f"sensitive military categories {', '.join(sensitive)}"),
            (inputs.sanctions_hit, "sanctions-list hit"),
            (inputs.russia_circumvention_flag, "Russia-circumvention flag"),
            (above_threshold, f"value above {rules.minister_value_threshold}"),
        ) if flag
    ]
    if complex_reasons:
        track, reasons = "complex", complex_reasons
    elif standard_reasons:
        track, reasons = "standard", standard_reasons
    else:
        track, reasons = "fast", ["no risk factor"]
    authority = "minister" if minister_reasons else "delegated"
    reasons = [f"track {track}: {r}" for r in reasons] + (
        [f"minister: {r}" for r in minister_reasons] or ["delegated: no ministerial criterion"]
    )
    return Routing(track, authority, rules.tracks[track], reasons)
