"""The Code of Practice (principles, imported indicator catalogues) and self-assessments."""

import uuid
from typing import Annotated

from fastapi import APIRouter
from fastapi import Path
from fastapi import Query
from fastapi import Request

from dkbuza_kit.clock import ClockDep
from dkbuza_kit.db import DbSession
from dkbuza_kit.db import where_given
from dkbuza_kit.openapi import schema_ref
from dkbuza_kit.pagination import Page
from dkbuza_kit.pagination import Pagination
from dkbuza_kit.pagination import page_of
from dkbuza_kit.pagination import paginate
from vsp_statistics.quality import catalogue as rules
from vsp_statistics.quality import service
from vsp_statistics.quality.models import Assessment
from vsp_statistics.quality.schemas import AnswersIn
from vsp_statistics.quality.schemas import AssessmentIn
from vsp_statistics.quality.schemas import AssessmentOut
from vsp_statistics.quality.schemas import CatalogueIn
from vsp_statistics.quality.schemas import CatalogueOut
from vsp_statistics.quality.schemas import CodeOfPracticeOut
from vsp_statistics.quality.schemas import IndicatorOut
from vsp_statistics.quality.schemas import PrincipleOut
from vsp_statistics.roles import StaffOnly
from vsp_statistics.roles import StaffOrEntity

# An INTEGER column: larger numbers are a 422, not a database error.
VersionNumber = Annotated[int, Path(ge=1, le=2**31 - 1)]
router = APIRouter(tags=["quality"])

IMPORT_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": schema_ref(CatalogueIn)},
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
    return await page_of(session, service.catalogue_list(), page, out=CatalogueOut)


@router.post("/v1/code-of-practice/catalogues", response_model=CatalogueOut, status_code=201,
             openapi_extra=IMPORT_BODY)
async def import_catalogue(request: Request, session: DbSession, principal: StaffOnly,
                           label: Annotated[str | None, Query(max_length=200)] = None,
                           source: Annotated[str | None, Query(max_length=500)] = None):
    """Import a new catalogue version (JSON body, or CSV with `?label=`); all rows validated."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    label, source, indicators = service.parse_catalogue(media_type, await request.body(),
                                                        label, source)
    return await service.import_catalogue(session, label, source, indicators, principal)


@router.get("/v1/code-of-practice/catalogues/{version}/indicators",
            response_model=Page[IndicatorOut])
async def list_indicators(version: VersionNumber, session: DbSession, page: Pagination,
                          _: StaffOrEntity):
    stmt = await service.indicator_list(session, version)
    return await page_of(session, stmt, page, out=IndicatorOut)


@router.get("/v1/assessments", response_model=Page[AssessmentOut])
async def list_assessments(session: DbSession, page: Pagination, principal: StaffOrEntity,
                           cycle: str | None = None, statistic_id: uuid.UUID | None = None):
    stmt = service.scoped_assessments(principal).order_by(Assessment.cycle, Assessment.id)
    stmt = where_given(stmt, (Assessment.cycle, cycle), (Assessment.statistic_id, statistic_id))
    rows, total = await paginate(session, stmt, page)
    return Page.of([await service.describe(session, a) for a in rows], total, page)


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
