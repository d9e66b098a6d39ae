"""The Code of Practice (principles, imported indicator catalogues) and self-assessments."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import ValidationError
from sqlalchemy import select

from dkbuza_kit.clock import Clock, get_clock
from dkbuza_kit.db import DbSession
from dkbuza_kit.pagination import Page, Pagination, paginate
from dkbuza_kit.problems import ProblemError
from vsp_statistics.roles import StaffOnly, StaffOrEntity
from vsp_statistics.common import page_of
from vsp_statistics.quality import catalogue as rules
from vsp_statistics.quality import service
from vsp_statistics.quality.models import Assessment, Indicator, IndicatorCatalogue
from vsp_statistics.quality.schemas import (
    AnswersIn,
    AssessmentIn,
    AssessmentOut,
    CatalogueIn,
    CatalogueOut,
    CodeOfPracticeOut,
    IndicatorOut,
    PrincipleOut,
)

router = APIRouter(tags=["quality"])
ClockDep = Annotated[Clock, Depends(get_clock)]

IMPORT_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/CatalogueIn"}},
            "text/csv": {"schema": {"type": "string", "description":
                                    "header code,principle,text; label in ?label="}},
        },
    }
}


@router.get("/v1/code-of-practice", response_model=CodeOfPracticeOut)
async def get_code_of_practice(session: DbSession, _: StaffOrEntity):
    """The 16 principles (2017 edition) and the current indicator catalogue."""
    current = await service.current_catalogue(session)
    return CodeOfPracticeOut(
        principles=[PrincipleOut(code=p.code, title=p.title, area=p.area)
                    for p in rules.principles()],
        current_catalogue=CatalogueOut.model_validate(current) if current else None)


@router.get("/v1/code-of-practice/catalogues", response_model=Page[CatalogueOut])
async def list_catalogues(session: DbSession, page: Pagination, _: StaffOrEntity):
    stmt = select(IndicatorCatalogue).order_by(IndicatorCatalogue.version.desc())
    rows, total = await paginate(session, stmt, page)
    return page_of(rows, total, page, CatalogueOut)


@router.post("/v1/code-of-practice/catalogues", response_model=CatalogueOut, status_code=201,
             openapi_extra=IMPORT_BODY)
async def import_catalogue(request: Request, session: DbSession, principal: StaffOnly,
                           label: Annotated[str | None, Query(max_length=200)] = None,
                           source: Annotated[str | None, Query(max_length=500)] = None):
    """Import a new catalogue version (JSON body, or CSV with `?label=`); all rows validated."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    raw = await request.body()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ProblemError(422, "CATALOGUE_INVALID", "the body is not UTF-8") from exc
    try:
        if media_type == "text/csv":
            if not label:
                raise ProblemError(422, "CATALOGUE_INVALID", "a CSV import needs ?label=")
            rows = rules.parse_csv(text)
        elif media_type == "application/json":
            body = CatalogueIn.model_validate_json(text)
            label, source = body.label, body.source
            rows = [item.model_dump() for item in body.indicators]
        else:
            raise ProblemError(415, "UNSUPPORTED_MEDIA_TYPE",
                               "send application/json or text/csv")
        indicators = rules.validate(rows)
    except ValidationError as exc:
        raise ProblemError(422, "VALIDATION_ERROR", "the catalogue is not valid", errors=[
            {"loc": [str(p) for p in e["loc"]], "msg": e["msg"], "type": e["type"]}
            for e in exc.errors()]) from exc
    except rules.CatalogueInvalid as exc:
        raise ProblemError(422, "CATALOGUE_INVALID", str(exc), errors=exc.errors) from exc
    return await service.import_catalogue(session, label, source, indicators, principal)


@router.get("/v1/code-of-practice/catalogues/{version}/indicators",
            response_model=Page[IndicatorOut])
async def list_indicators(version: int, session: DbSession, page: Pagination,
                          _: StaffOrEntity):
    catalogue = await session.scalar(select(IndicatorCatalogue).where(
        IndicatorCatalogue.version == version))
    if catalogue is None:
        raise ProblemError(404, "CATALOGUE_NOT_FOUND", f"no catalogue version {version}")
    stmt = (select(Indicator).where(Indicator.catalogue_id == catalogue.id)
            .order_by(Indicator.principle, Indicator.code))
    rows, total = await paginate(session, stmt, page)
    return page_of(rows, total, page, IndicatorOut)


@router.get("/v1/assessments", response_model=Page[AssessmentOut])
async def list_assessments(session: DbSession, page: Pagination, principal: StaffOrEntity,
                           cycle: str | None = None, statistic_id: uuid.UUID | None = None):
    stmt = service.scoped_assessments(principal).order_by(Assessment.cycle, Assessment.id)
    if cycle is not None:
        stmt = stmt.where(Assessment.cycle == cycle)
    if statistic_id is not None:
        stmt = stmt.where(Assessment.statistic_id == statistic_id)
    rows, total = await paginate(session, stmt, page)
    return Page(items=[await service.describe(session, a) for a in rows], total=total,
                limit=page.limit, offset=page.offset)


@router.post("/v1/assessments", response_model=AssessmentOut, status_code=201)
async def create_assessment(body: AssessmentIn, session: DbSession, principal: StaffOrEntity):
    """Start the self-assessment of a statistic for a cycle, on the current catalogue."""
    assessment = await service.create_assessment(session, principal, body.statistic_id,
                                                 body.cycle)
    return await service.describe(session, assessment)


@router.get("/v1/assessments/{assessment_id}", response_model=AssessmentOut)
async def get_assessment(assessment_id: uuid.UUID, session: DbSession,
                         principal: StaffOrEntity):
    return await service.describe(
        session, await service.get_assessment(session, principal, assessment_id))


@router.post("/v1/assessments/{assessment_id}/answers", response_model=AssessmentOut)
async def answer_indicators(assessment_id: uuid.UUID, body: AnswersIn, session: DbSession,
                            principal: StaffOrEntity, clock: ClockDep):
    """Record (or replace) answers: a score 1-5, or not applicable with a justification."""
    assessment = await service.get_assessment(session, principal, assessment_id,
                                              for_update=True)
    await service.answer(session, principal, assessment, body.answers, clock.now())
    return await service.describe(session, assessment)


@router.post("/v1/assessments/{assessment_id}/submit", response_model=AssessmentOut)
async def submit_assessment(assessment_id: uuid.UUID, session: DbSession,
                            principal: StaffOrEntity, clock: ClockDep):
    """Submit: refused (422 ASSESSMENT_INCOMPLETE) while an indicator is unanswered."""
    assessment = await service.get_assessment(session, principal, assessment_id,
                                              for_update=True)
    await service.submit(session, principal, assessment, clock.now())
    return await service.describe(session, assessment)
