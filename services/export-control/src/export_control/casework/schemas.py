"""Casework: assignment, list filters, queues and bulk decisions in delegation."""

import uuid
from typing import Annotated

from fastapi import Query
from pydantic import Field
from pydantic import StringConstraints

from dkbuza_kit.refdata import CountryCode
from dkbuza_kit.schemas import InputModel
from dkbuza_kit.schemas import OutputModel
from dkbuza_kit.types import BoundedDate

Officer = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class AssignmentIn(InputModel):
    case_officer: Officer = Field(description="the officer's `sub`")
    reason: Annotated[str, StringConstraints(max_length=2000)] | None = None


class ApplicationFilters(InputModel):
    """Filters of the application list (all optional, combined with AND)."""

    status: Annotated[str, StringConstraints(max_length=40)] | None = None
    reference: Annotated[str, StringConstraints(max_length=20)] | None = None
    company: Annotated[str, StringConstraints(pattern=r"^\d{10}$")] | None = None
    destination: CountryCode | None = None
    control_entry: Annotated[str, StringConstraints(max_length=40)] | None = None
    officer: Officer | None = Field(None, description="a case officer's sub, or `me`")
    track: Annotated[str, StringConstraints(pattern=r"^(fast|standard|complex)$")] | None = None
    submitted_from: BoundedDate | None = None
    submitted_to: BoundedDate | None = None
    overdue: bool | None = Field(None, description="open and past the indicative maximum")
    q: Annotated[str, StringConstraints(min_length=2, max_length=100)] | None = Field(
        None, description="search in reference, company name and end-user name")


Text40 = Annotated[str, StringConstraints(max_length=40)]
Reference = Annotated[str, StringConstraints(max_length=20)]
Kbo = Annotated[str, StringConstraints(pattern=r"^\d{10}$")]
Track = Annotated[str, StringConstraints(pattern=r"^(fast|standard|complex)$")]
Search = Annotated[str, StringConstraints(min_length=2, max_length=100)]


async def application_filters(
    status: Annotated[Text40 | None, Query()] = None,
    reference: Annotated[Reference | None, Query()] = None,
    company: Annotated[Kbo | None, Query(description="KBO number")] = None,
    destination: Annotated[CountryCode | None, Query()] = None,
    control_entry: Annotated[Text40 | None, Query(description="ML5.a, 5A002 ...")] = None,
    officer: Annotated[Officer | None, Query(description="a case officer's sub, or `me`")] = None,
    track: Annotated[Track | None, Query()] = None,
    submitted_from: Annotated[BoundedDate | None, Query()] = None,
    submitted_to: Annotated[BoundedDate | None, Query()] = None,
    overdue: Annotated[bool | None, Query(description="open, past the indicative max")] = None,
    q: Annotated[Search | None, Query(description="reference, company or end user")] = None,
) -> ApplicationFilters:
    """The list's query parameters, each declared (unknown ones are refused app-wide)."""
    return ApplicationFilters.model_construct(
        status=status, reference=reference, company=company, destination=destination,
        control_entry=control_entry, officer=officer, track=track,
        submitted_from=submitted_from, submitted_to=submitted_to, overdue=overdue, q=q)


class QueueOut(OutputModel):
    """One queue: open cases of one track, authority and state."""

    track: str | None
    decision_authority: str | None
    status: str
    count: int
    overdue: int
    least_working_days_left: int | None = Field(
        description="the most urgent case: indicative maximum minus working days so far")


class BulkDecisionIn(InputModel):
    application_ids: list[uuid.UUID] = Field(min_length=1, max_length=100)
    outcome: Annotated[str, StringConstraints(pattern=r"^(granted|granted_with_conditions)$")]
    conditions: Annotated[str, StringConstraints(max_length=10_000)] | None = None
    reason: Annotated[str, StringConstraints(min_length=3, max_length=10_000)]


class BulkDecisionResult(OutputModel):
    application_id: uuid.UUID
    decided: bool
    licence_number: str | None = None
    code: str | None = Field(None, description="the problem code when this case was not decided")
    detail: str | None = None
