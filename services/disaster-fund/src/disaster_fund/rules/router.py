from typing import Annotated

from fastapi import APIRouter
from fastapi import Depends
from fastapi import Path
from fastapi import Query
from sqlalchemy import select

from disaster_fund import roles
from disaster_fund.rules import service
from disaster_fund.rules.models import RuleSet
from disaster_fund.rules.schemas import Regime
from disaster_fund.rules.schemas import RuleSetIn
from disaster_fund.rules.schemas import RuleSetOut
from dkbuza_kit.auth import Principal
from dkbuza_kit.auth import require_roles
from dkbuza_kit.db import DbSession
from dkbuza_kit.pagination import Page
from dkbuza_kit.pagination import Pagination
from dkbuza_kit.pagination import page_of

router = APIRouter(prefix="/v1/rule-sets", tags=["rule-sets"])
Reader = Annotated[Principal, Depends(require_roles(*roles.STAFF, roles.EXPERT))]
Manager = Annotated[Principal, Depends(require_roles(roles.MANAGER))]


@router.get("", response_model=Page[RuleSetOut])
async def list_rule_sets(session: DbSession, page: Pagination, _: Reader,
                         regime: Annotated[Regime | None, Query()] = None) -> Page[RuleSetOut]:
    stmt = select(RuleSet).order_by(RuleSet.regime, RuleSet.version)
    if regime is not None:
        stmt = stmt.where(RuleSet.regime == regime.value)
    return await page_of(session, stmt, page, out=RuleSetOut)


@router.get("/{rule_set_id}", response_model=RuleSetOut)
async def get_rule_set(rule_set_id: Annotated[int, Path(ge=1, le=2**31 - 1)], session: DbSession,
                       _: Reader) -> RuleSetOut:
    return RuleSetOut.model_validate(await service.get(session, rule_set_id))


@router.post("", response_model=RuleSetOut, status_code=201)
async def create_rule_set(body: RuleSetIn, session: DbSession, principal: Manager) -> RuleSetOut:
    """Add a new version of a regime; existing decisions keep the version they were computed with."""
    return RuleSetOut.model_validate(await service.add_version(session, body, principal.sub))
