"""HTTP routes of the procedures beside licences."""

import uuid
from typing import Annotated

from fastapi import APIRouter
from fastapi import Depends
from fastapi import Query

from dkbuza_kit.auth import Principal
from dkbuza_kit.db import DbSession
from dkbuza_kit.db import where_given
from dkbuza_kit.errors import AUTH_ERRORS
from dkbuza_kit.errors import KitErrors
from dkbuza_kit.errors import responses
from dkbuza_kit.pagination import Page
from dkbuza_kit.pagination import Pagination
from dkbuza_kit.pagination import page_of
from export_control.deps import ClockDep
from export_control.deps import Settings
from export_control.errors import Errors
from export_control.licences.validity import validity_rules
from export_control.procedures import service
from export_control.procedures.models import Procedure
from export_control.procedures.schemas import ProcedureIn
from export_control.procedures.schemas import ProcedureOut
from export_control.procedures.schemas import ProcedureTransitionIn
from export_control.procedures.workflow import Kind
from export_control.roles import case_workers
from export_control.roles import readers

router = APIRouter(prefix="/v1/procedures", tags=["procedures"])

Reader = Annotated[Principal, Depends(readers)]
CaseWorker = Annotated[Principal, Depends(case_workers)]
TIME_ERRORS = (KitErrors.DATE_IN_FUTURE, KitErrors.DATE_BEFORE_ORIGIN,
               KitErrors.DATE_BEFORE_PREDECESSOR, KitErrors.VALIDATION_ERROR)


@router.post("", status_code=201, response_model=ProcedureOut,
             responses=responses(Errors.PROCEDURE_INVALID, *TIME_ERRORS, *AUTH_ERRORS))
async def create_procedure(body: ProcedureIn, session: DbSession, principal: CaseWorker,
                           clock: ClockDep) -> ProcedureOut:
    """Record a request (preliminary opinion, written confirmation, extension, exemption),
    a verification request to customs or a planned compliance visit."""
    row = await service.create(session, body, actor=principal.sub, now=clock.now())
    return ProcedureOut.model_validate(row)


@router.get("", response_model=Page[ProcedureOut], responses=responses(*AUTH_ERRORS))
async def list_procedures(session: DbSession, principal: Reader, page: Pagination,
                          kind: Kind | None = None,
                          status: Annotated[str | None, Query(max_length=20)] = None
                          ) -> Page[ProcedureOut]:
    stmt = service.visible(principal)
    if kind is not None:
        stmt = stmt.where(Procedure.kind == kind.value)
    stmt = where_given(stmt, (Procedure.status, status))
    return await page_of(session, stmt.order_by(Procedure.created_at, Procedure.id),
                         page, out=ProcedureOut)


@router.get("/{procedure_id}", response_model=ProcedureOut,
            responses=responses(KitErrors.NOT_FOUND, *AUTH_ERRORS))
async def get_procedure(procedure_id: uuid.UUID, session: DbSession,
                        principal: Reader) -> ProcedureOut:
    return ProcedureOut.model_validate(await service.get(session, procedure_id, principal))


@router.post("/{procedure_id}/transitions", response_model=ProcedureOut,
             responses=responses(KitErrors.ILLEGAL_TRANSITION, Errors.PROCEDURE_INVALID,
                                 Errors.INVALID_VALIDITY, KitErrors.NOT_FOUND, *TIME_ERRORS,
                                 *AUTH_ERRORS))
async def move_procedure(procedure_id: uuid.UUID, body: ProcedureTransitionIn,
                         session: DbSession, principal: CaseWorker, clock: ClockDep,
                         settings: Settings) -> ProcedureOut:
    row = await service.get(session, procedure_id, principal, for_update=True)
    row = await service.move(session, row, body, now=clock.now(),
                             validity=validity_rules(settings.licence_validity_file))
    return ProcedureOut.model_validate(row)
