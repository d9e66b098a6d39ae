"""Catalogue imports and self-assessments against the current indicator catalogue."""

import uuid
from datetime import datetime

from pydantic import ValidationError
from sqlalchemy import Select
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from dkbuza_kit.audit import add_audited
from dkbuza_kit.audit import record_audit
from dkbuza_kit.auth import Principal
from dkbuza_kit.db import where_given
from dkbuza_kit.errors import KitErrors
from dkbuza_kit.problems import ProblemError
from vsp_statistics.errors import Errors
from vsp_statistics.official_statistics.models import OfficialStatistic
from vsp_statistics.official_statistics.service import get_statistic
from vsp_statistics.quality import catalogue as rules
from vsp_statistics.quality.catalogue import IndicatorRow
from vsp_statistics.quality.models import Assessment
from vsp_statistics.quality.models import AssessmentAnswer
from vsp_statistics.quality.models import Indicator
from vsp_statistics.quality.models import IndicatorCatalogue
from vsp_statistics.quality.schemas import AnswerIn
from vsp_statistics.quality.schemas import AnswerOut
from vsp_statistics.quality.schemas import AssessmentOut
from vsp_statistics.quality.schemas import AssessmentState
from vsp_statistics.quality.schemas import AssessmentWarning
from vsp_statistics.quality.schemas import CatalogueIn
from vsp_statistics.roles import entity_scope
from vsp_statistics.work_programmes.models import WorkProgrammeAction

LOW_SCORE = 2


async def import_catalogue(session: AsyncSession, label: str, source: str | None,
                           rows: list[IndicatorRow], principal: Principal) -> IndicatorCatalogue:
    # Serialise imports so that two never take the same version number.
    await session.execute(select(func.pg_advisory_xact_lock(7_260_001)))
    version = (await session.scalar(select(func.max(IndicatorCatalogue.version))) or 0) + 1
    catalogue = IndicatorCatalogue(version=version, label=label, source=source,
                                   indicator_count=len(rows), imported_by=principal.sub)
    session.add(catalogue)
    await session.flush()
    session.add_all(Indicator(catalogue_id=catalogue.id, code=row.code,
                              principle=row.principle, text=row.text) for row in rows)
    await record_audit(session, entity_type="cop_catalogue", entity_id=catalogue.id,
                       action="imported", data={"version": version, "indicators": len(rows)})
    return catalogue


async def current_catalogue(session: AsyncSession) -> IndicatorCatalogue | None:
    return await session.scalar(select(IndicatorCatalogue)
                                .order_by(IndicatorCatalogue.version.desc()).limit(1))


def scoped_assessments(principal: Principal) -> Select:
    stmt = select(Assessment).join(OfficialStatistic,
                                   OfficialStatistic.id == Assessment.statistic_id)
    scope = entity_scope(principal)
    stmt = where_given(stmt, (OfficialStatistic.entity_code, scope))
    return stmt


async def get_assessment(session: AsyncSession, principal: Principal, assessment_id: uuid.UUID,
                         *, for_update: bool = False) -> Assessment:
    stmt = scoped_assessments(principal).where(Assessment.id == assessment_id)
    if for_update:
        stmt = stmt.with_for_update(of=Assessment)
    assessment = await session.scalar(stmt)
    if assessment is None:
        raise Errors.ASSESSMENT_NOT_FOUND("self-assessment not found")
    return assessment


async def create_assessment(session: AsyncSession, principal: Principal,
                            statistic_id: uuid.UUID, cycle: str) -> Assessment:
    try:
        await get_statistic(session, principal, statistic_id)
    except ProblemError as exc:
        raise Errors.UNKNOWN_STATISTIC("no such official statistic") from exc
    catalogue = await current_catalogue(session)
    if catalogue is None:
        raise Errors.NO_CATALOGUE("no indicator catalogue has been imported yet")
    exists = await session.scalar(select(Assessment.id).where(
        Assessment.statistic_id == statistic_id, Assessment.cycle == cycle))
    if exists:
        raise Errors.ASSESSMENT_EXISTS("this statistic is already assessed in "
                           f"cycle {cycle}")
    assessment = Assessment(statistic_id=statistic_id, cycle=cycle, catalogue_id=catalogue.id,
                            state=AssessmentState.draft.value)
    await add_audited(session, assessment, entity_type="self_assessment", action="created", to_state="draft",
                      actor_org=principal.org)
    return assessment


def _check_answer(answer: AnswerIn) -> None:
    if (answer.score is None) == (not answer.not_applicable):
        raise Errors.SCORE_OR_NOT_APPLICABLE(f"{answer.indicator_code}: give a score 1-5 or not_applicable",
                           indicator_code=answer.indicator_code)
    if answer.not_applicable and not (answer.justification or "").strip():
        raise Errors.JUSTIFICATION_REQUIRED(f"{answer.indicator_code}: not applicable needs a justification",
                           indicator_code=answer.indicator_code)


async def answer(session: AsyncSession, principal: Principal, assessment: Assessment,
                 answers: list[AnswerIn], now: datetime) -> None:
    if assessment.state != AssessmentState.draft:
        raise Errors.ASSESSMENT_SUBMITTED("a submitted assessment is final")
    codes = set(await session.scalars(select(Indicator.code).where(
        Indicator.catalogue_id == assessment.catalogue_id)))
    actions = {a.improvement_action_id for a in answers if a.improvement_action_id}
    known_actions = set(await session.scalars(select(WorkProgrammeAction.id).where(
        WorkProgrammeAction.id.in_(actions)))) if actions else set()
    for item in answers:
        if item.indicator_code not in codes:
            raise Errors.UNKNOWN_INDICATOR(f"{item.indicator_code} is not in the assessment's catalogue",
                               indicator_code=item.indicator_code)
        _check_answer(item)
        if item.improvement_action_id and item.improvement_action_id not in known_actions:
            raise Errors.UNKNOWN_ACTION("no work-programme action with this id",
                               indicator_code=item.indicator_code)
        values = {"score": item.score, "not_applicable": item.not_applicable,
                  "justification": item.justification,
                  "improvement_action_id": item.improvement_action_id,
                  "answered_by": principal.sub, "answered_at": now}
        await session.execute(
            insert(AssessmentAnswer)
            .values(assessment_id=assessment.id, indicator_code=item.indicator_code, **values)
            .on_conflict_do_update(index_elements=["assessment_id", "indicator_code"],
                                   set_=values))


async def submit(session: AsyncSession, principal: Principal, assessment: Assessment,
                 now: datetime) -> None:
    if assessment.state != AssessmentState.draft:
        raise Errors.ASSESSMENT_SUBMITTED("the assessment is already submitted")
    unanswered = (await session.scalars(
        select(Indicator.code)
        .where(Indicator.catalogue_id == assessment.catalogue_id,
               Indicator.code.not_in(select(AssessmentAnswer.indicator_code).where(
                   AssessmentAnswer.assessment_id == assessment.id)))
        .order_by(Indicator.code))).all()
    if unanswered:
        raise Errors.ASSESSMENT_INCOMPLETE(f"{len(unanswered)} indicator(s) are not answered",
                           unanswered=list(unanswered))
    assessment.state = AssessmentState.submitted.value
    assessment.submitted_at = now
    assessment.submitted_by = principal.sub
    await record_audit(session, entity_type="self_assessment", entity_id=assessment.id,
                       action="submitted", from_state="draft", to_state="submitted",
                       actor_org=principal.org)


async def describe(session: AsyncSession, assessment: Assessment) -> AssessmentOut:
    catalogue = await session.get(IndicatorCatalogue, assessment.catalogue_id)
    answers = (await session.scalars(
        select(AssessmentAnswer).where(AssessmentAnswer.assessment_id == assessment.id)
        .order_by(AssessmentAnswer.indicator_code))).all()
    warnings = [
        AssessmentWarning(code="LOW_SCORE_WITHOUT_IMPROVEMENT_ACTION",
                          indicator_code=a.indicator_code,
                          detail=f"score {a.score} without a linked improvement action")
        for a in answers
        if a.score is not None and a.score <= LOW_SCORE and a.improvement_action_id is None
    ]
    return AssessmentOut(
        id=assessment.id, statistic_id=assessment.statistic_id, cycle=assessment.cycle,
        catalogue_version=catalogue.version, state=assessment.state,
        submitted_at=assessment.submitted_at, indicator_count=catalogue.indicator_count,
        answered_count=len(answers), answers=[AnswerOut.model_validate(a) for a in answers],
        warnings=warnings)


def parse_catalogue(media_type: str, raw: bytes, label: str | None,
                    source: str | None) -> tuple[str, str | None, list]:
    """(label, source, validated indicators) of an import body, JSON or CSV (label in query)."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Errors.CATALOGUE_INVALID("the body is not UTF-8") from exc
    try:
        if media_type == "text/csv":
            if not label:
                raise Errors.CATALOGUE_INVALID("a CSV import needs ?label=")
            rows = rules.parse_csv(text)
        elif media_type == "application/json":
            body = CatalogueIn.model_validate_json(text)
            label, source = body.label, body.source
            rows = [item.model_dump() for item in body.indicators]
        else:
            raise Errors.UNSUPPORTED_MEDIA_TYPE("send application/json or text/csv")
        return label, source, rules.validate(rows)
    except ValidationError as exc:
        raise KitErrors.VALIDATION_ERROR("the catalogue is not valid", errors=[
            {"loc": [str(p) for p in e["loc"]], "msg": e["msg"], "type": e["type"]}
            for e in exc.errors()]) from exc
    except rules.CatalogueInvalid as exc:
        raise Errors.CATALOGUE_INVALID(str(exc), errors=exc.errors) from exc


def catalogue_list() -> Select:
    return select(IndicatorCatalogue).order_by(IndicatorCatalogue.version.desc())


async def indicator_list(session: AsyncSession, version: int) -> Select:
    catalogue = await session.scalar(select(IndicatorCatalogue).where(
        IndicatorCatalogue.version == version))
    if catalogue is None:
        raise Errors.CATALOGUE_NOT_FOUND(f"no catalogue version {version}")
    return (select(Indicator).where(Indicator.catalogue_id == catalogue.id)
            .order_by(Indicator.principle, Indicator.code))
