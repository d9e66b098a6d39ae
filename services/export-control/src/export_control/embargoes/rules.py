"""Embargoes and export bans as versioned data, and which of them a case falls under (pure).

A list (see `data/embargoes-2026.12.json`) holds measures: country, goods scope (`military`
or `dual_use`), the legal act and article, in force from/until, source, a note, whether it is
`mandatory` (a legal act that forbids the grant: refused for every role) or only routes the
case as an embargo destination (`partial` scopes such as non-governmental forces, political
declarations), and the exceptions the act itself provides (article + description).
Routing and the decision read the same active version; a change is a new version.
"""

import json
from datetime import date
from functools import lru_cache
from importlib import resources
from typing import Annotated
from typing import Literal

from pydantic import Field
from pydantic import StringConstraints
from pydantic import model_validator

from dkbuza_kit.refdata import CountryCode
from dkbuza_kit.schemas import InputModel
from dkbuza_kit.types import BoundedDate

Text = Annotated[str, StringConstraints(min_length=1, max_length=2000)]
DEFAULT_LIST = "data/embargoes-2026.12.json"


class ActException(InputModel):
    article: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    description: Text


class Measure(InputModel):
    id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._-]{1,40}$")]
    country: CountryCode
    goods_scope: Literal["military", "dual_use"]
    mandatory: bool = Field(description="the act forbids a grant (refused for every role)")
    partial: bool = Field(description="the act covers only some end users or items (see note)")
    legal_act: Text
    article: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    in_force_from: BoundedDate
    in_force_until: BoundedDate | None = None
    source: Text
    note: Annotated[str, StringConstraints(max_length=2000)] = ""
    exceptions: list[ActException] = Field(default_factory=list, max_length=20)

    def in_force(self, on: date) -> bool:
        return self.in_force_from <= on and (self.in_force_until is None
                                             or on <= self.in_force_until)

    def legal_basis(self) -> str:
        return f"{self.legal_act}, {self.article}"


class EmbargoList(InputModel):
    version: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._-]{1,40}$")]
    as_of: BoundedDate = Field(description="the day the list states the law of")
    source: Text
    measures: list[Measure] = Field(min_length=1, max_length=500)

    @model_validator(mode="after")
    def _unique_ids(self) -> "EmbargoList":
        ids = [m.id for m in self.measures]
        if len(ids) != len(set(ids)):
            raise ValueError("measure ids must be unique within a list")
        for measure in self.measures:
            if measure.in_force_until and measure.in_force_until < measure.in_force_from:
                raise ValueError(f"measure {measure.id} ends before it starts")
        return self


@lru_cache(maxsize=1)
def default_list() -> dict:
    return json.loads(resources.files("export_control").joinpath(DEFAULT_LIST).read_text())


def measures_for(measures: list[Measure], country: str, regimes: set[str],
                 on: date) -> list[Measure]:
    """Measures in force on `on` for the destination and the goods regimes of the case."""
    return [m for m in measures if m.country == country.upper() and m.goods_scope in regimes
            and m.in_force(on)]


def mandatory_refusals(measures: list[Measure]) -> list[Measure]:
    return [m for m in measures if m.mandatory]


def exception_article_allowed(measure: Measure, article: str) -> bool:
    return any(e.article.casefold() == article.strip().casefold() for e in measure.exceptions)
