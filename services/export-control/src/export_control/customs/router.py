"""HTTP routes of the customs side (CERTEX) and the ledger."""

import uuid
from typing import Annotated

from fastapi import APIRouter
from fastapi import Depends
from fastapi import Query
from fastapi.responses import JSONResponse
from sqlalchemy import select

from dkbuza_kit.auth import Principal
from dkbuza_kit.auth import require_roles
from dkbuza_kit.clock import today_brussels
from dkbuza_kit.db import DbSession
from dkbuza_kit.db import where_given
from dkbuza_kit.idempotency import IdempotencyDep
from dkbuza_kit.pagination import Page
from dkbuza_kit.pagination import Pagination
from dkbuza_kit.pagination import page_of
from export_control.customs import service
from export_control.customs.models import LedgerEntry
from export_control.customs.schemas import AvailabilityOut
from export_control.customs.schemas import DebitIn
from export_control.customs.schemas import LedgerEntryOut
from export_control.customs.schemas import ReCreditIn
from export_control.customs.schemas import WriteOffIn
from export_control.deps import ClockDep
from export_control.deps import Settings
from export_control.licences.models import Licence
from export_control.roles import CUSTOMS
from export_control.roles import INTERNAL
from export_control.roles import case_workers
from export_control.roles import customs_only
from export_control.roles import org_scope
from export_control.roles import readers

router = APIRouter(tags=["customs"])

Customs = Annotated[Principal, Depends(customs_only)]


@router.get("/v1/customs/availability", response_model=AvailabilityOut)
async def get_availability(
    session: DbSession, clock: ClockDep,
    _: Annotated[Principal, Depends(require_roles(CUSTOMS, *INTERNAL))],
    licence_number: Annotated[str, Query(min_length=1, max_length=30)],
    line_no: Annotated[int, Query(ge=1, le=10_000)],
) -> AvailabilityOut:
    """Whether a licence line can be used today (and why not), and what remains on it."""
    return AvailabilityOut(**await service.availability(session, licence_number, line_no,
                                                        today_brussels(clock)))


@router.post("/v1/customs/debits", status_code=201, response_model=LedgerEntryOut,
             responses={200: {"model": LedgerEntryOut,
                              "description": "Replay: the debit recorded earlier under the same "
                                             "(MRN, item number, licence line)"}})
async def create_debit(body: DebitIn, session: DbSession, principal: Customs, clock: ClockDep,
                       settings: Settings):
    """Write one declaration item off a licence line. 409 LICENCE_QUANTITY_EXCEEDED when it
    does not fit (nothing changes); 409 LICENCE_SUSPENDED / _REVOKED / _EXPIRED when the
    licence cannot be used."""
    now = clock.now()
    entry, replayed = await service.debit(
        session, licence_number=body.licence_number, line_no=body.line_no, mrn=body.mrn,
        item_number=body.item_number, quantity=body.quantity, value=body.value,
        actor=principal.sub, settings=settings, today=today_brussels(clock), now=now)
    payload = LedgerEntryOut.model_validate(entry).model_dump(mode="json")
    return JSONResponse(payload, status_code=200 if replayed else 201,
                        headers={"Idempotent-Replayed": "true"} if replayed else None)


@router.post("/v1/customs/re-credits", status_code=201, response_model=LedgerEntryOut)
async def create_re_credit(body: ReCreditIn, session: DbSession, principal: Customs,
                           clock: ClockDep, idem: IdempotencyDep):
    """Give a debit back (declaration amended or invalidated) through a reversal entry."""
    if idem.replay is not None:
        return idem.replay
    entry = await service.re_credit(
        session, licence_number=body.licence_number, line_no=body.line_no, mrn=body.mrn,
        item_number=body.item_number, quantity=body.quantity, value=body.value,
        reason=body.reason, actor=principal.sub, now=clock.now())
    return await idem.respond(201, LedgerEntryOut.model_validate(entry))


@router.post("/v1/ledger-entries", status_code=201, response_model=LedgerEntryOut)
async def create_write_off(body: WriteOffIn, session: DbSession,
                           principal: Annotated[Principal, Depends(case_workers)],
                           clock: ClockDep, idem: IdempotencyDep):
    """A manual write-off by an officer, through the same ledger and the same limits."""
    if idem.replay is not None:
        return idem.replay
    entry = await service.write_off(
        session, licence_number=body.licence_number, line_no=body.line_no,
        quantity=body.quantity, value=body.value, reason=body.reason, actor=principal.sub,
        today=today_brussels(clock), now=clock.now())
    return await idem.respond(201, LedgerEntryOut.model_validate(entry))


@router.get("/v1/ledger-entries", response_model=Page[LedgerEntryOut])
async def list_ledger_entries(
    session: DbSession, principal: Annotated[Principal, Depends(readers)], page: Pagination,
    licence_id: uuid.UUID | None = None,
    mrn: Annotated[str | None, Query(max_length=18)] = None,
) -> Page[LedgerEntryOut]:
    stmt = select(LedgerEntry)
    scope = org_scope(principal)
    if scope is not None:
        stmt = stmt.join(Licence, Licence.id == LedgerEntry.licence_id).where(
            Licence.holder_org == scope)
    stmt = where_given(stmt, (LedgerEntry.licence_id, licence_id), (LedgerEntry.mrn, mrn))
    return await page_of(session, stmt.order_by(LedgerEntry.created_at, LedgerEntry.id),
                         page, out=LedgerEntryOut)
