"""Write a parsed plan to the database, all-or-nothing, and build the import report."""

from typing import Any

from sqlalchemy import delete, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from dkbuza_kit.audit import record_audit
from dkbuza_kit.dates import PartialDate
from dkbuza_kit.problems import ProblemError
from planning.audits.models import AuditRecommendation
from planning.indicators.models import Indicator
from planning.plan_import.parser import ParsedPlan, PlanParseError, parse_plan
from planning.plans.filenames import base_name
from planning.plans.models import (
    ExpectedResult,
    Initiative,
    OperationalGoal,
    Plan,
    PolicyField,
    StrategicGoal,
)
from planning.reporting.models import StatusReport
from planning.reviews.models import Review, ReviewItem

AUDIT_STATUS_WORDS = [("niet opgevolgd", "open"), ("in uitvoering", "in_progress"),
                      ("lopend", "in_progress"), ("opgevolgd", "implemented"),
                      ("geïmplementeerd", "implemented")]


def decode_and_parse(data: bytes) -> ParsedPlan:
    """Bytes of an uploaded file -> parsed plan; 422 problems with line numbers otherwise."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise ProblemError(422, "PLAN_FILE_UNREADABLE", "the file is not UTF-8 text",
                           errors=[{"line": line, "message": "invalid UTF-8 byte sequence"}]) \
            from exc
    try:
        return parse_plan(text)
    except PlanParseError as exc:
        raise ProblemError(422, "PLAN_FILE_INVALID",
                           "the file is not a business plan in the supported format",
                           errors=[issue.as_dict() for issue in exc.errors]) from exc


def audit_status(text: str) -> str:
    lowered = text.lower()
    return next((status for words, status in AUDIT_STATUS_WORDS if words in lowered), "open")


async def import_plan(session: AsyncSession, parsed: ParsedPlan, *, replace: bool,
                      filename: str | None = None) -> dict[str, Any]:
    existing = await session.scalar(select(Plan).where(Plan.year == parsed.year)
                                    .with_for_update())
    if existing is not None:
        if not replace:
            raise ProblemError(409, "PLAN_ALREADY_IMPORTED",
                               f"the plan {parsed.year} exists; import with replace=true",
                               plan_id=existing.id)
        has_reports = await session.scalar(select(exists().where(
            StatusReport.initiative_id == Initiative.id, Initiative.plan_id == existing.id)))
        if has_reports:
            raise ProblemError(409, "PLAN_HAS_STATUS_REPORTS",
                               "the plan already has status reports and cannot be replaced")
        await session.execute(delete(Plan).where(Plan.id == existing.id))
        await session.flush()

    plan = Plan(year=parsed.year, title=parsed.title, state="adopted",
                source_filename=base_name(filename))
    session.add(plan)
    await session.flush()

    fields = [(pf, PolicyField(plan_id=plan.id, number=pf.number, title=pf.title))
              for pf in parsed.policy_fields]
    session.add_all([row for _, row in fields])
    await session.flush()
    goals = [(sd, StrategicGoal(plan_id=plan.id, policy_field_id=row.id, code=sd.code,
                                title=sd.title, position=n))
             for pf, row in fields for n, sd in enumerate(pf.strategic_goals, 1)]
    session.add_all([row for _, row in goals])
    await session.flush()
    ods = [(od, OperationalGoal(plan_id=plan.id, strategic_goal_id=row.id, code=od.code,
                                title=od.title, description=od.description, position=n))
           for sd, row in goals for n, od in enumerate(sd.operational_goals, 1)]
    session.add_all([row for _, row in ods])
    await session.flush()
    initiatives = [(ini, Initiative(plan_id=plan.id, operational_goal_id=row.id, code=ini.code,
                                    title=ini.title, kind=ini.kind, description=ini.description,
                                    partners=[], tags=[], archived=False, position=n,
                                    source_line=ini.line))
                   for od, row in ods for n, ini in enumerate(od.initiatives, 1)]
    session.add_all([row for _, row in initiatives])
    await session.flush()
    results = []
    for ini, row in initiatives:
        for n, result in enumerate(ini.results, 1):
            due = PartialDate.parse(result.due) if result.due else None
            results.append(ExpectedResult(
                initiative_id=row.id, position=n, text=result.text,
                due=str(due) if due else None, due_first=due.first if due else None,
                due_last=due.last if due else None, state="open"))
    session.add_all(results)

    review_report = None
    if parsed.review is not None:
        review = Review(plan_id=plan.id, year=parsed.review.year,
                        printed_total=parsed.review.printed_total,
                        printed_counts=parsed.review.printed_counts)
        session.add(review)
        await session.flush()
        session.add_all([ReviewItem(review_id=review.id, position=n, title=item.title,
                                    final_status=item.status)
                         for n, item in enumerate(parsed.review.items, 1)])
        counts = parsed.review.counts()
        review_report = {
            "year": parsed.review.year, "printed_total": parsed.review.printed_total,
            "printed_counts": parsed.review.printed_counts, "counts": counts,
            "counts_match": counts == parsed.review.printed_counts,
        }

    field_ids = {parsed_field.number: row.id for parsed_field, row in fields}
    session.add_all([Indicator(plan_id=plan.id, code=item.code, title=item.title,
                               description=item.description, source="manual",
                               policy_field_id=field_ids.get(item.policy_field))
                     for item in parsed.indicators])

    known = set((await session.scalars(select(AuditRecommendation.code))).all())
    for rec in parsed.audit_recommendations:
        if rec.code in known:
            continue  # never overwrite dates or status tracked since an earlier import
        target = PartialDate.parse(rec.target_date).first
        session.add(AuditRecommendation(
            plan_id=plan.id, code=rec.code, title=rec.title, auditing_body=rec.auditing_body,
            original_target_date=target, current_target_date=target,
            status=audit_status(rec.status_text)))
    await session.flush()

    report = {
        "plan_id": plan.id,
        "year": plan.year,
        "replaced": existing is not None,
        "counts": {
            "policy_fields": len(fields),
            "strategic_goals": len(goals),
            "operational_goals": len(ods),
            "initiatives": len(initiatives),
            "expected_results": len(results),
            "expected_results_with_due": sum(1 for r in results if r.due),
            "audit_recommendations": len(parsed.audit_recommendations),
            "review_items": len(parsed.review.items) if parsed.review else 0,
            "indicators": len(parsed.indicators),
        },
        "review": review_report,
        "warnings": [w.as_dict() for w in parsed.warnings],
    }
    await record_audit(session, entity_type="plan", entity_id=plan.id,
                       action="replaced" if existing is not None else "imported",
                       to_state=plan.state, data={"counts": report["counts"],
                                                  "filename": base_name(filename)})
    return report
