"""The active embargo list, the mandatory-refusal gate of every grant, and the exceptions.

The gate (`check_grant_allowed`) is called by every path that creates a usable licence
(a decision to grant, a reissue), whoever calls it: a measure that is mandatory and in force
for the destination and the goods regime refuses with 409 EMBARGO_REFUSAL naming the legal
act and article, unless an exception the act provides was recorded for that measure and
signed by both the head and the minister.
"""

import uuid
from datetime import date
from datetime import datetime

from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from dkbuza_kit.audit import add_audited
from dkbuza_kit.audit import record_audit
from dkbuza_kit.calendar import brussels_date
from dkbuza_kit.db import one_or_404
from export_control.embargoes.models import EmbargoException
from export_control.embargoes.models import EmbargoListVersion
from export_control.embargoes.rules import EmbargoList
from export_control.embargoes.rules import Measure
from export_control.embargoes.rules import default_list
from export_control.embargoes.rules import exception_article_allowed
from export_control.embargoes.rules import mandatory_refusals
from export_control.embargoes.rules import measures_for
from export_control.errors import Errors


async def active_list(session: AsyncSession) -> EmbargoList:
    """The active version; the packaged default is installed on first use."""
    row = await session.scalar(select(EmbargoListVersion).where(EmbargoListVersion.active))
    if row is None:
        default = EmbargoList.model_validate(default_list())
        await session.execute(
            insert(EmbargoListVersion)
            .values(version=default.version, as_of=default.as_of,
                    content=default.model_dump(mode="json"), active=True, created_by="system")
            .on_conflict_do_nothing(index_elements=[EmbargoListVersion.version]))
        row = await session.scalar(select(EmbargoListVersion).where(EmbargoListVersion.active))
        if row is None:  # the default version exists but another one was activated
            return default
    return EmbargoList.model_validate(row.content)


async def create_list(session: AsyncSession, body: EmbargoList,
                      actor: str) -> EmbargoListVersion:
    """A new version becomes the active one; earlier versions stay as they were."""
    await active_list(session)
    if await session.get(EmbargoListVersion, body.version) is not None:
        raise Errors.EMBARGO_LIST_VERSION_EXISTS(f"embargo list {body.version} exists already")
    await session.execute(update(EmbargoListVersion).values(active=False))
    row = EmbargoListVersion(version=body.version, as_of=body.as_of,
                             content=body.model_dump(mode="json"), active=True,
                             created_by=actor)
    await add_audited(session, row, entity_type="embargo_list", entity_id=body.version, action="activated",
                      to_state="active",
                      data={"as_of": body.as_of.isoformat(), "measures": len(body.measures)})
    return row


def _regimes(app) -> set[str]:
    return {line.regime for line in app.lines}


async def measures_for_application(session: AsyncSession, app, on: date) -> list[Measure]:
    embargoes = await active_list(session)
    return measures_for(embargoes.measures, app.destination_country, _regimes(app), on)


async def _signed_exceptions(session: AsyncSession, app_id: uuid.UUID) -> set[str]:
    rows = await session.scalars(
        select(EmbargoException.measure_id).where(
            EmbargoException.application_id == app_id,
            EmbargoException.minister_signed_by.is_not(None)))
    return set(rows.all())


async def check_grant_allowed(session: AsyncSession, app, on: date) -> list[Measure]:
    """409 EMBARGO_REFUSAL when a mandatory measure forbids the grant; returns the measures
    that were lifted by a signed exception (for the audit)."""
    in_scope = mandatory_refusals(await measures_for_application(session, app, on))
    if not in_scope:
        return []
    signed = await _signed_exceptions(session, app.id)
    blocking = [m for m in in_scope if m.id not in signed]
    if blocking:
        raise Errors.EMBARGO_REFUSAL(
            "a grant is impossible: " + "; ".join(
                f"{m.goods_scope} goods to {m.country} are banned by {m.legal_basis()}"
                for m in blocking),
            legal_basis=[{"measure_id": m.id, "legal_act": m.legal_act, "article": m.article,
                          "goods_scope": m.goods_scope, "country": m.country}
                         for m in blocking])
    return in_scope


async def record_exception(session: AsyncSession, app, *, measure_id: str, article: str,
                           justification: str, actor: str, now: datetime) -> EmbargoException:
    """The head invokes an exception the act provides (signed by the head on recording)."""
    embargoes = await active_list(session)
    measure = next((m for m in measures_for(embargoes.measures, app.destination_country,
                                            _regimes(app), brussels_date(now)) if m.id == measure_id),
                   None)
    if measure is None:
        raise Errors.EMBARGO_EXCEPTION_INVALID(f"no measure {measure_id} applies to this case")
    if not exception_article_allowed(measure, article):
        raise Errors.EMBARGO_EXCEPTION_INVALID(
            f"{measure.legal_act} provides no exception in {article!r}",
            allowed_articles=[e.article for e in measure.exceptions])
    row = EmbargoException(id=uuid.uuid4(), application_id=app.id,
                           list_version=embargoes.version, measure_id=measure.id,
                           legal_basis=measure.legal_basis(), article=article,
                           justification=justification, head_signed_by=actor,
                           head_signed_at=now)
    await add_audited(session, row, entity_type="application", entity_id=app.id,
                      action="embargo_exception_recorded", reason=justification,
                      data={"measure_id": measure.id, "article": article,
                            "legal_basis": measure.legal_basis()})
    return row


async def minister_sign(session: AsyncSession, app, exception_id: uuid.UUID, *, actor: str,
                        now: datetime) -> EmbargoException:
    row = await one_or_404(session, select(EmbargoException).where(
        EmbargoException.id == exception_id, EmbargoException.application_id == app.id),
        what="embargo exception", error=Errors.EMBARGO_EXCEPTION_INVALID, for_update=True)
    if row.minister_signed_by is not None:
        raise Errors.EMBARGO_EXCEPTION_SIGNED("the minister has signed this exception already")
    row.minister_signed_by, row.minister_signed_at = actor, now
    await record_audit(session, entity_type="application", entity_id=app.id,
                       action="embargo_exception_signed",
                       data={"exception_id": str(row.id), "measure_id": row.measure_id})
    return row
