"""Work lists: the dossiers a handler or expert works on, priority first, with filters and a
search by dossier number or applicant."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from disaster_fund import norms
from disaster_fund import roles
from disaster_fund.applications.models import Application
from disaster_fund.applications.queries import visible
from dkbuza_kit.auth import Principal
from dkbuza_kit.db import where_given


@dataclass(frozen=True)
class WorkListFilter:
    """The list's filters; None means "any"."""

    mine: bool = False
    priority: bool | None = None
    phase: str | None = None
    norm_status: str | None = None
    q: str | None = None
    columns: tuple = ()   # (column, value) pairs of plain equality filters


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def statement(session: AsyncSession, principal: Principal, filters: WorkListFilter,
                    today: date) -> Select:
    stmt = visible(select(Application), principal).order_by(
        Application.priority_requested.desc(), Application.received_at, Application.id)
    if filters.mine:
        column = (Application.expert_sub if principal.has_any(roles.EXPERT)
                  and not principal.has_any(*roles.STAFF) else Application.handler_sub)
        stmt = stmt.where(column == principal.sub)
    stmt = where_given(stmt, *filters.columns)
    if filters.priority is not None:
        stmt = stmt.where(Application.priority_requested.is_(filters.priority))
    stmt = where_given(stmt, (Application.phase, filters.phase))
    if filters.q:
        pattern = _like(filters.q)
        stmt = stmt.where(or_(Application.dossier_number.ilike(pattern, escape="\\"),
                              Application.applicant_name.ilike(pattern, escape="\\"),
                              Application.applicant_sub == filters.q))
    if filters.norm_status is not None:
        ids = await norms.ids_with_status(session, filters.norm_status, today)
        stmt = stmt.where(Application.id.in_(select(ids.c.application_id)) if ids is not None
                          else Application.id.is_(None))
    return stmt
