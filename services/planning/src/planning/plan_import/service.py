"""Write a parsed plan to the database, all-or-nothing, and build the import report."""

from typing import Any

from sqlalchemy import delete
from sqlalchemy import exists
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dkbuza_kit.audit import record_audit
from dkbuza_kit.dates import PartialDate
from planning.audits.models import AuditRecommendation
from planning.errors import Errors
from planning.indicators.links import apply_links
from planning.indicators.models import Indicator
from planning.plan_import.parsed import ParsedInitiative
from planning.plan_import.parsed import ParsedPlan
from planning.plan_import.parsed import ParsedResult
from planning.plan_import.parsed import ParsedReview
from planning.plan_import.parser import PlanParseError
from planning.plan_import.parser import parse_plan
from planning.plans.filenames import base_name
from planning.plans.models import ExpectedResult
from planning.plans.models import Initiative
from planning.plans.models import OperationalGoal
from planning.plans.models import Plan
from planning.plans.models import PolicyField
from planning.plans.models import ResultMilestone
from planning.plans.models import StrategicGoal
from planning.reporting.models import StatusReport
from planning.reviews.models import Review
from planning.reviews.models import ReviewItem
from planning.reviews.rules import review_summary

AUDIT_STATUS_WORDS = [("niet opgevolgd", "open"), ("in uitvoering", "in_progress"),
                      ("lopend", "in_progress"), ("opgevolgd", "implemented"),
                      ("geïmplementeerd", "implemented")]


def decode_and_parse(data: bytes) -> ParsedPlan:
    """Bytes of an uploaded file -> parsed plan; 422 problems with line numbers otherwise."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise Errors.PLAN_FILE_UNREADABLE(
            "the file is not UTF-8 text",
            errors=[{"line": line, "message": "invalid UTF-8 byte sequence"}]) from exc
    try:
        return parse_plan(text)
    except PlanParseError as exc:
        raise Errors.PLAN_FILE_INVALID(
            "the file is not a business plan in the supported format",
            errors=[issue.as_dict() for issue in exc.errors]) from exc


def audit_status(text: str) -> str:
    lowered = text.lower()
    return next((status for words, status in AUDIT_STATUS_WORDS if words in lowered), "open")


async def _clear_existing(session: AsyncSession, year: int, replace: bool) -> Plan | None:
    existing = await session.scalar(select(Plan).where(Plan.year == year).with_for_update())
    if existing is None:
        return None
    if not replace:
        raise Errors.PLAN_ALREADY_IMPORTED(f"the plan {year} exists; import with replace=true",
                                           plan_id=existing.id)
    has_reports = await session.scalar(select(exists().where(
        StatusReport.initiative_id == Initiative.id, Initiative.plan_id == existing.id)))
    if has_reports:
        raise Errors.PLAN_HAS_STATUS_REPORTS(
            "the plan already has status reports and cannot be replaced")
    await session.execute(delete(Plan).where(Plan.id == existing.id))
    await session.flush()
    return existing


async def _write_tree(session: AsyncSession, plan: Plan, parsed: ParsedPlan
                      ) -> dict[str, list]:
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
    results = await _write_results(session, initiatives)
    return {"fields": fields, "goals": goals, "ods": ods, "initiatives": initiatives,
            "results": results}


def result_row(initiative_id: int, position: int, parsed: ParsedResult) -> ExpectedResult:
    due = parsed.reading.due
    return ExpectedResult(
        initiative_id=initiative_id, position=position, text=parsed.text,
        timing=parsed.reading.kind, due=str(due) if due else None,
        original_due=str(due) if due else None,
        due_precision=due.precision if due else None, due_first=due.first if due else None,
        due_last=due.last if due else None, state="open")


async def _write_results(session: AsyncSession,
                         initiatives: list[tuple[ParsedInitiative, Initiative]]
                         ) -> list[tuple[ParsedResult, ExpectedResult]]:
    results = [(parsed, result_row(row.id, n, parsed))
               for ini, row in initiatives for n, parsed in enumerate(ini.results, 1)]
    session.add_all([row for _, row in results])
    await session.flush()
    session.add_all([
        ResultMilestone(result_id=row.id, position=n, label=label, due=str(moment),
                        original_due=str(moment),
                        due_precision=moment.precision, due_first=moment.first,
                        due_last=moment.last)
        for parsed, row in results if len(parsed.reading.moments) > 1
        for n, (label, moment) in enumerate(_labelled(parsed), 1)])
    return results


def _labelled(parsed: ParsedResult) -> list[tuple[str, Any]]:
    """Each moment with the fragment it was read from (a heading's moments: "heading")."""
    labels = {id(moment): label for label, moment in parsed.reading.understood}
    return [(labels.get(id(moment), "heading"), moment) for moment in parsed.reading.moments]


async def _write_review(session: AsyncSession, plan: Plan, review: ParsedReview | None
                        ) -> dict[str, Any] | None:
    if review is None:
        return None
    row = Review(plan_id=plan.id, year=review.year, printed_total=review.printed_total,
                 printed_counts=review.printed_counts)
    session.add(row)
    await session.flush()
    session.add_all([ReviewItem(review_id=row.id, position=n, title=item.title,
                                final_status=item.status)
                     for n, item in enumerate(review.items, 1)])
    return {"year": review.year,
            **review_summary(review.printed_total, review.printed_counts, review.counts())}


async def _write_indicators_and_audits(session: AsyncSession, plan: Plan, parsed: ParsedPlan,
                                       field_ids: dict[int, int]) -> None:
    session.add_all([Indicator(plan_id=plan.id, code=item.code, title=item.title,
                               description=item.description, source="manual",
                               policy_field_id=field_ids.get(item.policy_field))
                     for item in parsed.indicators])
    await session.flush()
    await apply_links(session, plan.id)
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


def due_report(results: list[ParsedResult]) -> dict[str, Any]:
    """Per result what the import understood of its timing, and every date-looking fragment
    it did not understand (an empty list on the 2025 plan)."""
    return {
        "counts": {
            "results": len(results),
            "dated": sum(1 for r in results if r.kind == "dated"),
            "continuous": sum(1 for r in results if r.kind == "continuous"),
            "undated": sum(1 for r in results if r.kind == "undated"),
            "with_milestones": sum(1 for r in results if len(r.reading.moments) > 1),
            "not_understood": sum(len(r.reading.not_understood) for r in results),
        },
        "results": [{"line": r.line, "text": r.text[:120], "timing": r.kind, "due": r.due,
                     "precision": r.reading.due.precision if r.reading.due else None,
                     "moments": [{"printed": label, "due": str(moment),
                                  "precision": moment.precision}
                                 for label, moment in _labelled(r)],
                     "context": r.reading.context}
                    for r in results],
        "not_understood": [{"line": r.line, "fragment": fragment, "text": r.text[:120]}
                           for r in results for fragment in r.reading.not_understood],
    }


async def import_plan(session: AsyncSession, parsed: ParsedPlan, *, replace: bool,
                      filename: str | None = None) -> dict[str, Any]:
    existing = await _clear_existing(session, parsed.year, replace)
    plan = Plan(year=parsed.year, title=parsed.title, state="adopted", source_filename=base_name(filename))
    session.add(plan)
    await session.flush()
    tree = await _write_tree(session, plan, parsed)
    review_report = await _write_review(session, plan, parsed.review)
    await _write_indicators_and_audits(
        session, plan, parsed, {pf.number: row.id for pf, row in tree["fields"]})
    results = [parsed_result for parsed_result, _ in tree["results"]]
    counts = {
        "policy_fields": len(tree["fields"]), "strategic_goals": len(tree["goals"]),
        "operational_goals": len(tree["ods"]), "initiatives": len(tree["initiatives"]),
        "expected_results": len(results),
        "expected_results_with_due": sum(1 for r in results if r.kind == "dated"),
        "expected_results_continuous": sum(1 for r in results if r.kind == "continuous"),
        "audit_recommendations": len(parsed.audit_recommendations),
        "review_items": len(parsed.review.items) if parsed.review else 0,
        "indicators": len(parsed.indicators),
    }
    await record_audit(session, entity_type="plan", entity_id=plan.id,
                       action="replaced" if existing is not None else "imported",
                       to_state=plan.state, data={"counts": counts,
                                                  "filename": base_name(filename)})
    return {"plan_id": plan.id, "year": plan.year, "replaced": existing is not None,
            "counts": counts, "review": review_report, "dues": due_report(results),
            "warnings": [w.as_dict() for w in parsed.warnings]}
