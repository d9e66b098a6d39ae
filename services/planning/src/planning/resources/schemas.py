"""Resources (Dutch: middelen): budget in euro (vastgelegd = committed) and staff in FTE."""

from decimal import Decimal
from typing import Annotated

from pydantic import Field

from dkbuza_kit.schemas import InputModel
from dkbuza_kit.schemas import OutputModel
from dkbuza_kit.schemas import PatchModel
from dkbuza_kit.types import NonNegativeMoney

FTE_MAX = Decimal("9999.99")
Fte = Annotated[Decimal, Field(ge=0, le=FTE_MAX, max_digits=6, decimal_places=2)]


class ResourcesIn(InputModel):
    initiative_id: int
    period_id: int
    budget_planned: NonNegativeMoney = Decimal(0)
    budget_committed: NonNegativeMoney = Decimal(0)
    fte_planned: Fte = Decimal(0)
    fte_committed: Fte = Decimal(0)


class ResourcesPatch(PatchModel):
    budget_planned: NonNegativeMoney | None = None
    budget_committed: NonNegativeMoney | None = None
    fte_planned: Fte | None = None
    fte_committed: Fte | None = None


class ResourcesOut(OutputModel):
    id: int
    initiative_id: int
    period_id: int
    budget_planned: Decimal
    budget_committed: Decimal
    fte_planned: Decimal
    fte_committed: Decimal
    version: int


class ResourceTotals(OutputModel):
    code: str = Field(description="the OD or SD code")
    title: str
    budget_planned: Decimal
    budget_committed: Decimal
    fte_planned: Decimal
    fte_committed: Decimal
    initiatives: int
