"""Read models computed in SQL: distributions, completeness, roll-ups, results, deterioration."""

from dataclasses import replace
from datetime import date

from sqlalchemy import Integer
from sqlalchemy import Text
from sqlalchemy import and_
from sqlalchemy import case
from sqlalchemy import cast
from sqlalchemy import func
from sqlalchemy import literal
from sqlalchemy import null
from sqlalchemy import select
from sqlalchemy import union_all
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from dkbuza_kit.clock import BRUSSELS
from dkbuza_kit.db import where_given
from planning.plans.filters import InitiativeFilters
from planning.plans.filters import initiatives_query
from planning.plans.models import ExpectedResult
from planning.plans.models import Initiative
from planning.plans.models import OperationalGoal
from planning.plans.models import Plan
from planning.plans.models import PolicyField
from planning.plans.models import ResultMilestone
from planning.plans.models import StrategicGoal
from planning.reporting.models import ReportingPeriod
from planning.reporting.models import StatusReport
from planning.reporting.rules import DISTRIBUTION_KEYS
from planning.reporting.rules import DONE
from planning.reporting.rules import PROGRESS_RANK
from planning.reporting.rules import WORST_RANK
from planning.reporting.rules import percentage
from planning.reporting.schemas import Completeness
from planning.reporting.schemas import Deterioration
from planning.reporting.schemas import Distribution
from planning.reporting.schemas import OnTimeRate
from planning.reporting.schemas import OverdueResult
from planning.reporting.schemas import RollUpRow


def _period_filters(filters: InitiativeFilters, period: ReportingPeriod,
                    plan_year: int) -> InitiativeFilters:
    return replace(filters, period=period.code, plan_year=plan_year)


def _distribution(counts: dict[str, int]) -> Distribution:
    values = {key: int(counts.get(key, 0)) for key in DISTRIBUTION_KEYS}
    return Distribution(**values, total=sum(values.values()))


async def status_distribution(session: AsyncSession, period: ReportingPeriod, plan_year: int,
                              filters: InitiativeFilters, today: date) -> Distribution:
    overview = initiatives_query(_period_filters(filters, period, plan_year), today) \
        .order_by(None).subquery()
    rows = (await session.execute(
        select(overview.c.status, func.count()).group_by(overview.c.status))).all()
    return _distribution(dict(rows))


async def completeness(session: AsyncSession, period: ReportingPeriod) -> Completeness:
    reported_day = func.date(func.timezone(str(BRUSSELS), StatusReport.first_reported_at))
    row = (await session.execute(
        select(func.count(Initiative.id),
               func.count(StatusReport.id).filter(reported_day <= period.report_deadline),
               func.count(StatusReport.id).filter(reported_day > period.report_deadline))
        .select_from(Initiative)
        .outerjoin(StatusReport, and_(StatusReport.initiative_id == Initiative.id,
                                      StatusReport.period_id == period.id))
        .where(Initiative.plan_id == period.plan_id, Initiative.archived.is_(False))
    )).one()
    active, on_time, late = (int(v) for v in row)
    return Completeness(period=period.code, active_initiatives=active,
                        reported_by_deadline=on_time, reported_late=late,
                        completeness_pct=percentage(on_time, active))


LEVELS = {
    "operational_goal": (OperationalGoal.code, OperationalGoal.title, OperationalGoal.position),
    "strategic_goal": (StrategicGoal.code, StrategicGoal.title, StrategicGoal.position),
    "policy_field": (cast(PolicyField.number, Integer), PolicyField.title, PolicyField.number),
}


async def roll_up(session: AsyncSession, period: ReportingPeriod, level: str) -> list[RollUpRow]:
    """Per OD/SD/policy field: distribution, worst status of unfinished children, % done."""
    code, title, _ = LEVELS[level]
    status = func.coalesce(StatusReport.status, literal("not_reported"))
    rank = case(*[(status == name, value) for name, value in WORST_RANK.items()], else_=None)
    counts = [func.count().filter(status == key).label(key) for key in DISTRIBUTION_KEYS]
    stmt = (
        select(code.label("code"), title.label("title"), *counts,
               func.max(rank).label("worst_rank"), func.min(PolicyField.number).label("pf"),
               func.min(StrategicGoal.position).label("sd"),
               func.min(OperationalGoal.position).label("od"))
        .select_from(Initiative)
        .join(OperationalGoal, OperationalGoal.id == Initiative.operational_goal_id)
        .join(StrategicGoal, StrategicGoal.id == OperationalGoal.strategic_goal_id)
        .join(PolicyField, PolicyField.id == StrategicGoal.policy_field_id)
        .outerjoin(StatusReport, and_(StatusReport.initiative_id == Initiative.id,
                                      StatusReport.period_id == period.id))
        .where(Initiative.plan_id == period.plan_id, Initiative.archived.is_(False))
        .group_by(code, title)
        .order_by("pf", "sd", "od")
    )
    by_rank = {value: name for name, value in WORST_RANK.items()}
    rows = []
    for row in (await session.execute(stmt)).mappings():
        distribution = _distribution({key: row[key] for key in DISTRIBUTION_KEYS})
        rows.append(RollUpRow(
            level=level, code=str(row["code"]), title=row["title"], distribution=distribution,
            worst_unfinished_status=by_rank.get(row["worst_rank"]),
            done_pct=percentage(distribution.done, distribution.total)))
    return rows


def _results_scope(plan_year: int | None):
    stmt = (select(ExpectedResult, Initiative.code)
            .join(Initiative, Initiative.id == ExpectedResult.initiative_id)
            .join(Plan, Plan.id == Initiative.plan_id))
    return stmt.where(Plan.year == plan_year) if plan_year is not None else stmt


async def on_time_rate(session: AsyncSession, plan_year: int | None, today: date) -> OnTimeRate:
    """Results due by now (their due period ended before today; dropped ones left out): the
    share achieved by the end of the due period. 0 achieved of 70 due is 0 %, not "no data"."""
    achieved = ExpectedResult.state == "achieved"
    stmt = (select(func.count(),
                   func.count().filter(achieved, ExpectedResult.achieved_on <= ExpectedResult.due_last),
                   func.count().filter(achieved),
                   func.count().filter(ExpectedResult.state == "open"))
            .select_from(ExpectedResult)
            .join(Initiative, Initiative.id == ExpectedResult.initiative_id)
            .join(Plan, Plan.id == Initiative.plan_id)
            .where(ExpectedResult.state != "dropped", ExpectedResult.archived.is_(False),
                   ExpectedResult.due_last < today))
    stmt = where_given(stmt, (Plan.year, plan_year))
    due, on_time, achieved_count, open_count = (int(v) for v in (await session.execute(stmt)).one())
    return OnTimeRate(due_by_now=due, achieved_with_due=achieved_count, achieved_on_time=on_time,
                      open_overdue=open_count, on_time_pct=percentage(on_time, due))


def overdue_query(plan_year: int | None, today: date):
    days = (literal(today) - ExpectedResult.due_last).label("days_overdue")
    return (_results_scope(plan_year).add_columns(days)
            .where(ExpectedResult.state == "open", ExpectedResult.archived.is_(False),
                   ExpectedResult.due_last < today)
            .order_by(ExpectedResult.due_last, ExpectedResult.id))


def _overdue_columns(due, due_last, today: date, milestone_id, milestone):
    return (ExpectedResult.id.label("id"), ExpectedResult.initiative_id.label("initiative_id"),
            Initiative.code.label("initiative_code"), ExpectedResult.text.label("text"),
            due.label("due"), due_last.label("due_last"),
            (literal(today) - due_last).label("days_overdue"),
            milestone_id.label("milestone_id"), milestone.label("milestone"))


def overdue_list_query(plan_year: int | None, today: date):
    """Every due passed while its result is open: results past their due and, before that,
    the milestones passed on the way (the last milestone is the result's own due)."""
    open_ = and_(ExpectedResult.state == "open", ExpectedResult.archived.is_(False))
    results = (select(*_overdue_columns(ExpectedResult.due, ExpectedResult.due_last, today,
                                        null().cast(Integer), null().cast(Text)))
               .join(Initiative, Initiative.id == ExpectedResult.initiative_id)
               .join(Plan, Plan.id == Initiative.plan_id)
               .where(open_, ExpectedResult.due_last < today))
    milestones = (select(*_overdue_columns(ResultMilestone.due, ResultMilestone.due_last, today,
                                           ResultMilestone.id, ResultMilestone.label))
                  .join(ExpectedResult, ExpectedResult.id == ResultMilestone.result_id)
                  .join(Initiative, Initiative.id == ExpectedResult.initiative_id)
                  .join(Plan, Plan.id == Initiative.plan_id)
                  .where(open_, ResultMilestone.due_last < today,
                         ResultMilestone.due_last < ExpectedResult.due_last))
    if plan_year is not None:
        results = results.where(Plan.year == plan_year)
        milestones = milestones.where(Plan.year == plan_year)
    every = union_all(results, milestones).subquery()
    return select(every).order_by(every.c.due_last, every.c.id, every.c.milestone_id.nulls_last())


def overdue_item(row) -> OverdueResult:
    m = row._mapping
    return OverdueResult(id=m["id"], initiative_id=m["initiative_id"],
                         initiative_code=m["initiative_code"], text=m["text"], due=m["due"] or "",
                         days_overdue=int(m["days_overdue"]), milestone_id=m["milestone_id"],
                         milestone=m["milestone"])


async def deteriorations(session: AsyncSession, earlier: ReportingPeriod,
                         later: ReportingPeriod) -> list[Deterioration]:
    before = aliased(StatusReport)
    after = aliased(StatusReport)

    def rank(column):
        return case(*[(column == name, value) for name, value in PROGRESS_RANK.items()])

    stmt = (select(Initiative.id, Initiative.code, Initiative.title, before.status, after.status)
            .join(before, and_(before.initiative_id == Initiative.id,
                               before.period_id == earlier.id))
            .join(after, and_(after.initiative_id == Initiative.id,
                              after.period_id == later.id))
            .where(rank(after.status) > rank(before.status))
            .order_by(Initiative.position, Initiative.id))
    return [Deterioration(initiative_id=r[0], initiative_code=r[1], title=r[2],
                          from_status=r[3], to_status=r[4])
            for r in (await session.execute(stmt)).all()]


__all__ = ["DONE", "completeness", "deteriorations", "on_time_rate", "overdue_list_query", "overdue_query",
           "roll_up", "status_distribution"]


async def current_period(session: AsyncSession, today: date, plan_id: int | None = None
                         ) -> tuple[ReportingPeriod, int] | None:
    """(period, plan year) of the period that contains today, else of the latest one that has
    started; optionally within one plan."""
    stmt = (select(ReportingPeriod, Plan.year).join(Plan, Plan.id == ReportingPeriod.plan_id)
            .where(ReportingPeriod.starts_on <= today))
    stmt = where_given(stmt, (ReportingPeriod.plan_id, plan_id))
    row = (await session.execute(
        stmt.order_by(ReportingPeriod.starts_on.desc(), ReportingPeriod.id.desc()).limit(1)
    )).first()
    return (row[0], row[1]) if row else None
