"""HTTP routes of routing rule sets and routing results."""

import uuid
from datetime import datetime
from typing import Annotated
from typing import Any

from fastapi import APIRouter
from fastapi import Depends
from sqlalchemy import select

from dkbuza_kit.auth import Principal
from dkbuza_kit.db import DbSession
from dkbuza_kit.schemas import OutputModel
from dkbuza_kit.timeouts import TRANSACTIONAL_READ
from export_control.applications.service import get_application
from export_control.roles import heads
from export_control.roles import internal_readers
from export_control.routing.models import RoutingResult
from export_control.routing.models import RoutingRuleSet
from export_control.routing.rules import RuleSet
from export_control.routing.service import active_rule_set
from export_control.routing.service import create_rule_set

router = APIRouter(tags=["routing"])

Internal = Annotated[Principal, Depends(internal_readers)]


class RuleSetOut(OutputModel):
    version: str
    content: dict[str, Any]
    active: bool
    created_by: str
    created_at: datetime


class RoutingResultOut(OutputModel):
    """track: fast (snel), standard (standaard), complex (complex); authority: delegated (in
    delegatie) or minister."""

    id: uuid.UUID
    application_id: uuid.UUID
    rule_set_version: str
    inputs: dict[str, Any]
    track: str
    authority: str
    indicative_max_working_days: int
    reasons: list[str]
    computed_at: datetime


# Reading installs the packaged default when no rule set is stored yet: a write.
@router.get("/v1/routing-rule-sets", response_model=list[RuleSetOut],
            dependencies=[TRANSACTIONAL_READ])
async def list_rule_sets(session: DbSession, _: Internal) -> list[RuleSetOut]:
    await active_rule_set(session)
    rows = (await session.scalars(select(RoutingRuleSet)
                                  .order_by(RoutingRuleSet.created_at, RoutingRuleSet.version))
            ).all()
    return [RuleSetOut.model_validate(r) for r in rows]


@router.post("/v1/routing-rule-sets", status_code=201, response_model=RuleSetOut)
async def create_routing_rule_set(body: RuleSet, session: DbSession,
                                  principal: Annotated[Principal, Depends(heads)]) -> RuleSetOut:
    """A new version of the rules; it becomes the active one (earlier results keep theirs)."""
    return RuleSetOut.model_validate(await create_rule_set(session, body, principal.sub))


@router.get("/v1/applications/{application_id}/routing-results",
            response_model=list[RoutingResultOut])
async def list_routing_results(application_id: uuid.UUID, session: DbSession,
                               principal: Internal) -> list[RoutingResultOut]:
    app = await get_application(session, application_id, principal)
    rows = (await session.scalars(select(RoutingResult)
                                  .where(RoutingResult.application_id == app.id)
                                  .order_by(RoutingResult.computed_at, RoutingResult.id))).all()
    return [RoutingResultOut.model_validate(r) for r in rows]
