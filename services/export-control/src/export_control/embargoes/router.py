"""HTTP routes of the embargo list (versions) and of the exceptions on an application."""

import uuid
from typing import Annotated

from fastapi import APIRouter
from fastapi import Depends
from sqlalchemy import select

from dkbuza_kit.auth import Principal
from dkbuza_kit.calendar import brussels_date
from dkbuza_kit.db import DbSession
from dkbuza_kit.errors import AUTH_ERRORS
from dkbuza_kit.errors import KitErrors
from dkbuza_kit.errors import responses
from dkbuza_kit.timeouts import TRANSACTIONAL_READ
from export_control.applications.service import get_application
from export_control.deps import ClockDep
from export_control.embargoes import service
from export_control.embargoes.models import EmbargoException
from export_control.embargoes.models import EmbargoListVersion
from export_control.embargoes.rules import EmbargoList
from export_control.embargoes.schemas import EmbargoExceptionIn
from export_control.embargoes.schemas import EmbargoExceptionOut
from export_control.embargoes.schemas import EmbargoListOut
from export_control.embargoes.schemas import MeasureOut
from export_control.errors import Errors
from export_control.roles import heads
from export_control.roles import internal_readers
from export_control.roles import ministers

router = APIRouter(tags=["embargoes"])

Internal = Annotated[Principal, Depends(internal_readers)]
Head = Annotated[Principal, Depends(heads)]
Minister = Annotated[Principal, Depends(ministers)]


# The reads below install the packaged default list when none is stored yet: a write.
@router.get("/v1/embargo-lists", response_model=list[EmbargoListOut],
            responses=responses(*AUTH_ERRORS), dependencies=[TRANSACTIONAL_READ])
async def list_embargo_lists(session: DbSession, _: Internal) -> list[EmbargoListOut]:
    """Every version of the embargo and export-ban list, newest first."""
    await service.active_list(session)
    rows = (await session.scalars(select(EmbargoListVersion).order_by(
        EmbargoListVersion.created_at.desc(), EmbargoListVersion.version))).all()
    return [EmbargoListOut.model_validate(r) for r in rows]


@router.post("/v1/embargo-lists", status_code=201, response_model=EmbargoListOut,
             responses=responses(Errors.EMBARGO_LIST_VERSION_EXISTS,
                                 KitErrors.VALIDATION_ERROR, *AUTH_ERRORS))
async def create_embargo_list(body: EmbargoList, session: DbSession,
                              principal: Head) -> EmbargoListOut:
    """A new version (never an edit in place); it becomes the active one at once."""
    return EmbargoListOut.model_validate(await service.create_list(session, body, principal.sub))


@router.get("/v1/applications/{application_id}/embargo-measures",
            response_model=list[MeasureOut], responses=responses(KitErrors.NOT_FOUND,
                                                                 *AUTH_ERRORS),
            dependencies=[TRANSACTIONAL_READ])
async def application_measures(application_id: uuid.UUID, session: DbSession,
                               principal: Internal, clock: ClockDep) -> list[MeasureOut]:
    """The measures of the active list that apply to the case today."""
    app = await get_application(session, application_id, principal)
    measures = await service.measures_for_application(session, app, brussels_date(clock.now()))
    return [MeasureOut(id=m.id, country=m.country, goods_scope=m.goods_scope,
                       mandatory=m.mandatory, partial=m.partial, legal_basis=m.legal_basis(),
                       note=m.note, exceptions=[e.model_dump() for e in m.exceptions])
            for m in measures]


@router.post("/v1/applications/{application_id}/embargo-exceptions", status_code=201,
             response_model=EmbargoExceptionOut,
             responses=responses(Errors.EMBARGO_EXCEPTION_INVALID, KitErrors.NOT_FOUND,
                                 KitErrors.VALIDATION_ERROR, *AUTH_ERRORS))
async def record_embargo_exception(application_id: uuid.UUID, body: EmbargoExceptionIn,
                                   session: DbSession, principal: Head,
                                   clock: ClockDep) -> EmbargoExceptionOut:
    """The head invokes an exception that the act itself provides (its article); the
    minister's sign-off is still needed before a grant."""
    app = await get_application(session, application_id, principal, for_update=True)
    row = await service.record_exception(session, app, measure_id=body.measure_id,
                                         article=body.article,
                                         justification=body.justification,
                                         actor=principal.sub, now=clock.now())
    return EmbargoExceptionOut.model_validate(row)


@router.post("/v1/applications/{application_id}/embargo-exceptions/{exception_id}/sign",
             response_model=EmbargoExceptionOut,
             responses=responses(Errors.EMBARGO_EXCEPTION_INVALID,
                                 Errors.EMBARGO_EXCEPTION_SIGNED, KitErrors.NOT_FOUND,
                                 *AUTH_ERRORS))
async def sign_embargo_exception(application_id: uuid.UUID, exception_id: uuid.UUID,
                                 session: DbSession, principal: Minister,
                                 clock: ClockDep) -> EmbargoExceptionOut:
    """The minister's sign-off of an exception."""
    app = await get_application(session, application_id, principal, for_update=True)
    row = await service.minister_sign(session, app, exception_id, actor=principal.sub,
                                      now=clock.now())
    return EmbargoExceptionOut.model_validate(row)


@router.get("/v1/applications/{application_id}/embargo-exceptions",
            response_model=list[EmbargoExceptionOut],
            responses=responses(KitErrors.NOT_FOUND, *AUTH_ERRORS))
async def list_embargo_exceptions(application_id: uuid.UUID, session: DbSession,
                                  principal: Internal) -> list[EmbargoExceptionOut]:
    app = await get_application(session, application_id, principal)
    rows = (await session.scalars(select(EmbargoException).where(
        EmbargoException.application_id == app.id).order_by(EmbargoException.head_signed_at))
    ).all()
    return [EmbargoExceptionOut.model_validate(r) for r in rows]
