"""The VSP list: statistics, their versioned inclusion/removal and "as of" reconstruction.

The list is never edited in place: every inclusion or removal is an append-only row with its
effective date, reason and decision reference. The list at a date D is every statistic whose
latest change effective on or before D is an inclusion. Changes of one statistic must come in
date order, so its history is a simple alternation included/removed/included...
"""

import uuid
from datetime import date

from sqlalchemy import Select
from sqlalchemy import delete
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.ext.asyncio import AsyncSession

from dkbuza_kit.audit import add_audited
from dkbuza_kit.auth import Principal
from dkbuza_kit.concurrency import bump_version
from dkbuza_kit.db import get_or_404
from dkbuza_kit.db import one_or_404
from dkbuza_kit.db import where_given
from vsp_statistics.errors import Errors
from vsp_statistics.network.service import existing_entity
from vsp_statistics.official_statistics.models import ListChange
from vsp_statistics.official_statistics.models import OfficialStatistic
from vsp_statistics.official_statistics.models import OpenDataset
from vsp_statistics.official_statistics.schemas import DatasetIn
from vsp_statistics.official_statistics.schemas import DatasetOut
from vsp_statistics.official_statistics.schemas import ListChangeIn
from vsp_statistics.official_statistics.schemas import ListChangeKind
from vsp_statistics.official_statistics.schemas import ListDecisionIn
from vsp_statistics.official_statistics.schemas import StatisticIn
from vsp_statistics.official_statistics.schemas import StatisticOut
from vsp_statistics.official_statistics.schemas import StatisticPatch
from vsp_statistics.patching import apply_patch
from vsp_statistics.patching import audit_update
from vsp_statistics.roles import entity_scope


def on_list_as_of(as_of: date, among: list[uuid.UUID] | None = None) -> Select:
    """SELECT statistic_id of the statistics on the VSP list at `as_of` (for IN / joins)."""
    latest = (
        select(ListChange.statistic_id, ListChange.change)
        .where(ListChange.effective_on <= as_of)
        .ext(distinct_on(ListChange.statistic_id))
        .order_by(ListChange.statistic_id, ListChange.effective_on.desc(), ListChange.id.desc())
    )
    if among is not None:
        latest = latest.where(ListChange.statistic_id.in_(among))
    latest = latest.subquery()
    return select(latest.c.statistic_id).where(latest.c.change == ListChangeKind.included.value)


def list_as_of(as_of: date, *, theme: str | None = None, entity: str | None = None,
               periodicity: str | None = None) -> Select:
    """The statistics on the VSP list at `as_of` (public), by code."""
    stmt = (select(OfficialStatistic).where(OfficialStatistic.id.in_(on_list_as_of(as_of)))
            .order_by(OfficialStatistic.code))
    stmt = where_given(stmt, (OfficialStatistic.theme, theme), (OfficialStatistic.entity_code, entity),
                             (OfficialStatistic.periodicity, periodicity))
    return stmt


def datasets(statistic_id: uuid.UUID) -> Select:
    return (select(OpenDataset).where(OpenDataset.statistic_id == statistic_id)
            .order_by(OpenDataset.created_at, OpenDataset.id))


def list_changes(statistic_id: uuid.UUID) -> Select:
    return (select(ListChange).where(ListChange.statistic_id == statistic_id)
            .order_by(ListChange.effective_on, ListChange.id))


async def get_public_statistic(session: AsyncSession,
                               statistic_id: uuid.UUID) -> OfficialStatistic:
    return await get_or_404(session, OfficialStatistic, statistic_id, what="official statistic",
                            error=Errors.STATISTIC_NOT_FOUND)


def scoped_statistics(principal: Principal) -> Select:
    stmt = select(OfficialStatistic)
    scope = entity_scope(principal)
    stmt = where_given(stmt, (OfficialStatistic.entity_code, scope))
    return stmt


async def get_statistic(session: AsyncSession, principal: Principal,
                        statistic_id: uuid.UUID, *, for_update: bool = False) -> OfficialStatistic:
    """The statistic if the caller may see it; another entity's statistic is a 404."""
    stmt = scoped_statistics(principal).where(OfficialStatistic.id == statistic_id)
    return await one_or_404(session, stmt, what="official statistic", error=Errors.STATISTIC_NOT_FOUND,
                            for_update=for_update)


async def describe(session: AsyncSession, statistics: list[OfficialStatistic],
                   as_of: date) -> list[StatisticOut]:
    """Output models with datasets and list membership, in two queries for the whole page."""
    ids = [s.id for s in statistics]
    datasets: dict[uuid.UUID, list[DatasetOut]] = {i: [] for i in ids}
    if ids:
        rows = await session.scalars(select(OpenDataset).where(OpenDataset.statistic_id.in_(ids))
                                     .order_by(OpenDataset.created_at, OpenDataset.id))
        for row in rows:
            datasets[row.statistic_id].append(DatasetOut.model_validate(row))
        on_list = set(await session.scalars(on_list_as_of(as_of, among=ids)))
    else:
        on_list = set()
    return [
        StatisticOut(id=s.id, code=s.code, title=s.title, theme=s.theme,
                     entity_code=s.entity_code, periodicity=s.periodicity,
                     description=s.description, on_list=s.id in on_list,
                     datasets=datasets[s.id], version=s.version)
        for s in statistics
    ]


async def create_statistic(session: AsyncSession, body: StatisticIn,
                           principal: Principal) -> OfficialStatistic:
    await existing_entity(session, body.entity_code)
    if await session.scalar(select(OfficialStatistic.id).where(
            OfficialStatistic.code == body.code)):
        raise Errors.STATISTIC_EXISTS(f"statistic {body.code} already exists")
    statistic = OfficialStatistic(
        code=body.code, title=body.title, theme=body.theme, entity_code=body.entity_code,
        periodicity=body.periodicity.value, description=body.description)
    session.add(statistic)
    await session.flush()
    for dataset in body.datasets:
        await add_dataset(session, statistic, dataset)
    await _append_change(session, statistic, ListChangeKind.included, body.inclusion, principal)
    return statistic


async def add_dataset(session: AsyncSession, statistic: OfficialStatistic,
                      body: DatasetIn, *, bump: bool = False) -> OpenDataset:
    if bump:  # a dataset added to an existing statistic changes its representation
        bump_version(statistic)
    dataset = OpenDataset(statistic_id=statistic.id, **body.model_dump())
    await add_audited(session, dataset, entity_type="official_statistic", entity_id=statistic.id,
                      action="dataset_added", data={"url": body.url})
    return dataset


async def update_statistic(session: AsyncSession, principal: Principal,
                           statistic: OfficialStatistic, body: StatisticPatch) -> None:
    changes = body.changes()
    datasets = changes.pop("datasets", None)
    diff = apply_patch(statistic, changes)
    dataset_diff = ({} if datasets is None
                    else await _replace_datasets(session, statistic, datasets))
    if dataset_diff:
        if not diff:  # apply_patch bumped the version only if a column changed
            bump_version(statistic)
        diff["datasets"] = dataset_diff
    await audit_update(session, entity_type="official_statistic", entity_id=statistic.id,
                       diff=diff, principal=principal)


async def _replace_datasets(session: AsyncSession, statistic: OfficialStatistic,
                            wanted: list[DatasetIn]) -> dict[str, list[str]]:
    """Make the statistic's datasets equal `wanted` (keyed by url, format, licence); returns
    the urls removed and added (empty when nothing changed)."""
    current = (await session.scalars(
        select(OpenDataset).where(OpenDataset.statistic_id == statistic.id))).all()

    def key(d: OpenDataset | DatasetIn) -> tuple[str, str, str]:
        return d.url, d.format, d.licence

    wanted_keys = {key(d): d for d in wanted}
    removed = [d for d in current if key(d) not in wanted_keys]
    current_keys = {key(d) for d in current}
    added = [d for k, d in wanted_keys.items() if k not in current_keys]
    if removed:
        await session.execute(delete(OpenDataset).where(
            OpenDataset.id.in_([d.id for d in removed])))
    session.add_all(OpenDataset(statistic_id=statistic.id, **d.model_dump()) for d in added)
    await session.flush()
    if not (removed or added):
        return {}
    return {"removed": [d.url for d in removed], "added": [d.url for d in added]}


async def change_list(session: AsyncSession, statistic: OfficialStatistic, body: ListChangeIn,
                      principal: Principal) -> ListChange:
    latest = await session.scalar(
        select(ListChange).where(ListChange.statistic_id == statistic.id)
        .order_by(ListChange.effective_on.desc(), ListChange.id.desc()).limit(1))
    if latest is not None and body.effective_on < latest.effective_on:
        raise Errors.LIST_CHANGE_OUT_OF_ORDER(
                           f"the last list change of this statistic is effective on "
                           f"{latest.effective_on}; a change cannot be dated before it")
    bump_version(statistic)
    currently_on = latest is not None and latest.change == ListChangeKind.included
    if body.change is ListChangeKind.included and currently_on:
        raise Errors.ALREADY_ON_LIST("the statistic is already on the VSP list")
    if body.change is ListChangeKind.removed and not currently_on:
        raise Errors.NOT_ON_LIST("the statistic is not on the VSP list")
    return await _append_change(session, statistic, body.change, body, principal)


async def _append_change(session: AsyncSession, statistic: OfficialStatistic,
                         kind: ListChangeKind, decision: ListDecisionIn,
                         principal: Principal) -> ListChange:
    change = ListChange(
        statistic_id=statistic.id, change=kind.value, effective_on=decision.effective_on,
        reason=decision.reason, decision_type=decision.decision_type.value,
        decision_reference=decision.decision_reference, recorded_by=principal.sub)
    await add_audited(session, change, entity_type="official_statistic", entity_id=statistic.id,
                      action=f"list_{kind.value}", to_state=kind.value, reason=decision.reason,
                      data={"effective_on": decision.effective_on.isoformat(),
                            "decision_type": decision.decision_type.value,
                            "decision_reference": decision.decision_reference})
    return change
